/// A strict JSON reader (RFC 8259, https://www.rfc-editor.org/rfc/rfc8259) producing ``JSONValue``.
///
/// Strict means: exactly one value, optionally surrounded by whitespace (a leading UTF-8 byte order
/// mark is skipped); no comments, trailing commas, single quotes, `NaN` or leading `+`; every string
/// valid UTF-8 with valid escapes (a `\u` surrogate must be paired); no raw control characters in
/// strings; no key twice in one object; nesting no deeper than ``Options/maximumDepth``. Numbers keep
/// their literal text.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"a": [1, 2.50]}"#.utf8))
/// value["a"]?[1]?.numberValue?.literal   // "2.50"
/// ```
public enum JSONParser {
    /// What the parser accepts and records.
    public struct Options: Sendable, Hashable {
        /// The deepest nesting of arrays and objects accepted; deeper input is an error, so hostile
        /// input cannot exhaust the stack.
        public var maximumDepth: Int
        /// Whether to record the line and column of every value (see ``JSONSourceMap``).
        public var recordsPositions: Bool

        /// Options with the given limits; by default 512 levels and no position map.
        public init(maximumDepth: Int = 512, recordsPositions: Bool = false) {
            self.maximumDepth = maximumDepth
            self.recordsPositions = recordsPositions
        }
    }

    /// Parses one JSON document.
    ///
    /// - Parameters:
    ///   - bytes: the document, UTF-8.
    ///   - file: the file name to put in errors, if any.
    ///   - options: limits.
    /// - Throws: ``CoreError`` `.invalidJSON` with the line and column of the first problem.
    public static func parse(_ bytes: some Collection<UInt8>, file: String? = nil, options: Options = Options()) throws -> JSONValue {
        var options = options
        options.recordsPositions = false
        return try parseWithPositions(bytes, file: file, options: options).value
    }

    /// Parses one JSON document given as text.
    /// - Throws: ``CoreError`` `.invalidJSON`, as ``parse(_:file:options:)``.
    public static func parse(_ text: String, file: String? = nil, options: Options = Options()) throws -> JSONValue {
        try parse(Array(text.utf8), file: file, options: options)
    }

    /// Parses one JSON document and returns, with it, where each value starts (when
    /// `options.recordsPositions` is set; otherwise the map is empty).
    /// - Throws: ``CoreError`` `.invalidJSON` with the line and column of the first problem.
    public static func parseWithPositions(
        _ bytes: some Collection<UInt8>, file: String? = nil, options: Options = Options(recordsPositions: true)
    ) throws -> (value: JSONValue, positions: JSONSourceMap) {
        var scanner = JSONScanner(bytes: Array(bytes), file: file, options: options)
        let value = try scanner.parseDocument()
        return (value, scanner.positions)
    }
}

/// The state of one parse: input, cursor, line bookkeeping and the position map.
struct JSONScanner {
    let bytes: [UInt8]
    let file: String?
    let options: JSONParser.Options
    var index = 0
    var line = 1
    var lineStart = 0
    var depth = 0
    var path: [String] = []
    var positions = JSONSourceMap()
    // Column cache for monotonically increasing offsets on the current line.
    var cachedOffset = 0
    var cachedColumn = 1
    var cachedLineStart = 0

    init(bytes: [UInt8], file: String?, options: JSONParser.Options) {
        self.bytes = bytes
        self.file = file
        self.options = options
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
            cachedOffset = 3
            cachedLineStart = 3
        }
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else {
            throw error("the input is empty; expected a JSON value such as an object {...}", at: index)
        }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describe(at: index)) after the end of the JSON value; a document holds exactly one value", at: index)
        }
        return value
    }

    // MARK: Values

    mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw error("the input ends where a value was expected", at: index) }
        if options.recordsPositions {
            positions.record(JSONPointer(tokens: path), position(at: index))
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            var hint = ""
            switch bytes[index] {
            case UInt8(ascii: "'"): hint = "; strings take double quotes"
            case UInt8(ascii: "]"), UInt8(ascii: "}"): hint = "; remove the trailing comma before it"
            case UInt8(ascii: "+"), UInt8(ascii: "."): hint = "; numbers start with a digit or '-'"
            case UInt8(ascii: "/"), UInt8(ascii: "#"): hint = "; JSON has no comments"
            default: break
            }
            throw error("unexpected \(describe(at: index)); expected a value (object, array, string, number, true, false or null)\(hint)", at: index)
        }
    }

    mutating func parseLiteral(_ word: String, _ value: JSONValue) throws -> JSONValue {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("unexpected \(describe(at: index)); expected '\(word)'", at: index)
        }
        index += expected.count
        return value
    }

    mutating func enterContainer(at start: Int) throws {
        depth += 1
        if depth > options.maximumDepth {
            throw error("arrays and objects are nested more than \(options.maximumDepth) levels deep", at: start)
        }
    }

    mutating func parseArray() throws -> JSONValue {
        let start = index
        try enterContainer(at: start)
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if options.recordsPositions { path.append(String(elements.count)) }
            elements.append(try parseValue())
            if options.recordsPositions { path.removeLast() }
            skipWhitespace()
            guard index < bytes.count else {
                throw error("the input ends inside the array that starts at \(position(at: start)); expected ',' or ']'", at: index)
            }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            }
            throw error("unexpected \(describe(at: index)) in an array; expected ',' or ']'", at: index)
        }
    }

    mutating func parseObject() throws -> JSONValue {
        let start = index
        try enterContainer(at: start)
        index += 1
        var object = JSONObject()
        var keyOffsets: [Int] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                throw error("the input ends inside the object that starts at \(position(at: start)); expected a member name", at: index)
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                let hint = bytes[index] == UInt8(ascii: "}") ? "; remove the trailing comma" : "; member names are strings in double quotes"
                throw error("unexpected \(describe(at: index)) in an object; expected a member name\(hint)", at: index)
            }
            let keyOffset = index
            let key = try parseString()
            if let first = object.index(forKey: key) {
                throw error("the key \"\(JSONValue.shorten(key))\" appears twice in one object (first at \(position(at: keyOffsets[first]))); keep one", at: keyOffset)
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("unexpected \(describe(at: index)) after the member name \"\(JSONValue.shorten(key))\"; expected ':'", at: index)
            }
            index += 1
            skipWhitespace()
            if options.recordsPositions { path.append(key) }
            let value = try parseValue()
            if options.recordsPositions { path.removeLast() }
            object[key] = value
            keyOffsets.append(keyOffset)
            skipWhitespace()
            guard index < bytes.count else {
                throw error("the input ends inside the object that starts at \(position(at: start)); expected ',' or '}'", at: index)
            }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(object)
            }
            throw error("unexpected \(describe(at: index)) in an object; expected ',' or '}'", at: index)
        }
    }

    mutating func parseNumber() throws -> JSONNumber {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { throw error("a '-' must be followed by a digit", at: index) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw error("numbers do not have leading zeros", at: start) }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw error("a decimal point must be followed by a digit", at: index) }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw error("an exponent must have digits", at: index) }
            while isDigit(index) { index += 1 }
        }
        return JSONNumber(uncheckedLiteral: String(decoding: bytes[start..<index], as: UTF8.self))
    }

    // MARK: Whitespace and positions

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                newLine()
            case UInt8(ascii: "\r"):
                index += 1
                if index >= bytes.count || bytes[index] != UInt8(ascii: "\n") { newLine() }
            default:
                return
            }
        }
    }

    mutating func newLine() {
        line += 1
        lineStart = index
    }

    /// The line and column of byte `offset`, which must be on the current line or earlier.
    mutating func position(at offset: Int) -> SourcePosition {
        if offset >= lineStart {
            if cachedLineStart != lineStart || cachedOffset > offset {
                cachedLineStart = lineStart
                cachedOffset = lineStart
                cachedColumn = 1
            }
            var column = cachedColumn
            var cursor = cachedOffset
            while cursor < offset {
                if bytes[cursor] & 0xC0 != 0x80 { column += 1 }
                cursor += 1
            }
            cachedOffset = offset
            cachedColumn = column
            return SourcePosition(line: line, column: column)
        }
        return JSONScanner.position(of: offset, in: bytes)
    }

    /// The line and column of `offset`, counted from the start of `bytes`.
    static func position(of offset: Int, in bytes: [UInt8]) -> SourcePosition {
        var line = 1
        var column = 1
        var cursor = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while cursor < min(offset, bytes.count) {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && (cursor + 1 >= bytes.count || bytes[cursor + 1] != UInt8(ascii: "\n"))) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != UInt8(ascii: "\r") {
                column += 1
            }
            cursor += 1
        }
        return SourcePosition(line: line, column: column)
    }

    /// A human description of the byte at `offset`: `character 'x'`, `byte 0xFF`, or `end of input`.
    func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        if let length = utf8SequenceLength(at: offset), length > 1,
            let text = String(validating: bytes[offset..<offset + length], as: UTF8.self),
            let scalar = text.unicodeScalars.first
        {
            return "character '\(text)' (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
        return String(hexByte: byte)
    }

    mutating func error(_ message: String, at offset: Int) -> CoreError {
        let where_ = position(at: offset)
        return CoreError(.invalidJSON, message, context: ErrorContext(file: file, line: where_.line, column: where_.column))
    }
}

extension String {
    /// `byte 0x0A`.
    init(hexByte byte: UInt8) {
        let hex = String(byte, radix: 16, uppercase: true)
        self = "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
