extension JSONReader {
    /// Reads any value as a ``JSONValue`` (numbers keep their literal; object members keep their order).
    /// - Throws: ``CoreError`` `.invalidJSON` for a syntax error.
    public mutating func readValue() throws -> JSONValue {
        var positions: JSONSourceMap?
        return try readValue(recordingInto: &positions)
    }

    /// Reads any value, recording where each value starts in `positions` (when it is not `nil`).
    /// - Throws: ``CoreError`` `.invalidJSON` for a syntax error.
    mutating func readValue(recordingInto positions: inout JSONSourceMap?) throws -> JSONValue {
        let kind = try peekKind()
        if positions != nil {
            let place = sourcePosition(at: position)
            positions?.record(JSONPointer(tokens: path), place)
        }
        switch kind {
        case .object:
            var object = JSONObject()
            try readObject { reader, key in object[key.name] = try reader.readValue(recordingInto: &positions) }
            return .object(object)
        case .array:
            var elements: [JSONValue] = []
            try readArray { reader, _ in elements.append(try reader.readValue(recordingInto: &positions)) }
            return .array(elements)
        case .string: return .string(try scanString())
        case .number: return .number(try readNumber())
        case .bool: return .bool(try readBool())
        case .null:
            guard readNull() else { throw error("unexpected \(describeNext()); expected 'null'") }
            return .null
        }
    }

    /// Skips one value, checking it by the same rules as ``readValue()``.
    /// - Throws: ``CoreError`` `.invalidJSON` for a syntax error.
    public mutating func skipValue() throws {
        switch try peekKind() {
        case .object: try readObject { reader, _ in try reader.skipValue() }
        case .array: try readArray { reader, _ in try reader.skipValue() }
        case .string: _ = try scanString()
        case .number: _ = try scanNumber()
        case .bool: _ = try readBool()
        case .null:
            guard readNull() else { throw error("unexpected \(describeNext()); expected 'null'") }
        }
    }

    /// The string value of the object's first member if that member is named `name`, without
    /// consuming anything; `nil` otherwise (including when the text there is not valid JSON, which
    /// reading it then reports).
    public func firstMemberString(named name: String) -> String? {
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

    // MARK: Errors

    /// The JSON pointer of the value being read.
    public var pointer: String { JSONPointer(tokens: path).description }

    /// The place of the reader: file, line and column of ``position``, and ``pointer``.
    public var context: ErrorContext {
        var copy = self
        let place = copy.sourcePosition(at: position)
        return ErrorContext(file: file, line: place.line, column: place.column, pointer: pointer)
    }

    /// An `.invalidJSON` error at the current position, with line, column and pointer.
    func error(_ message: String) -> CoreError {
        CoreError(.invalidJSON, message, context: context)
    }

    /// An error for a value of the wrong kind: `expected X, found Y`, at that value.
    public func typeError(_ expected: String) -> CoreError {
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

    /// A description of the next byte: `character 'x'`, `character 'é' (U+E9)`, `byte 0xFF` or
    /// `end of input`.
    func describeNext() -> String {
        guard position < bytes.count else { return "end of input" }
        let byte = bytes[position]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        if let length = utf8SequenceLength(at: position), length > 1,
            let text = String(validating: UnsafeBufferPointer(rebasing: bytes[position..<position + length]), as: UTF8.self),
            let scalar = text.unicodeScalars.first
        {
            return "character '\(text)' (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
        return String(hexByte: byte)
    }

    /// The line and column of byte `offset`. Columns count characters (Unicode scalars); `\n`,
    /// `\r\n` and a lone `\r` end a line. Increasing offsets are converted in one pass overall.
    mutating func sourcePosition(at offset: Int) -> SourcePosition {
        let end = min(offset, bytes.count)
        if end < lineCursor.offset { lineCursor = (textStart, 1, 1) }
        var (cursor, line, column) = lineCursor
        while cursor < end {
            let byte = bytes[cursor]
            if byte == 0x0A || (byte == 0x0D && (cursor + 1 >= bytes.count || bytes[cursor + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                column += 1
            }
            cursor += 1
        }
        lineCursor = (cursor, line, column)
        return SourcePosition(line: line, column: column)
    }
}
