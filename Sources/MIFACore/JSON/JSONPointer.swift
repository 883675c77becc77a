/// A JSON Pointer (RFC 6901, https://www.rfc-editor.org/rfc/rfc6901): the path to a value inside a
/// JSON document, such as `/study/authors/0/orcid_id`.
///
/// A pointer is a list of reference tokens. In the text form each token follows a `/`, with `~`
/// written `~0` and `/` written `~1`; the empty string is the whole document. Array elements are
/// addressed by their decimal index.
public struct JSONPointer: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The unescaped reference tokens, from the root down.
    public private(set) var tokens: [String]

    /// The whole document (the empty pointer, `""`).
    public static let root = JSONPointer(tokens: [])

    /// A pointer made of these unescaped tokens.
    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// Parses the text form; `nil` unless it is empty or starts with `/` and every `~` is followed
    /// by `0` or `1`.
    public init?(parsing text: String) {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { return nil }
        var parsed: [String] = []
        for raw in text.unicodeScalars.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = String.UnicodeScalarView()
            var iterator = raw.makeIterator()
            while let scalar = iterator.next() {
                guard scalar == "~" else {
                    token.append(scalar)
                    continue
                }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: return nil
                }
            }
            parsed.append(String(token))
        }
        tokens = parsed
    }

    /// Parses a pointer literal; an invalid literal is a programming error.
    public init(stringLiteral value: String) {
        guard let pointer = JSONPointer(parsing: value) else { preconditionFailure("invalid JSON pointer literal '\(value)'") }
        self = pointer
    }

    /// The pointer for the coding path of a `Decoder` or `DecodingError` (integer keys become indices).
    public init(codingPath: [any CodingKey]) {
        tokens = codingPath.map { key in key.intValue.map(String.init) ?? key.stringValue }
    }

    /// The text form, e.g. `/a~1b/0`; the empty string for the root.
    public var description: String {
        tokens.map { "/" + JSONPointer.escape($0) }.joined()
    }

    /// Whether this is the whole document.
    public var isRoot: Bool { tokens.isEmpty }

    /// The last token, or `nil` for the root.
    public var lastToken: String? { tokens.last }

    /// The pointer one level up, or `nil` for the root.
    public var parent: JSONPointer? {
        tokens.isEmpty ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    /// This pointer with one more token (an object member name, or an array index as text).
    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    /// This pointer with an array index appended.
    public func appending(index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// This pointer followed by all tokens of `other`.
    public func appending(_ other: JSONPointer) -> JSONPointer {
        JSONPointer(tokens: tokens + other.tokens)
    }

    /// Whether `self` is `other` or lies inside it (every token of `other` starts `self`).
    public func hasPrefix(_ other: JSONPointer) -> Bool {
        tokens.count >= other.tokens.count && tokens.starts(with: other.tokens)
    }

    /// The value this pointer refers to in `document`, or `nil` if there is none (a missing member,
    /// an index out of range or not written canonically, or a step into a scalar).
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// `token` as an array index if it is written the RFC 6901 way (`0`, or digits without a
    /// leading zero), else `nil`.
    public static func arrayIndex(_ token: String) -> Int? {
        guard let first = token.utf8.first, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if first == UInt8(ascii: "0") && token.utf8.count > 1 { return nil }
        return Int(token)
    }

    /// `token` with `~` written `~0` and `/` written `~1`.
    public static func escape(_ token: String) -> String {
        guard token.unicodeScalars.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
        return token.replacingTildeAndSlash()
    }

    /// Orders pointers token by token (array indices numerically), so issues sort in document order
    /// for documents whose members are written in the order they are compared.
    public static func < (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        for (a, b) in zip(lhs.tokens, rhs.tokens) where a != b {
            if let x = arrayIndex(a), let y = arrayIndex(b) { return x < y }
            return a < b
        }
        return lhs.tokens.count < rhs.tokens.count
    }
}

extension String {
    fileprivate func replacingTildeAndSlash() -> String {
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            switch scalar {
            case "~": result.append(contentsOf: "~0".unicodeScalars)
            case "/": result.append(contentsOf: "~1".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }
}
