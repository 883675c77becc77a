/// The one JSON scanner of MIFAKit: a strict pull reader over UTF-8 JSON (RFC 8259,
/// https://www.rfc-editor.org/rfc/rfc8259).
///
/// ``JSONParser`` builds ``JSONValue`` trees with it, and the large annotation formats (COCO and
/// GeoJSON files with hundreds of thousands of objects) decode straight into typed values with it,
/// without building a tree first; so both follow one set of rules:
/// - exactly one value, optionally surrounded by whitespace (a leading UTF-8 byte order mark is
///   skipped); no comments, trailing commas, single quotes, `NaN` or leading `+`;
/// - every string valid UTF-8 with valid escapes (a `\u` surrogate must be paired), no raw control
///   characters in strings; no key twice in one object;
/// - numbers follow the JSON grammar (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`);
/// - arrays and objects nested at most `maximumDepth` (512) deep, so hostile input cannot exhaust
///   the stack;
/// - every problem is a ``CoreError`` `.invalidJSON` with the file, the line and column (columns
///   count characters; `\n`, `\r\n` and `\r` end lines) and the JSON pointer of the value being read.
///
/// Use it inside ``read(_:file:maximumDepth:_:)``, which keeps the buffer alive:
///
/// ```swift
/// let total = try JSONReader.read(Array("[1, 2.5]".utf8), file: nil) { reader in
///     var values: [Double] = []
///     try reader.readDoubleArray(into: &values)
///     return values.reduce(0, +)
/// }
/// ```
public struct JSONReader {
    /// The JSON kinds, as the next byte announces them.
    public enum Kind: Sendable, Equatable {
        /// `{`.
        case object
        /// `[`.
        case array
        /// `"`.
        case string
        /// `-` or a digit.
        case number
        /// `t` or `f`.
        case bool
        /// `n`.
        case null
    }

    /// The deepest nesting accepted by default.
    public static let defaultMaximumDepth = 512

    /// The document. Safety: valid only inside ``read(_:file:maximumDepth:_:)``, which holds the
    /// array it points into; every access is bounds-checked against `bytes.count` first.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The file name errors carry.
    public let file: String?
    /// The deepest nesting accepted.
    public let maximumDepth: Int
    /// The byte offset of the next byte to read.
    public var position = 0
    var depth = 0
    /// The path to the value being read (member names and array indices), for error pointers.
    public var path: [String] = []
    /// Member names seen so far: files repeat a few names many times, so each is decoded once.
    var keyCache: [(bytes: [UInt8], name: String)] = []
    /// Where line counting starts (after a byte order mark).
    let textStart: Int
    /// The last position converted to a line and column, to convert increasing offsets in one pass.
    var lineCursor: (offset: Int, line: Int, column: Int)

    init(bytes: UnsafeBufferPointer<UInt8>, file: String?, maximumDepth: Int) {
        self.bytes = bytes
        self.file = file
        self.maximumDepth = maximumDepth
        let start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        textStart = start
        position = start
        lineCursor = (start, 1, 1)
    }

    /// Runs `body` with a reader over `bytes` and checks that nothing but whitespace follows.
    /// - Throws: ``CoreError`` `.invalidJSON` from the reader; `body`'s own errors.
    public static func read<T>(
        _ bytes: [UInt8], file: String?, maximumDepth: Int = defaultMaximumDepth, _ body: (inout JSONReader) throws -> T
    ) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer, file: file, maximumDepth: maximumDepth)
            reader.skipWhitespace()
            guard reader.position < buffer.count else {
                throw reader.error("the input is empty; expected a JSON value such as an object {...}")
            }
            let result = try body(&reader)
            reader.skipWhitespace()
            guard reader.position == buffer.count else {
                throw reader.error("unexpected \(reader.describeNext()) after the end of the JSON value; a document holds exactly one value")
            }
            return result
        }
    }

    // MARK: Structure

    /// Moves past spaces, tabs and line breaks.
    @inline(__always) public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The kind of the next value (after whitespace).
    /// - Throws: ``CoreError`` `.invalidJSON` at the end of input or before a byte that starts no value.
    public mutating func peekKind() throws -> Kind {
        skipWhitespace()
        guard position < bytes.count else { throw error("the input ends where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default:
            var hint = ""
            switch bytes[position] {
            case UInt8(ascii: "'"): hint = "; strings take double quotes"
            case UInt8(ascii: "]"), UInt8(ascii: "}"): hint = "; remove the trailing comma before it"
            case UInt8(ascii: "+"), UInt8(ascii: "."): hint = "; numbers start with a digit or '-'"
            case UInt8(ascii: "/"), UInt8(ascii: "#"): hint = "; JSON has no comments"
            default: break
            }
            throw error("unexpected \(describeNext()); expected a value (object, array, string, number, true, false or null)\(hint)")
        }
    }

    /// Reads an object, calling `body` for each member with the reader positioned at the member's
    /// value; `body` must read or skip exactly that value.
    /// - Throws: ``CoreError`` `.invalidJSON` for a non-object, a syntax error or a repeated key;
    ///   `body`'s own errors.
    public mutating func readObject(_ body: (inout JSONReader, JSONKey) throws -> Void) throws {
        guard let start = try open(UInt8(ascii: "{"), UInt8(ascii: "}"), expected: "an object") else { return }
        var seen = JSONKeySet()
        while true {
            skipWhitespace()
            guard position < bytes.count else {
                throw error("the input ends inside the object that starts at \(sourcePosition(at: start)); expected a member name")
            }
            guard bytes[position] == UInt8(ascii: "\"") else {
                let hint = bytes[position] == UInt8(ascii: "}") ? "; remove the trailing comma" : "; member names are strings in double quotes"
                throw error("unexpected \(describeNext()) in an object; expected a member name\(hint)")
            }
            let keyStart = position
            let key = try readKey()
            if let first = seen.insert(key.name, at: keyStart) {
                position = keyStart
                throw error("the key \"\(JSONValue.shorten(key.name))\" appears twice in one object (first at \(sourcePosition(at: first))); keep one")
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeNext()) after the member name \"\(JSONValue.shorten(key.name))\"; expected ':'")
            }
            position += 1
            path.append(key.name)
            try body(&self, key)
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else {
                throw error("the input ends inside the object that starts at \(sourcePosition(at: start)); expected ',' or '}'")
            }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                depth -= 1
                return
            }
            throw error("unexpected \(describeNext()) in an object; expected ',' or '}'")
        }
    }

    /// Reads an array, calling `body` for each element (with its index) with the reader positioned
    /// at the element; `body` must read or skip exactly that element.
    /// - Throws: ``CoreError`` `.invalidJSON` for a non-array or a syntax error; `body`'s own errors.
    public mutating func readArray(_ body: (inout JSONReader, Int) throws -> Void) throws {
        guard let start = try open(UInt8(ascii: "["), UInt8(ascii: "]"), expected: "a list") else { return }
        var index = 0
        while true {
            path.append(String(index))
            try body(&self, index)
            path.removeLast()
            index += 1
            guard try nextElement(arrayStart: start) else { return }
        }
    }

    /// After an array element: consumes a `,` and says that another element follows, or consumes
    /// the closing `]`, leaves the level and says that none does.
    @inline(__always) private mutating func nextElement(arrayStart: Int) throws -> Bool {
        skipWhitespace()
        guard position < bytes.count else {
            throw error("the input ends inside the array that starts at \(sourcePosition(at: arrayStart)); expected ',' or ']'")
        }
        if bytes[position] == UInt8(ascii: ",") {
            position += 1
            return true
        }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return false
        }
        throw error("unexpected \(describeNext()) in an array; expected ',' or ']'")
    }

    /// Reads a list of numbers, the hot path of COCO polygons and GeoJSON positions.
    /// - Throws: ``CoreError`` `.invalidJSON` for a non-list, a non-number element or a syntax error.
    public mutating func readDoubleArray(into values: inout [Double]) throws {
        guard let start = try open(UInt8(ascii: "["), UInt8(ascii: "]"), expected: "a list of numbers") else { return }
        var index = 0
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || (bytes[position] >= 48 && bytes[position] <= 57) else {
                path.append(String(index))
                defer { path.removeLast() }
                throw typeError("a number")
            }
            values.append(try readDouble())
            index += 1
            guard try nextElement(arrayStart: start) else { return }
        }
    }

    /// Reads `true` or `false`.
    /// - Throws: ``CoreError`` `.invalidJSON` for anything else.
    public mutating func readBool() throws -> Bool {
        skipWhitespace()
        if matches("true") { return true }
        if matches("false") { return false }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "t") || bytes[position] == UInt8(ascii: "f") else {
            throw typeError("true or false")
        }
        throw error("unexpected \(describeNext()); expected '\(bytes[position] == UInt8(ascii: "t") ? "true" : "false")'")
    }

    /// Consumes `null` if it comes next and says whether it did.
    public mutating func readNull() -> Bool {
        skipWhitespace()
        return matches("null")
    }

    @inline(__always) mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        let start = word.utf8Start
        for offset in 0..<count where bytes[position + offset] != start[offset] { return false }
        position += count
        return true
    }

    /// Consumes the opening `bracket` of an object or array (after whitespace) and goes one level
    /// deeper; when the container is empty, also its closing `close`, coming back up.
    /// - Returns: where the container starts, or `nil` when it was empty (and is read).
    /// - Throws: ``CoreError`` `.invalidJSON` naming `expected` when no `bracket` comes next, or
    ///   at the container's start when it is nested deeper than ``maximumDepth``.
    @inline(__always) mutating func open(_ bracket: UInt8, _ close: UInt8, expected: String) throws -> Int? {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == bracket else { throw typeError(expected) }
        depth += 1
        if depth > maximumDepth { throw error("arrays and objects are nested more than \(maximumDepth) levels deep") }
        let start = position
        position += 1
        skipWhitespace()
        guard position < bytes.count, bytes[position] == close else { return start }
        position += 1
        depth -= 1
        return nil
    }
}

/// An object member's name, as read.
public struct JSONKey: Sendable {
    /// The decoded name.
    public let name: String

    /// A key with this name.
    public init(name: String) {
        self.name = name
    }

    /// Whether the name is `text`.
    @inline(__always) public func `is`(_ text: String) -> Bool { name == text }
}

/// The names of one object's members seen so far, with where each was, to refuse a name given
/// twice: a short list for the usual handful of members, a dictionary beyond.
struct JSONKeySet {
    private var few: [(name: String, offset: Int)] = []
    private var many: [String: Int]?

    /// Adds `name` (at byte `offset`); returns the offset of its first occurrence if it was there.
    mutating func insert(_ name: String, at offset: Int) -> Int? {
        if many != nil {
            if let first = many?[name] { return first }
            many?[name] = offset
            return nil
        }
        for entry in few where entry.name == name { return entry.offset }
        few.append((name, offset))
        if few.count > 16 {
            many = Dictionary(few.map { ($0.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
            few = []
        }
        return nil
    }
}
