import MIFACore

/// A strict pull reader over UTF-8 JSON (RFC 8259) for the large annotation formats: COCO and
/// GeoJSON files with hundreds of thousands of objects are decoded straight into typed values,
/// without building a document tree first.
///
/// It accepts what MIFACore's `JSONParser` accepts (one value, no comments or trailing commas,
/// valid UTF-8, paired surrogates, no raw control characters in strings, no key twice in an
/// object, nesting at most ``maximumDepth`` deep), reports problems with line, column and JSON
/// pointer, and parses numbers correctly rounded. Use it inside ``read(_:file:_:)``, which keeps
/// the buffer alive.
struct JSONReader {
    /// The JSON kinds, as the next byte announces them.
    enum Kind: Equatable {
        case object, array, string, number, bool, null
    }

    /// The deepest nesting accepted.
    static let maximumDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    let file: String?
    var position = 0
    var depth = 0
    /// The path to the value being read, for error pointers.
    var path: [String] = []
    /// Member names seen so far: files repeat a few names many times, so each is decoded once.
    var keyCache: [(bytes: [UInt8], name: String)] = []

    /// Runs `body` with a reader over `bytes` and checks that nothing but whitespace follows.
    /// - Throws: ``AnnotationError`` `.malformed` from the reader or `body`'s own errors.
    static func read<T>(_ bytes: [UInt8], file: String?, _ body: (inout JSONReader) throws -> T) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer, file: file)
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { reader.position = 3 }
            reader.skipWhitespace()
            guard reader.position < buffer.count else { throw reader.error("the file is empty; expected a JSON value") }
            let result = try body(&reader)
            reader.skipWhitespace()
            guard reader.position == buffer.count else {
                throw reader.error("unexpected \(reader.describeNext()) after the end of the JSON value; a document holds exactly one value")
            }
            return result
        }
    }

    // MARK: Structure

    @inline(__always) mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The kind of the next value (after whitespace).
    /// - Throws: ``AnnotationError`` `.malformed` at the end of input or before a byte that starts no value.
    mutating func peekKind() throws -> Kind {
        skipWhitespace()
        guard position < bytes.count else { throw error("the input ends where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: throw error("unexpected \(describeNext()); expected a value (object, array, string, number, true, false or null)")
        }
    }

    /// Reads an object, calling `body` for each member with the reader positioned at the member's
    /// value; `body` must read or skip exactly that value.
    /// - Throws: ``AnnotationError`` `.malformed` for a non-object, a syntax error or a repeated key.
    mutating func readObject(_ body: (inout JSONReader, JSONKey) throws -> Void) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { throw typeError("an object") }
        try enter()
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return
        }
        var keys: [JSONKey] = []
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeNext()) in an object; expected a member name in double quotes")
            }
            let keyStart = position
            let key = try readKey()
            if keys.count < 64 {
                if keys.contains(where: { $0.name == key.name }) {
                    position = keyStart
                    throw error("the key \"\(key.name)\" appears twice in one object; keep one")
                }
                keys.append(key)
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeNext()) after the member name \"\(key.name)\"; expected ':'")
            }
            position += 1
            path.append(key.name)
            try body(&self, key)
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw error("the input ends inside an object; expected ',' or '}'") }
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
    /// - Throws: ``AnnotationError`` `.malformed` for a non-array or a syntax error.
    mutating func readArray(_ body: (inout JSONReader, Int) throws -> Void) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else { throw typeError("a list") }
        try enter()
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return
        }
        var index = 0
        while true {
            path.append(String(index))
            try body(&self, index)
            path.removeLast()
            index += 1
            skipWhitespace()
            guard position < bytes.count else { throw error("the input ends inside a list; expected ',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                return
            }
            throw error("unexpected \(describeNext()) in a list; expected ',' or ']'")
        }
    }

    /// Reads a list of numbers, the hot path of COCO polygons and GeoJSON positions.
    /// - Throws: ``AnnotationError`` `.malformed` for a non-list, a non-number element or a syntax error.
    mutating func readDoubleArray(into values: inout [Double]) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else { throw typeError("a list of numbers") }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || (bytes[position] >= 48 && bytes[position] <= 57) else {
                path.append(String(values.count))
                defer { path.removeLast() }
                throw typeError("a number")
            }
            values.append(try readDouble())
            skipWhitespace()
            guard position < bytes.count else { throw error("the input ends inside a list; expected ',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return
            }
            throw error("unexpected \(describeNext()) in a list of numbers; expected ',' or ']'")
        }
    }

    /// Reads `true` or `false`.
    /// - Throws: ``AnnotationError`` `.malformed` for anything else.
    mutating func readBool() throws -> Bool {
        skipWhitespace()
        if matches("true") { return true }
        if matches("false") { return false }
        throw typeError("true or false")
    }

    /// Consumes `null` if it comes next and says whether it did.
    mutating func readNull() -> Bool {
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

    mutating func enter() throws {
        depth += 1
        if depth > JSONReader.maximumDepth {
            throw error("lists and objects are nested more than \(JSONReader.maximumDepth) levels deep")
        }
    }
}

/// An object member's name, as read.
struct JSONKey {
    /// The decoded name.
    let name: String

    /// Whether the name is `text`.
    @inline(__always) func `is`(_ text: String) -> Bool { name == text }
}
