extension JSONReader {
    // MARK: Numbers

    /// The range of the number literal at `position` (after whitespace), checked against the JSON
    /// grammar, and its value when the fast path applies.
    mutating func scanNumber() throws -> (range: Range<Int>, fast: Double?) {
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
    /// - Throws: ``CoreError`` `.invalidJSON` for a non-number or a number too large for a `Double`.
    public mutating func readDouble() throws -> Double {
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
    /// - Throws: ``CoreError`` `.invalidJSON` for a non-number, a fraction or a value outside `Int64`.
    public mutating func readInt64() throws -> Int64 {
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
    /// - Throws: ``CoreError`` `.invalidJSON` for a non-number.
    public mutating func readNumber() throws -> JSONNumber {
        let (range, _) = try scanNumber()
        // scanNumber checked the grammar.
        return JSONNumber(uncheckedLiteral: String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
    }
}
