import Foundation

extension JSONValue: Codable {
    /// Writes the value with any `Encoder`. Numbers are written as `Int64`, `UInt64`, `Double` or
    /// `Decimal`, whichever reproduces the literal's value exactly.
    ///
    /// - Throws: `EncodingError.invalidValue` for a number no Swift numeric type can carry exactly
    ///   (for example `1e400`), rather than writing a different number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let elements): try container.encode(elements)
        case .object(let object):
            var keyed = encoder.container(keyedBy: JSONCodingKey.self)
            for member in object.members {
                try keyed.encode(member.value, forKey: JSONCodingKey(member.key))
            }
        case .number(let number):
            if let value = number.int64Value {
                try container.encode(value)
            } else if let value = number.uint64Value {
                try container.encode(value)
            } else if let value = number.doubleValue, JSONNumber(value) == number {
                try container.encode(value)
            } else if let value = Decimal(string: number.literal, locale: Locale(identifier: "en_US_POSIX")),
                let written = JSONNumber(literal: value.description), written == number
            {
                try container.encode(value)
            } else {
                throw EncodingError.invalidValue(
                    self,
                    EncodingError.Context(
                        codingPath: encoder.codingPath,
                        debugDescription: "the number \(JSONValue.shorten(number.literal)) cannot be written exactly"))
            }
        }
    }

    /// Reads any value from any `Decoder`. With ``JSONValueDecoder`` the value is taken as is
    /// (numbers keep their literal); other decoders give what their containers expose.
    ///
    /// - Throws: `DecodingError.dataCorrupted` if the decoder's value fits none of the JSON kinds.
    public init(from decoder: any Decoder) throws {
        if let direct = decoder as? JSONValueDecoderImpl {
            self = direct.value
            return
        }
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .null
                return
            }
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
                return
            }
            if let value = try? container.decode(Int64.self) {
                self = .number(JSONNumber(value))
                return
            }
            if let value = try? container.decode(UInt64.self) {
                self = .number(JSONNumber(value))
                return
            }
            if let value = try? container.decode(Double.self), let number = JSONNumber(value) {
                self = .number(number)
                return
            }
            if let value = try? container.decode(String.self) {
                self = .string(value)
                return
            }
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !unkeyed.isAtEnd { elements.append(try unkeyed.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        if let keyed = try? decoder.container(keyedBy: JSONCodingKey.self) {
            var object = JSONObject()
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(object)
            return
        }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a JSON value"))
    }
}

/// A coding key for any member name or array index.
public struct JSONCodingKey: CodingKey, Sendable, Hashable {
    /// The member name, or the index as text.
    public var stringValue: String
    /// The array index, if this key is one.
    public var intValue: Int?

    /// A member-name key.
    public init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    /// A member-name key.
    public init(stringValue: String) {
        self.init(stringValue)
    }

    /// An array-index key.
    public init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// The one way MIFAKit writes its own documents: ``JSONValueEncoder`` then ``JSONWriter``,
/// pretty-printed with two-space indentation, keys sorted by their UTF-8 bytes, slashes not escaped,
/// and a final newline: the bytes Foundation's `JSONEncoder` writes with `.prettyPrinted`,
/// `.sortedKeys` and `.withoutEscapingSlashes`. The output is deterministic: the same value always
/// gives the same bytes.
public enum CanonicalJSON {
    /// Encodes `value` as canonical JSON bytes.
    /// - Throws: `EncodingError` if the value cannot be encoded (see ``JSONValueEncoder/encode(_:)``).
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        JSONWriter.bytes(of: try JSONValueEncoder().encode(value), options: JSONWriter.Options(prettyPrinted: true), sortingKeys: true) + [0x0A]
    }

    /// Encodes `value` as canonical JSON text.
    /// - Throws: `EncodingError`, as ``encode(_:)``.
    public static func string(_ value: some Encodable) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
