/// A JSON number, kept as the exact text of the document (RFC 8259 §6).
///
/// The literal is never rounded: `1.10` stays `1.10`, and `12345678901234567890123` stays exact even
/// though it fits neither `Int64` nor `Double`. Accessors convert on demand and return `nil` when the
/// value does not fit the requested type exactly.
///
/// Two numbers are equal when they denote the same decimal value (`100`, `100.0` and `1e2` are
/// equal; `-0` equals `0`), so equality does not depend on how a writer chose to spell the number.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as written, following the JSON grammar `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    public let literal: String

    /// A number from JSON number text; `nil` when the text does not follow the JSON grammar.
    public init?(literal: String) {
        guard JSONNumber.isValidLiteral(Array(literal.utf8)) else { return nil }
        self.literal = literal
    }

    /// A number from text the caller has already checked against the JSON grammar.
    init(uncheckedLiteral literal: String) {
        self.literal = literal
    }

    /// The exact integer.
    public init(_ value: Int) { literal = String(value) }
    /// The exact integer.
    public init(_ value: Int64) { literal = String(value) }
    /// The exact integer.
    public init(_ value: UInt64) { literal = String(value) }

    /// The shortest decimal text that reads back as `value`; `nil` for infinities and NaN, which
    /// JSON cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        var text = value.description  // shortest round-trip representation, e.g. "0.1", "1e-07", "100.0"
        if text.hasSuffix(".0") { text.removeLast(2) }
        literal = text
    }

    /// The literal text.
    public var description: String { literal }

    /// The value as `Int64` if it is an integer in range (`1e2` gives 100; `1.5` gives `nil`).
    public var int64Value: Int64? {
        if let plain = plainInteger { return plain }
        guard let digits = integerDigits else { return nil }
        return Int64(digits)
    }

    /// The value of a literal written as a plain integer (`-?[0-9]+`) that fits `Int64`, the
    /// common case, read without normalising; `nil` for any other literal.
    private var plainInteger: Int64? {
        var negative = false
        var digits = 0
        var value: Int64 = 0
        for byte in literal.utf8 {
            if byte == UInt8(ascii: "-"), digits == 0, !negative {
                negative = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 18 else { return nil }  // 18 digits always fit
            value = value * 10 + Int64(digit)
            digits += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    /// The value as `UInt64` if it is a non-negative integer in range.
    public var uint64Value: UInt64? {
        guard let digits = integerDigits else { return nil }
        if digits == "-0" { return 0 }
        return UInt64(digits)
    }

    /// The value as `Int` if it is an integer in range.
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// The nearest `Double`; `nil` when the magnitude is too large for a `Double`.
    public var doubleValue: Double? {
        guard let value = Double(literal), value.isFinite else { return nil }
        return value
    }

    /// The exact integer as decimal text (with a leading `-` if negative), or `nil` if the value
    /// has a fractional part or more than 40 digits.
    private var integerDigits: String? {
        let decimal = normalized
        guard let exponent = decimal.exponent, exponent >= 0 else { return nil }
        if decimal.digits == "0" { return decimal.negative ? "-0" : "0" }
        guard decimal.digits.count + exponent <= 40 else { return nil }
        return (decimal.negative ? "-" : "") + decimal.digits + String(repeating: "0", count: exponent)
    }

    /// The value as sign, significant digits without leading or trailing zeros, and a power of ten:
    /// value = ±digits × 10^exponent. `exponent` is `nil` if it does not fit an `Int`.
    var normalized: (negative: Bool, digits: String, exponent: Int?) {
        let bytes = Array(literal.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var mantissa: [UInt8] = []
        var fractionCount = 0
        var inFraction = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                break
            } else {
                mantissa.append(byte)
                if inFraction { fractionCount += 1 }
            }
            index += 1
        }
        var exponent: Int? = 0
        if index < bytes.count {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var value = 0
            var overflow = false
            while index < bytes.count {
                let digit = Int(bytes[index] &- UInt8(ascii: "0"))
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(digit)
                overflow = overflow || o1 || o2
                value = plus
                index += 1
            }
            exponent = overflow ? nil : (exponentNegative ? -value : value)
        }
        // Strip leading zeros of the mantissa, then trailing zeros (moving them into the exponent).
        var start = 0
        while start < mantissa.count - 1, mantissa[start] == UInt8(ascii: "0") { start += 1 }
        var end = mantissa.count
        var trailing = 0
        while end - 1 > start, mantissa[end - 1] == UInt8(ascii: "0") {
            end -= 1
            trailing += 1
        }
        let digits = String(decoding: mantissa[start..<end], as: UTF8.self)
        if digits == "0" { return (false, "0", 0) }
        if let value = exponent {
            let (shifted, o1) = value.subtractingReportingOverflow(fractionCount)
            let (total, o2) = shifted.addingReportingOverflow(trailing)
            exponent = (o1 || o2) ? nil : total
        }
        return (negative, digits, exponent)
    }

    /// Equal when both literals denote the same decimal value.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.literal == rhs.literal { return true }
        if let a = lhs.plainInteger, let b = rhs.plainInteger { return a == b }
        let (a, b) = (lhs.normalized, rhs.normalized)
        guard let ea = a.exponent, let eb = b.exponent else { return false }
        return a.negative == b.negative && a.digits == b.digits && ea == eb
    }

    /// Hashes the decimal value, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        // Integers in range hash as their value, however written (`100`, `1e2`, `100.0`).
        if let integer = int64Value {
            hasher.combine(integer)
            return
        }
        let value = normalized
        if let exponent = value.exponent {
            hasher.combine(value.negative)
            hasher.combine(value.digits)
            hasher.combine(exponent)
        } else {
            hasher.combine(literal)
        }
    }

    /// Whether `bytes` follow the JSON number grammar exactly.
    static func isValidLiteral(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digit(index) else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while digit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digit(index) else { return false }
            while digit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digit(index) else { return false }
            while digit(index) { index += 1 }
        }
        return index == bytes.count
    }
}
