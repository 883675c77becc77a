import MIFACore

extension JSONReader {
    /// Reads any value as a ``JSONValue`` (numbers keep their literal; object members keep their order).
    /// - Throws: ``AnnotationError`` `.malformed` for a syntax error.
    mutating func readValue() throws -> JSONValue {
        switch try peekKind() {
        case .object:
            var object = JSONObject()
            try readObject { reader, key in object[key.name] = try reader.readValue() }
            return .object(object)
        case .array:
            var elements: [JSONValue] = []
            try readArray { reader, _ in elements.append(try reader.readValue()) }
            return .array(elements)
        case .string: return .string(try readString())
        case .number: return .number(try readNumber())
        case .bool: return .bool(try readBool())
        case .null:
            guard readNull() else { throw error("unexpected \(describeNext()); expected 'null'") }
            return .null
        }
    }

    /// Skips one value, checking its syntax.
    /// - Throws: ``AnnotationError`` `.malformed` for a syntax error.
    mutating func skipValue() throws {
        switch try peekKind() {
        case .object: try readObject { reader, _ in try reader.skipValue() }
        case .array: try readArray { reader, _ in try reader.skipValue() }
        case .string: _ = try readString()
        case .number: _ = try readDouble()
        case .bool: _ = try readBool()
        case .null:
            guard readNull() else { throw error("unexpected \(describeNext()); expected 'null'") }
        }
    }

    // MARK: Errors

    /// The JSON pointer of the value being read.
    var pointer: String { JSONPointer(tokens: path).description }

    /// An error at the current position, with line, column and pointer.
    func error(_ message: String, kind: AnnotationError.Code = .malformed) -> AnnotationError {
        let (line, column) = lineAndColumn(of: position)
        return AnnotationError(kind, message, context: ErrorContext(file: file, line: line, column: column, pointer: pointer))
    }

    /// An error for a value of the wrong kind: `expected X, found Y`.
    func typeError(_ expected: String) -> AnnotationError {
        var copy = self
        copy.skipWhitespace()
        let found: String
        if copy.position >= bytes.count {
            found = "the end of the input"
        } else {
            switch bytes[copy.position] {
            case UInt8(ascii: "{"): found = "an object"
            case UInt8(ascii: "["): found = "a list"
            case UInt8(ascii: "\""): found = "a string"
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): found = "a number"
            case UInt8(ascii: "t"), UInt8(ascii: "f"): found = "a boolean"
            case UInt8(ascii: "n"): found = "null"
            default: found = copy.describeNext()
            }
        }
        return copy.error("expected \(expected), found \(found)")
    }

    /// A description of the next byte: `character 'x'`, `byte 0xFF` or `end of input`.
    func describeNext() -> String {
        guard position < bytes.count else { return "end of input" }
        let byte = bytes[position]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }

    /// The 1-based line and column (in characters) of a byte offset.
    func lineAndColumn(of offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }
}

extension JSONReader {
    /// The string value of the object's first member if that member is named `name`, without
    /// consuming anything; `nil` otherwise.
    func firstMemberString(named name: String) -> String? {
        var probe = self
        probe.skipWhitespace()
        guard probe.position < bytes.count, bytes[probe.position] == UInt8(ascii: "{") else { return nil }
        probe.position += 1
        probe.skipWhitespace()
        guard probe.position < bytes.count, bytes[probe.position] == UInt8(ascii: "\""),
            let key = try? probe.readKey(), key.name == name
        else { return nil }
        probe.skipWhitespace()
        guard probe.position < bytes.count, bytes[probe.position] == UInt8(ascii: ":") else { return nil }
        probe.position += 1
        guard (try? probe.peekKind()) == .string else { return nil }
        return try? probe.readString()
    }
}
