import Foundation

/// Encodes `Encodable` values into a ``JSONValue``, the counterpart of ``JSONValueDecoder``.
///
/// It gives the values Foundation's `JSONEncoder` (default strategies) would write: numbers in the
/// shortest form that reads back (`0.1`, `1e+20`, `100` for `100.0`), `Float` as its own shortest
/// form, `Date` as seconds since 2001, `Data` as Base64, `URL` as its absolute string, `Decimal` as
/// its decimal text, `nil` optionals left out. ``JSONWriter`` then writes the text.
///
/// ```swift
/// let value = try JSONValueEncoder().encode(["a": [1, 2]])   // {"a": [1, 2]}
/// ```
public struct JSONValueEncoder: Sendable {
    /// Write the member names of `Encodable` types in `snake_case` (`batchSize` as `batch_size`),
    /// as `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` does; the keys of `[String: T]`
    /// dictionaries are kept as they are.
    public var convertsKeysToSnakeCase: Bool

    /// An encoder; member names are kept as they are unless `convertsKeysToSnakeCase`.
    public init(convertsKeysToSnakeCase: Bool = false) {
        self.convertsKeysToSnakeCase = convertsKeysToSnakeCase
    }

    /// The JSON value of `value`.
    /// - Throws: `EncodingError.invalidValue` for a non-finite number (JSON has no NaN or infinity)
    ///   or a top-level value that encodes nothing; any error the value's `encode(to:)` throws.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        let node = JSONEncodingNode(snakeCase: convertsKeysToSnakeCase)
        try node.encode(value, codingPath: [])
        guard let result = node.value else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "the value \(type(of: value)) encodes nothing"))
        }
        return result
    }
}

/// One value under construction: a scalar, a list of nodes or an object of nodes.
final class JSONEncodingNode {
    enum Kind { case empty, scalar, array, object }

    /// Whether member names of `Encodable` types are converted to `snake_case` (inherited by children).
    let snakeCase: Bool
    /// Whether this node holds a `[String: T]` dictionary, whose keys are never converted.
    var isDictionary = false

    init(snakeCase: Bool) {
        self.snakeCase = snakeCase
    }

    var kind = Kind.empty
    var scalar = JSONValue.null
    var elements: [JSONEncodingNode] = []
    var keys: [String] = []
    var members: [String: JSONEncodingNode] = [:]

    /// The finished value; `nil` if nothing was encoded.
    var value: JSONValue? {
        switch kind {
        case .empty: return nil
        case .scalar: return scalar
        case .array: return .array(elements.map { $0.value ?? .object(JSONObject()) })
        case .object:
            var object = JSONObject()
            for key in keys { object[key] = members[key]?.value ?? .object(JSONObject()) }
            return .object(object)
        }
    }

    func set(_ value: JSONValue) {
        kind = .scalar
        scalar = value
    }

    func makeArray() {
        if kind != .array {
            kind = .array
            elements = []
        }
    }

    func makeObject() {
        if kind != .object {
            kind = .object
            keys = []
            members = [:]
        }
    }

    func appendElement() -> JSONEncodingNode {
        let node = JSONEncodingNode(snakeCase: snakeCase)
        elements.append(node)
        return node
    }

    func member(_ key: any CodingKey) -> JSONEncodingNode {
        let name = snakeCase && !isDictionary ? JSONEncodingNode.snakeCased(key.stringValue) : key.stringValue
        let node = JSONEncodingNode(snakeCase: snakeCase)
        if members.updateValue(node, forKey: name) == nil { keys.append(name) }
        return node
    }

    /// `name` in `snake_case` by `JSONEncoder`'s rule: a word starts at each capital, a run of
    /// capitals is one word except its last capital when a lowercase letter follows
    /// (`imageURLPath` -> `image_url_path`); words are lowercased and joined with `_`.
    static func snakeCased(_ name: String) -> String {
        let scalars = Array(name.unicodeScalars)
        guard !scalars.isEmpty else { return name }
        var words: [Range<Int>] = []
        var wordStart = 0
        var search = 1
        while let upper = scalars[search...].firstIndex(where: { $0.properties.isUppercase }) {
            words.append(wordStart..<upper)
            search = upper
            guard let lower = scalars[search...].firstIndex(where: { $0.properties.isLowercase }) else {
                wordStart = search
                search = scalars.count
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
            search = lower + 1
        }
        words.append(wordStart..<scalars.count)
        return words.map { range in
            var word = String.UnicodeScalarView()
            word.append(contentsOf: scalars[range])
            return String(word).lowercased()
        }.joined(separator: "_")
    }

    /// Encodes `value` into this node, with Foundation's `JSONEncoder` special cases.
    func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let data as Data: set(.string(data.base64EncodedString()))
        case let url as URL: set(.string(url.absoluteString))
        case let decimal as Decimal:
            guard let number = JSONNumber(literal: decimal.description) else {
                throw EncodingError.invalidValue(decimal, EncodingError.Context(codingPath: codingPath, debugDescription: "\(decimal) is not a JSON number"))
            }
            set(.number(number))
        default:
            isDictionary = value is any JSONStringKeyedDictionary
            try value.encode(to: JSONValueEncoderImpl(node: self, codingPath: codingPath))
        }
    }

    /// A floating-point number as `JSONEncoder` writes it: its shortest text, without a final `.0`.
    func encodeFloat<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath, debugDescription: "\(value) is not a JSON number; JSON has no NaN or infinity"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        set(.number(JSONNumber(uncheckedLiteral: text)))
    }
}

/// `[String: T]`, whose keys are data, never converted to `snake_case`.
protocol JSONStringKeyedDictionary {}
extension Dictionary: JSONStringKeyedDictionary where Key == String {}

/// The `Encoder` handed to `encode(to:)`.
struct JSONValueEncoderImpl: Encoder {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(JSONKeyedEncoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return JSONUnkeyedEncoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { JSONSingleValueEncoding(node: node, codingPath: codingPath) }
}

struct JSONSingleValueEncoding: SingleValueEncodingContainer {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { try node.encodeFloat(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws { try node.encodeFloat(value, codingPath: codingPath) }
    mutating func encode(_ value: Int) throws { node.set(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int8) throws { node.set(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: Int16) throws { node.set(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: Int32) throws { node.set(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: Int64) throws { node.set(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt) throws { node.set(.number(JSONNumber(UInt64(value)))) }
    mutating func encode(_ value: UInt8) throws { node.set(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: UInt16) throws { node.set(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: UInt32) throws { node.set(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: UInt64) throws { node.set(.number(JSONNumber(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}

struct JSONUnkeyedEncoding: UnkeyedEncodingContainer {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.elements.count }

    private var nextPath: [any CodingKey] { codingPath + [JSONCodingKey(intValue: count)] }

    mutating func encodeNil() throws { node.appendElement().set(.null) }
    mutating func encode(_ value: Bool) throws { node.appendElement().set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.appendElement().set(.string(value)) }
    mutating func encode(_ value: Double) throws { try node.appendElement().encodeFloat(value, codingPath: nextPath) }
    mutating func encode(_ value: Float) throws { try node.appendElement().encodeFloat(value, codingPath: nextPath) }
    mutating func encode(_ value: Int) throws { node.appendElement().set(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int64) throws { node.appendElement().set(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt64) throws { node.appendElement().set(.number(JSONNumber(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try node.appendElement().encode(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return JSONValueEncoderImpl(node: node.appendElement(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return JSONValueEncoderImpl(node: node.appendElement(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return JSONValueEncoderImpl(node: node.appendElement(), codingPath: path)
    }
}

struct JSONKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONEncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.member(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.member(key).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.member(key).set(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try node.member(key).encodeFloat(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.member(key).set(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { node.member(key).set(.number(JSONNumber(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.member(key).encode(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        JSONValueEncoderImpl(node: node.member(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        JSONValueEncoderImpl(node: node.member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        JSONValueEncoderImpl(node: node.member(JSONCodingKey("super")), codingPath: codingPath + [JSONCodingKey("super")])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        JSONValueEncoderImpl(node: node.member(key), codingPath: codingPath + [key])
    }
}

extension JSONValue {
    /// The value ``JSONValueEncoder`` gives for `value`: `3` for an `Int`, `[1, 2]` for `[Int]`,
    /// `null` for a `nil` optional, an object for a `Codable` struct.
    /// - Throws: `EncodingError`, as ``JSONValueEncoder/encode(_:)`` (for example a non-finite `Double`).
    public init(encoding value: some Encodable) throws {
        self = try JSONValueEncoder().encode(value)
    }
}
