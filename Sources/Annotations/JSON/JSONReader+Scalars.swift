import MIFACore

extension JSONReader {
    /// Reads a string.
    /// - Throws: ``AnnotationError`` `.malformed` for a non-string, a bad escape, a raw control
    ///   character or invalid UTF-8.
    mutating func readString() throws -> String {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw typeError("a string") }
        return try scanString()
    }

    /// Reads a member name (the reader is at its opening quote); names without escapes are looked
    /// up in ``keyCache`` instead of being decoded again.
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

    /// Scans the string at `position` (an opening quote).
    private mutating func scanString() throws -> String {
        let start = position + 1
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return try utf8String(start..<index)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                position = index
                throw error("a raw control character (\(String(byte, radix: 16))) inside a string; write it as an escape such as \\n")
            }
            index += 1
        }
        // Slow path: escapes.
        var decoded: [UInt8] = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return try utf8String(decoded, at: start)
            }
            if byte < 0x20 {
                position = index
                throw error("a raw control character (\(String(byte, radix: 16))) inside a string; write it as an escape such as \\n")
            }
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { break }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        position = index
                        throw error("a \\u escape of a high surrogate must be followed by a \\u escape of a low surrogate")
                    }
                    let low = try hex4(at: index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        position = index
                        throw error("a high surrogate \\u escape is followed by \\u\(String(low, radix: 16)), which is not a low surrogate")
                    }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    position = index - 6
                    throw error("a \\u escape of a lone low surrogate; surrogates come in pairs")
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    position = index
                    throw error("\\u escape of an invalid scalar")
                }
                decoded.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                position = index - 2
                throw error("unknown escape '\\\(Character(Unicode.Scalar(escape)))' in a string; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
            }
        }
        position = bytes.count
        throw error("the input ends inside a string; a closing '\"' is missing")
    }

    private mutating func hex4(at index: Int) throws -> UInt32 {
        guard index + 4 <= bytes.count else {
            position = index
            throw error("a \\u escape needs four hexadecimal digits")
        }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default:
                position = index + offset
                throw error("a \\u escape needs four hexadecimal digits")
            }
            value = value << 4 | digit
        }
        return value
    }

    private mutating func utf8String(_ range: Range<Int>) throws -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        if let text = String(validating: slice, as: UTF8.self) { return text }
        position = range.lowerBound
        throw error("a string is not valid UTF-8; save the file as UTF-8")
    }

    private mutating func utf8String(_ decoded: [UInt8], at start: Int) throws -> String {
        if let text = String(validating: decoded, as: UTF8.self) { return text }
        position = start
        throw error("a string is not valid UTF-8; save the file as UTF-8")
    }

    // MARK: Numbers

    /// The range of the number literal at `position` (after whitespace), checked against the JSON
    /// grammar, and its value when the fast path applies.
    private mutating func scanNumber() throws -> (range: Range<Int>, fast: Double?) {
        skipWhitespace()
        let start = position
        var index = position
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        @inline(__always) func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 48 && bytes[i] <= 57 }
        guard isDigit(index) else {
            position = index
            throw index == start ? typeError("a number") : error("a '-' must be followed by a digit")
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) {
                position = start
                throw error("numbers do not have leading zeros")
            }
        } else {
            while isDigit(index) {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[index] - 48) }
                digits += mantissa == 0 ? 0 : 1
                index += 1
            }
        }
        var exact = digits <= 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else {
                position = index
                throw error("a decimal point must be followed by a digit")
            }
            while isDigit(index) {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] - 48)
                    fractionDigits += 1
                    if mantissa != 0 { digits += 1 }
                } else if bytes[index] != 48 {
                    exact = false
                }
                index += 1
            }
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard isDigit(index) else {
                position = index
                throw error("an exponent must have digits")
            }
            while isDigit(index) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] - 48) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        position = index
        let power = exponent - fractionDigits
        // Clinger's fast path: an exact mantissa below 2^53 and a power of ten that is exact.
        guard exact, mantissa <= 1 << 53, power >= -22, power <= 22 else { return (start..<index, nil) }
        var value = Double(mantissa)
        if power < 0 { value /= JSONReader.powersOfTen[-power] } else if power > 0 { value *= JSONReader.powersOfTen[power] }
        return (start..<index, negative ? -value : value)
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Reads a number as the nearest `Double` (correctly rounded).
    /// - Throws: ``AnnotationError`` `.malformed` for a non-number or a number too large for a `Double`.
    mutating func readDouble() throws -> Double {
        let (range, fast) = try scanNumber()
        if let fast { return fast }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            position = range.lowerBound
            throw error("the number \(text) is too large")
        }
        return value
    }

    /// Reads an integer number (`12`, also `12.0` or `1.2e1`).
    /// - Throws: ``AnnotationError`` `.malformed` for a non-number, a fraction or a value outside `Int64`.
    mutating func readInt64() throws -> Int64 {
        let (range, _) = try scanNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        if let value = Int64(text) { return value }
        guard let number = JSONNumber(literal: text), let value = number.int64Value else {
            position = range.lowerBound
            throw error("expected a whole number, found \(text)")
        }
        return value
    }

    /// Reads a number keeping its literal text.
    /// - Throws: ``AnnotationError`` `.malformed` for a non-number.
    mutating func readNumber() throws -> JSONNumber {
        let (range, _) = try scanNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        guard let number = JSONNumber(literal: text) else {
            position = range.lowerBound
            throw error("\(text) is not a JSON number")
        }
        return number
    }
}
