/// A strict JSON reader (RFC 8259, https://www.rfc-editor.org/rfc/rfc8259) producing ``JSONValue``
/// trees, through ``JSONReader``, so a tree and a streamed read accept and refuse the same
/// documents at the same places.
///
/// Strict means: exactly one value, optionally surrounded by whitespace (a leading UTF-8 byte order
/// mark is skipped); no comments, trailing commas, single quotes, `NaN` or leading `+`; every string
/// valid UTF-8 with valid escapes (a `\u` surrogate must be paired); no raw control characters in
/// strings; no key twice in one object; nesting no deeper than ``Options/maximumDepth``. Numbers keep
/// their literal text.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"a": [1, 2.50]}"#.utf8))
/// value["a"]?[1]?.numberValue?.literal   // "2.50"
/// ```
public enum JSONParser {
    /// What the parser accepts and records.
    public struct Options: Sendable, Hashable {
        /// The deepest nesting of arrays and objects accepted; deeper input is an error, so hostile
        /// input cannot exhaust the stack.
        public var maximumDepth: Int
        /// Whether to record the line and column of every value (see ``JSONSourceMap``).
        public var recordsPositions: Bool

        /// Options with the given limits; by default 512 levels and no position map.
        public init(maximumDepth: Int = 512, recordsPositions: Bool = false) {
            self.maximumDepth = maximumDepth
            self.recordsPositions = recordsPositions
        }
    }

    /// Parses one JSON document.
    ///
    /// - Parameters:
    ///   - bytes: the document, UTF-8.
    ///   - file: the file name to put in errors, if any.
    ///   - options: limits.
    /// - Throws: ``CoreError`` `.invalidJSON` with the line and column of the first problem.
    public static func parse(_ bytes: some Collection<UInt8>, file: String? = nil, options: Options = Options()) throws -> JSONValue {
        var options = options
        options.recordsPositions = false
        return try parseWithPositions(bytes, file: file, options: options).value
    }

    /// Parses one JSON document given as text.
    /// - Throws: ``CoreError`` `.invalidJSON`, as ``parse(_:file:options:)``.
    public static func parse(_ text: String, file: String? = nil, options: Options = Options()) throws -> JSONValue {
        try parse(Array(text.utf8), file: file, options: options)
    }

    /// Parses one JSON document and returns, with it, where each value starts (when
    /// `options.recordsPositions` is set; otherwise the map is empty).
    /// - Throws: ``CoreError`` `.invalidJSON` with the line and column of the first problem.
    public static func parseWithPositions(
        _ bytes: some Collection<UInt8>, file: String? = nil, options: Options = Options(recordsPositions: true)
    ) throws -> (value: JSONValue, positions: JSONSourceMap) {
        var positions: JSONSourceMap? = options.recordsPositions ? JSONSourceMap() : nil
        do {
            let value = try JSONReader.read(Array(bytes), file: file, maximumDepth: options.maximumDepth) { reader in
                try reader.readValue(recordingInto: &positions)
            }
            return (value, positions ?? JSONSourceMap())
        } catch var error as CoreError {
            // A whole document's problem is placed as editors show it, `file:line:column`; the
            // pointer the reader adds stays out, so messages read as they always have.
            error.context.pointer = nil
            throw error
        }
    }
}
