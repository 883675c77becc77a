/// A JSON value (RFC 8259), as read by ``JSONParser`` or built in code.
///
/// Numbers keep their exact text (``JSONNumber``); objects keep their members in document order
/// (``JSONObject``). YAML documents are converted into the same type, so every later step (decoding
/// with ``JSONValueDecoder``, addressing with ``JSONPointer``) is the same for both.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, with its literal text.
    case number(JSONNumber)
    /// A string.
    case string(String)
    /// An array (a list, in YAML).
    case array([JSONValue])
    /// An object (a mapping, in YAML).
    case object(JSONObject)
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The Boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number, if this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member `key` if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The element at `index` if this is an array that long.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The kind of value with an article, as used in messages: `a string`, `a list`, `an object`, ...
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// A short description of the value for messages: `number 1.10`, `string "abc"`,
    /// `a list of 3 items`, `an object with keys a, b`. Long strings are shortened.
    public var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "boolean \(value)"
        case .number(let value): return "number \(JSONValue.shorten(value.literal))"
        case .string(let value): return "string \"\(JSONValue.shorten(value))\""
        case .array(let elements):
            return elements.count == 1 ? "a list of 1 item" : "a list of \(elements.count) items"
        case .object(let object):
            if object.isEmpty { return "an empty object" }
            let keys = object.keys.prefix(4).map { JSONValue.shorten($0) }.joined(separator: ", ")
            return "an object with keys \(keys)\(object.count > 4 ? ", ..." : "")"
        }
    }

    /// `text` cut to at most 60 characters, with an ellipsis when cut.
    static func shorten(_ text: String) -> String {
        text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A Boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer number.
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    /// A number; a non-finite literal becomes `null`, which is all JSON can say about it.
    public init(floatLiteral value: Double) { self = JSONNumber(value).map(JSONValue.number) ?? .null }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object; later duplicates replace earlier values.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}
