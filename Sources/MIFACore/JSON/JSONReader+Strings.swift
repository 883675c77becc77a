extension JSONReader {
    /// Reads a string.
    /// - Throws: ``CoreError`` `.invalidJSON` for a non-string, a bad escape, a raw control
    ///   character, invalid UTF-8 or a string that is not closed.
    public mutating func readString() throws -> String {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw typeError("a string") }
        return try scanString()
    }

    /// Reads a member name (the reader is at its opening quote); names without escapes are looked
    /// up in `keyCache` instead of being decoded again.
    mutating func readKey() throws -> JSONKey {
        let start = position + 1
        var end = start
        while end < bytes.count, end - start <= 48, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return JSONKey(name: try scanString()) }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        for entry in keyCache where entry.bytes.count == raw.count && entry.bytes.elementsEqual(raw) {
            position = end + 1
            return JSONKey(name: entry.name)
        }
        let name = try scanString()
        if keyCache.count < 64 { keyCache.append((Array(raw), name)) }
        return JSONKey(name: name)
    }

    /// Scans the string at `position` (an opening quote); the reader ends after the closing quote.
    mutating func scanString() throws -> String {
        let quote = position
        let start = position + 1
        var index = start
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) {
                    position = index + 1
                    return text
                }
                break  // invalid UTF-8: the slow path finds the byte
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        // Slow path: escapes, checking each byte.
        index = start
        var decoded: [UInt8] = []
        while true {
            guard index < bytes.count else {
                position = index
                throw error("the string that starts at \(sourcePosition(at: quote)) is not closed; add the closing '\"'")
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                position = index + 1
                return String(decoding: decoded, as: UTF8.self)  // every sequence was checked below
            case UInt8(ascii: "\\"):
                index = try scanEscape(at: index, into: &decoded)
            case 0..<0x20:
                position = index
                let hex = (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                let name = byte == 0x0A ? " (a line break)" : (byte == 0x09 ? " (a tab)" : "")
                let escape = byte == 0x0A ? "\\n" : (byte == 0x09 ? "\\t" : "\\u00" + hex)
                throw error("control character U+00\(hex)\(name) inside a string; write it as \(escape)")
            case 0x80...:
                guard let length = utf8SequenceLength(at: index) else {
                    position = index
                    throw error("invalid UTF-8 (\(String(hexByte: byte))) inside a string; the file must be UTF-8")
                }
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<index + length]))
                index += length
            default:
                decoded.append(byte)
                index += 1
            }
        }
    }

    /// Decodes the escape at `start` (a backslash) into `decoded`; returns the offset after it.
    private mutating func scanEscape(at start: Int, into decoded: inout [UInt8]) throws -> Int {
        guard start + 1 < bytes.count else {
            position = start
            throw error("the input ends inside an escape sequence")
        }
        let escape = bytes[start + 1]
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            let first = try hex4(escapeAt: start)
            var scalar = first
            var end = start + 6
            if (0xDC00...0xDFFF).contains(first) {
                position = start
                throw error("lone low surrogate \\u\(hex4Text(first)); a \\uDC00-\\uDFFF escape must follow a \\uD800-\\uDBFF escape")
            }
            if (0xD800...0xDBFF).contains(first) {
                guard end + 1 < bytes.count, bytes[end] == UInt8(ascii: "\\"), bytes[end + 1] == UInt8(ascii: "u") else {
                    position = start
                    throw error("lone high surrogate \\u\(hex4Text(first)); it must be followed by a \\uDC00-\\uDFFF escape")
                }
                let second = try hex4(escapeAt: end)
                guard (0xDC00...0xDFFF).contains(second) else {
                    position = end
                    throw error("high surrogate \\u\(hex4Text(first)) followed by \\u\(hex4Text(second)), which is not a low surrogate")
                }
                scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                end += 6
            }
            // Every value outside the surrogate range is a valid scalar.
            let character = Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")
            decoded.append(contentsOf: String(character).utf8)
            return end
        default:
            position = start
            let shown = escape >= 0x21 && escape < 0x7F ? String(Character(Unicode.Scalar(escape))) : String(hexByte: escape)
            throw error("invalid escape \\\(shown); valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
        return start + 2
    }

    /// The four hex digits of the `\u` escape at `start`.
    private mutating func hex4(escapeAt start: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for offset in 2..<6 {
            guard start + offset < bytes.count else {
                position = start
                throw error("the input ends inside a \\u escape")
            }
            let byte = bytes[start + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default:
                position = start
                throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
        }
        return value
    }

    private func hex4Text(_ value: UInt32) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
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

extension String {
    /// `byte 0x0A`.
    init(hexByte byte: UInt8) {
        let hex = String(byte, radix: 16, uppercase: true)
        self = "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
