/// Decodes `Decodable` types from a ``JSONValue`` (parsed JSON, or YAML converted to JSON values).
///
/// **Strict** (the default): like Foundation's `JSONDecoder`, the first wrong type or missing key
/// throws a `DecodingError` whose coding path is the place (``JSONPointer/init(codingPath:)``).
///
/// **Lenient** (``Options/lenient``): decoding does not stop at the first problem. It records every
/// problem with the pointer where it was written (``JSONDecodingProblem``) and carries on:
/// - a value of the wrong type in an optional member is left out; inside a list it is replaced by
///   an empty value (an empty object, list or string, zero, false) so element positions stay right;
/// - a single value where a list is expected is read as a one-element list;
/// - `null` list elements are left out and `null` members read as absent;
/// - members the type never reads are reported as unknown (with the members it does read);
/// - an error thrown by a type's own `init(from:)` for an optional member drops that member.
///
/// Reshaping a list is recorded in a ``JSONPointerMap`` so that problems found later in the
/// decoded value can be reported where the user wrote them.
public struct JSONValueDecoder: Sendable {
    /// How tolerant decoding is.
    public struct Options: Sendable, Hashable {
        /// Record type problems and carry on instead of throwing.
        public var collectsProblems: Bool
        /// Read a single value (string, number, Boolean or object) where a list is expected as a
        /// one-element list.
        public var wrapsSingleValuesInLists: Bool
        /// Leave `null` list elements out.
        public var skipsNullListElements: Bool
        /// Report members that the decoded type does not read.
        public var reportsUnknownKeys: Bool
        /// Report members whose value is `null` (they are always read as absent).
        public var reportsNullMembers: Bool

        /// Options with each behaviour chosen; all off by default (``strict``).
        public init(
            collectsProblems: Bool = false, wrapsSingleValuesInLists: Bool = false, skipsNullListElements: Bool = false,
            reportsUnknownKeys: Bool = false, reportsNullMembers: Bool = false
        ) {
            self.collectsProblems = collectsProblems
            self.wrapsSingleValuesInLists = wrapsSingleValuesInLists
            self.skipsNullListElements = skipsNullListElements
            self.reportsUnknownKeys = reportsUnknownKeys
            self.reportsNullMembers = reportsNullMembers
        }

        /// Throw at the first problem; no reshaping.
        public static let strict = Options()
        /// Collect every problem, reshape single values and `null`s, report unknown and `null` members.
        public static let lenient = Options(
            collectsProblems: true, wrapsSingleValuesInLists: true, skipsNullListElements: true,
            reportsUnknownKeys: true, reportsNullMembers: true)
    }

    /// How tolerant decoding is.
    public var options: Options

    /// A decoder with these options (strict by default).
    public init(options: Options = .strict) {
        self.options = options
    }

    /// Decodes a `T` from `value`.
    ///
    /// - Throws: `DecodingError` (in strict mode at the first problem; in lenient mode only for
    ///   errors it cannot step over). Problems collected in lenient mode are discarded; use
    ///   ``decodeCollectingProblems(_:from:at:pointerMap:)`` to get them.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try decodeCollectingProblems(type, from: value).value
    }

    /// Decodes a `T` from `value` and returns it with every problem noticed on the way.
    ///
    /// - Parameters:
    ///   - type: the type to decode.
    ///   - value: the value to decode.
    ///   - pointer: where `value` sits in its document (decoded coordinates), so reported pointers
    ///     are absolute; the root by default.
    ///   - pointerMap: changes already made to the document's shape before decoding; decoding adds
    ///     its own and returns the result.
    /// - Throws: `DecodingError`, as ``decode(_:from:)``.
    public func decodeCollectingProblems<T: Decodable>(
        _ type: T.Type, from value: JSONValue, at pointer: JSONPointer = .root, pointerMap: JSONPointerMap = JSONPointerMap()
    ) throws -> JSONDecoding<T> {
        let state = JSONDecodingState(options: options, pointerMap: pointerMap)
        let decoder = JSONValueDecoderImpl(
            value: value, decodedPointer: pointer, sourcePointer: pointerMap.sourcePointer(for: pointer),
            codingPath: pointer.tokens.map { JSONCodingKey($0) }, state: state)
        let result = try decoder.decodeValue(T.self)
        state.reportUnknownKeys()
        return JSONDecoding(value: result, problems: state.problems, pointerMap: state.pointerMap)
    }
}

/// The result of a lenient decode: the value, the problems noticed, and how the document's shape
/// was changed (to translate later pointers back to the document as written).
public struct JSONDecoding<Value> {
    /// The decoded value.
    public var value: Value
    /// Every problem, in the order noticed, with pointers into the document as written.
    public var problems: [JSONDecodingProblem]
    /// Decoded-to-written pointer translation.
    public var pointerMap: JSONPointerMap
}

extension JSONDecoding: Sendable where Value: Sendable {}

/// Shared, mutable bookkeeping of one decode (one thread, one call).
final class JSONDecodingState {
    struct ObjectRecord {
        var source: JSONPointer
        var keys: [String]
        var accessed: Set<String>
    }

    let options: JSONValueDecoder.Options
    var problems: [JSONDecodingProblem] = []
    var pointerMap: JSONPointerMap
    /// Decoded pointers whose value was replaced by an empty stand-in after a type problem.
    var substituted: Set<JSONPointer> = []
    /// Objects opened with a keyed container, by decoded pointer, for unknown-key reports.
    var objects: [JSONPointer: ObjectRecord] = [:]
    var objectOrder: [JSONPointer] = []

    init(options: JSONValueDecoder.Options, pointerMap: JSONPointerMap) {
        self.options = options
        self.pointerMap = pointerMap
    }

    func record(_ kind: JSONDecodingProblem.Kind, at source: JSONPointer) {
        problems.append(JSONDecodingProblem(kind, at: source))
    }

    func registerObject(_ object: JSONObject, decoded: JSONPointer, source: JSONPointer) {
        guard options.reportsUnknownKeys else { return }
        if objects[decoded] == nil {
            objects[decoded] = ObjectRecord(source: source, keys: object.keys, accessed: [])
            objectOrder.append(decoded)
        }
    }

    func access(_ key: String, in decoded: JSONPointer) {
        guard options.reportsUnknownKeys else { return }
        objects[decoded]?.accessed.insert(key)
    }

    func reportUnknownKeys() {
        guard options.reportsUnknownKeys else { return }
        for pointer in objectOrder {
            guard let entry = objects[pointer] else { continue }
            let known = entry.accessed.sorted()
            for key in entry.keys where !entry.accessed.contains(key) {
                record(.unknownKey(key, knownKeys: known), at: entry.source.appending(key))
            }
        }
    }
}
