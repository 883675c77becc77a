extension JSONScanner {
    /// Reads a string starting at the opening quote; the cursor ends after the closing quote.
    mutating func parseString() throws -> String {
        let start = index
        index += 1
        // Fast path: printable ASCII without escapes.
        var cursor = index
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[index..<cursor], as: UTF8.self)
                index = cursor + 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            cursor += 1
        }
        var buffer: [UInt8] = Array(bytes[index..<cursor])
        index = cursor
        while true {
            guard index < bytes.count else {
                throw error("the string that starts at \(position(at: start)) is not closed; add the closing '\"'", at: index)
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case 0..<0x20:
                let name = byte == 0x0A ? " (a line break)" : (byte == 0x09 ? " (a tab)" : "")
                let escape = byte == 0x0A ? "\\n" : (byte == 0x09 ? "\\t" : "\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true))
                throw error("control character U+00\(byte < 0x10 ? "0" : "")\(String(byte, radix: 16, uppercase: true))\(name) inside a string; write it as \(escape)", at: index)
            case 0x80...:
                guard let length = utf8SequenceLength(at: index) else {
                    throw error("invalid UTF-8 (\(String(hexByte: byte))) inside a string; the file must be UTF-8", at: index)
                }
                buffer.append(contentsOf: bytes[index..<index + length])
                index += length
            default:
                buffer.append(byte)
                index += 1
            }
        }
    }

    /// Reads one escape sequence starting at the backslash and appends its UTF-8 to `buffer`.
    mutating func parseEscape(into buffer: inout [UInt8]) throws {
        let start = index
        index += 1
        guard index < bytes.count else { throw error("the input ends inside an escape sequence", at: start) }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let first = try parseHex4(escapeStart: start)
            var scalarValue = UInt32(first)
            if (0xDC00...0xDFFF).contains(first) {
                throw error("lone low surrogate \\u\(hex4(first)); a \\uDC00-\\uDFFF escape must follow a \\uD800-\\uDBFF escape", at: start)
            }
            if (0xD800...0xDBFF).contains(first) {
                let secondStart = index
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("lone high surrogate \\u\(hex4(first)); it must be followed by a \\uDC00-\\uDFFF escape", at: start)
                }
                index += 2
                let second = try parseHex4(escapeStart: secondStart)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw error("high surrogate \\u\(hex4(first)) followed by \\u\(hex4(second)), which is not a low surrogate", at: secondStart)
                }
                scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            }
            // Every value outside the surrogate range is a valid scalar.
            let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
            buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            index -= 1
            throw error("invalid escape \\\(describeEscape(byte)); valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", at: start)
        }
    }

    private func describeEscape(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : String(hexByte: byte)
    }

    private func hex4(_ value: UInt16) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - text.count) + text
    }

    /// Reads the four hex digits after `\u`.
    private mutating func parseHex4(escapeStart: Int) throws -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw error("the input ends inside a \\u escape", at: escapeStart) }
            let byte = bytes[index]
            let digit: UInt16
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(byte - UInt8(ascii: "A") + 10)
            default: throw error("a \\u escape needs four hex digits", at: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence starting at `offset` (Unicode §3.9, table 3-7:
    /// no overlong forms, no surrogates, nothing above U+10FFFF), or `nil` if it is ill-formed.
    func utf8SequenceLength(at offset: Int) -> Int? {
        let first = bytes[offset]
        func continuation(_ i: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            offset + i < bytes.count && range.contains(bytes[offset + i])
        }
        switch first {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : nil
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : nil
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : nil
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : nil
        default: return nil
        }
    }
}
