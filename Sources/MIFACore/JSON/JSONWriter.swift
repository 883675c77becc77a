/// The one JSON writer of MIFAKit: it streams JSON text (RFC 8259) into a byte buffer, fast enough
/// for COCO and GeoJSON files with hundreds of thousands of objects, and it is what
/// ``CanonicalJSON`` writes MIFAKit's own documents with.
///
/// Compact by default (`{"a":[1,2]}`); with ``Options/prettyPrinted`` it indents by two spaces and
/// writes `"key" : value`, the layout of Foundation's `JSONEncoder`, byte for byte. Keys are written
/// in the order given, or sorted by their UTF-8 bytes with ``value(_:sortingKeys:)``, so the output
/// is deterministic. Strings escape `"`, `\`, and the control characters (`\b \f \n \r \t`, others as
/// `\u00xx`); everything else, including `/` unless asked, is written as is.
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject(); writer.key("a"); writer.doubles([1, 0.5]); writer.endObject()
/// String(decoding: writer.bytes, as: UTF8.self)   // {"a":[1,0.5]}
/// ```
public struct JSONWriter: Sendable {
    /// How the text is laid out.
    public struct Options: Sendable, Hashable {
        /// Indent by two spaces, one item per line, `" : "` after member names.
        public var prettyPrinted: Bool
        /// Write `/` as `\/` (what Foundation's writers do unless told not to).
        public var escapesSlashes: Bool

        /// Options with each choice made; compact and without slash escapes by default.
        public init(prettyPrinted: Bool = false, escapesSlashes: Bool = false) {
            self.prettyPrinted = prettyPrinted
            self.escapesSlashes = escapesSlashes
        }
    }

    /// The text so far.
    public private(set) var bytes: [UInt8] = []
    /// How the text is laid out.
    public let options: Options
    /// How many items have been written at each open level (the document is level 0).
    private var written: [Int] = [0]
    /// Whether a member name was just written, so the next value follows it without a comma.
    private var afterKey = false

    /// An empty writer with room for `capacity` bytes.
    public init(options: Options = Options(), capacity: Int = 1 << 16) {
        self.options = options
        bytes.reserveCapacity(capacity)
    }

    /// Writes the comma (if any) and, when pretty-printing, the line break and indentation before
    /// a value or a member name.
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        let level = written.count - 1
        if written[level] > 0 {
            bytes.append(UInt8(ascii: ","))
            if options.prettyPrinted && level > 0 { bytes.append(0x0A) }
        }
        if options.prettyPrinted { indent(level) }
        written[level] += 1
    }

    private mutating func indent(_ level: Int) {
        for _ in 0..<level { bytes.append(contentsOf: [0x20, 0x20]) }
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        if options.prettyPrinted { bytes.append(0x0A) }
        written.append(0)
    }

    private mutating func close(_ bracket: UInt8) {
        written.removeLast()
        if options.prettyPrinted {
            bytes.append(0x0A)
            indent(written.count - 1)
        }
        bytes.append(bracket)
    }

    /// Opens an object.
    public mutating func beginObject() { open(UInt8(ascii: "{")) }

    /// Closes an object.
    public mutating func endObject() { close(UInt8(ascii: "}")) }

    /// Opens a list.
    public mutating func beginArray() { open(UInt8(ascii: "[")) }

    /// Closes a list.
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes a member name; the member's value follows.
    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        if options.prettyPrinted {
            bytes.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
        } else {
            bytes.append(UInt8(ascii: ":"))
        }
        afterKey = true
    }

    /// Writes a line break (between items of a compact document, for readable files; after a
    /// document, as the final newline).
    public mutating func newline() { bytes.append(0x0A) }

    /// Writes a string.
    public mutating func string(_ value: String) {
        separate()
        appendString(value)
    }

    /// Writes an integer.
    public mutating func int(_ value: Int64) {
        separate()
        appendInteger(value)
    }

    /// Writes a number: whole numbers below 9e15 as integers (`3`, not `3.0`), others in the
    /// shortest form that reads back to the same `Double`; non-finite values (which JSON cannot
    /// hold) as `null`.
    public mutating func double(_ value: Double) {
        separate()
        appendDouble(value)
    }

    /// Writes a number with its literal text.
    public mutating func number(_ value: JSONNumber) {
        separate()
        bytes.append(contentsOf: value.literal.utf8)
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    /// Writes `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: Array("null".utf8))
    }

    /// Writes a list of numbers (each as ``double(_:)`` writes it).
    public mutating func doubles(_ values: [Double]) {
        if options.prettyPrinted {
            beginArray()
            for value in values { double(value) }
            endArray()
            return
        }
        separate()
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendDouble(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes any JSON value; numbers keep their literal text. Object members are written in their
    /// order, or sorted by the UTF-8 bytes of their names when `sortingKeys` is set.
    public mutating func value(_ value: JSONValue, sortingKeys: Bool = false) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .string(let text): string(text)
        case .number(let number): self.number(number)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element, sortingKeys: sortingKeys) }
            endArray()
        case .object(let object):
            beginObject()
            let members = sortingKeys ? object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : object.members
            for member in members {
                key(member.key)
                self.value(member.value, sortingKeys: sortingKeys)
            }
            endObject()
        }
    }

    /// Writes the members of `object` in their order, leaving out those named in `skipping` (the
    /// members the caller writes itself).
    public mutating func members(of object: JSONObject, skipping: [String] = []) {
        for member in object.members where !skipping.contains(member.key) {
            key(member.key)
            value(member.value)
        }
    }

    /// The text of `value` in one call (see ``value(_:sortingKeys:)``).
    public static func bytes(of value: JSONValue, options: Options = Options(), sortingKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter(options: options, capacity: 1 << 10)
        writer.value(value, sortingKeys: sortingKeys)
        return writer.bytes
    }

    // MARK: Text

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case UInt8(ascii: "/") where options.escapesSlashes: bytes.append(contentsOf: [0x5C, 0x2F])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
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
