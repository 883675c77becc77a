import MIFACore

/// Writes JSON text into a byte buffer, fast enough for COCO and GeoJSON files with hundreds of
/// thousands of objects. Numbers that are whole and small are written as integers; others in the
/// shortest form that reads back to the same `Double`. Keys are written in the order given, so the
/// output is deterministic. (`CanonicalJSON` remains the writer for MIFAKit's own documents.)
struct JSONWriter {
    /// The text so far.
    private(set) var bytes: [UInt8] = []
    /// How many items have been written at each open level (the document is level 0).
    private var written: [Int] = [0]
    /// Whether a member name was just written, so the next value follows it without a comma.
    private var afterKey = false

    init(capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
    }

    /// Writes the comma (if any) before a value or a member name.
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if written[written.count - 1] > 0 { bytes.append(UInt8(ascii: ",")) }
        written[written.count - 1] += 1
    }

    /// Opens an object.
    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        written.append(0)
    }

    /// Closes an object.
    mutating func endObject() {
        written.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens a list.
    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        written.append(0)
    }

    /// Closes a list.
    mutating func endArray() {
        written.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member name; the member's value follows.
    mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a line break (between items, for readable files).
    mutating func newline() { bytes.append(0x0A) }

    /// Writes a string.
    mutating func string(_ value: String) {
        separate()
        appendString(value)
    }

    /// Writes an integer.
    mutating func int(_ value: Int64) {
        separate()
        appendInteger(value)
    }

    /// Writes a number; non-finite values (which JSON cannot hold) are written as `null`.
    mutating func double(_ value: Double) {
        separate()
        appendDouble(value)
    }

    /// Writes `true` or `false`.
    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    /// Writes `null`.
    mutating func null() {
        separate()
        bytes.append(contentsOf: Array("null".utf8))
    }

    /// Writes a list of numbers.
    mutating func doubles(_ values: [Double]) {
        separate()
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendDouble(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes any JSON value; numbers keep their literal text.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .string(let text): string(text)
        case .number(let number):
            separate()
            bytes.append(contentsOf: Array(number.literal.utf8))
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    // MARK: Text

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendInteger(_ value: Int64) {
        if value == 0 {
            bytes.append(48)
            return
        }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        while magnitude > 0 {
            digits.append(UInt8(48 + magnitude % 10))
            magnitude /= 10
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(contentsOf: digits.reversed())
    }

    private mutating func appendDouble(_ value: Double) {
        guard value.isFinite else {
            bytes.append(contentsOf: Array("null".utf8))
            return
        }
        if value == value.rounded(), abs(value) < 9e15 {
            appendInteger(Int64(value))
            return
        }
        // Swift's description is the shortest text that reads back exactly ("0.1", "1e-07", "5e+20").
        bytes.append(contentsOf: Array(value.description.utf8))
    }
}
