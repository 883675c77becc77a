public import MIFACore

/// The header of a NumPy `.npy` file: version, element type and byte order, memory order, shape.
///
/// See https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html.
public struct NPYHeader: Sendable, Hashable {
    /// Format major version: 1, 2 or 3.
    public var majorVersion: Int
    /// Format minor version (0).
    public var minorVersion: Int
    /// The element type (`descr`).
    public var dataType: DataType
    /// The byte order of multi-byte elements in the file.
    public var endianness: Endianness
    /// Whether the data is in Fortran (column-major) order (`fortran_order`).
    public var fortranOrder: Bool
    /// The array's shape (`()` is a scalar, shape `[]`).
    public var shape: [Int]
    /// Byte offset of the data: magic, version, length field and the padded header.
    public var dataOffset: Int

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// Longest header accepted (NumPy itself refuses more than 10000 bytes by default).
    static let maxHeaderBytes = 1 << 20

    /// The header at the start of `prefix`, which holds at least ``dataOffset`` bytes, or throws
    /// ``NeedMore`` with how many bytes are needed.
    /// - Throws: ``RasterIOError`` `.wrongFormat`, `.truncated`, `.corrupt`, `.unsupported`.
    static func parse(_ prefix: [UInt8], fileSize: Int, name: String) throws -> NPYHeader {
        guard prefix.prefix(6).elementsEqual(magic.prefix(Swift.min(6, prefix.count))) else {
            throw RasterIOError(.wrongFormat, "not a .npy file: it does not start with \\x93NUMPY", file: name, offset: 0)
        }
        guard prefix.count >= 8 else {
            if fileSize < 8 || prefix.count == fileSize {
                throw RasterIOError(.truncated, "the file has \(fileSize) bytes, fewer than the 10-byte .npy preamble; it is empty or cut short", file: name, offset: 0)
            }
            throw NeedMore(count: 12)
        }
        guard Array(prefix[0..<6]) == magic else {
            throw RasterIOError(.wrongFormat, "not a .npy file: it does not start with \\x93NUMPY", file: name, offset: 0)
        }
        let major = Int(prefix[6]), minor = Int(prefix[7])
        guard (1...3).contains(major) else {
            throw RasterIOError(.unsupported, ".npy format version \(major).\(minor) is not supported (1.0, 2.0 and 3.0 are)", file: name, offset: 6)
        }
        let lengthBytes = major == 1 ? 2 : 4
        guard prefix.count >= 8 + lengthBytes else {
            if fileSize < 8 + lengthBytes { throw RasterIOError(.truncated, "the file ends inside the .npy preamble", file: name, offset: 8) }
            throw NeedMore(count: 8 + lengthBytes)
        }
        var headerLength = 0
        for i in (0..<lengthBytes).reversed() { headerLength = headerLength << 8 | Int(prefix[8 + i]) }
        guard headerLength <= maxHeaderBytes else {
            throw RasterIOError(.corrupt, "the header declares \(headerLength) bytes, more than \(maxHeaderBytes); the file is damaged", file: name, offset: 8)
        }
        let dataOffset = 8 + lengthBytes + headerLength
        guard prefix.count >= dataOffset else {
            guard fileSize >= dataOffset else {
                throw RasterIOError(.truncated, "the header declares \(headerLength) bytes but the file ends at byte \(fileSize); it is cut short", file: name, offset: 8 + lengthBytes)
            }
            throw NeedMore(count: dataOffset)
        }
        let text = String(decoding: prefix[(8 + lengthBytes)..<dataOffset], as: UTF8.self)
        var parser = PythonLiteralParser(text: text, name: name, offset: 8 + lengthBytes)
        let dictionary = try parser.parseHeaderDictionary()
        guard case .string(let descr)? = dictionary["descr"], case .bool(let fortran)? = dictionary["fortran_order"],
              case .tuple(let shape)? = dictionary["shape"], dictionary.count == 3 else {
            throw RasterIOError(.corrupt, "the header must have exactly the keys 'descr' (a string), 'fortran_order' (True/False) and 'shape' (a tuple), found: \(text.trimmingTrailingSpace())", file: name, offset: 8 + lengthBytes)
        }
        guard let (dataType, endianness) = DataType.parseNumpyTypeString(descr) else {
            throw RasterIOError(.unsupported, "element type '\(descr)' is not supported; use bool, (u)int8–64, float16, float32 or float64", file: name, key: "descr", offset: 8 + lengthBytes)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw RasterIOError(.corrupt, "shape \(shape) has a negative extent", file: name, key: "shape", offset: 8 + lengthBytes)
        }
        return NPYHeader(majorVersion: major, minorVersion: minor, dataType: dataType, endianness: endianness, fortranOrder: fortran, shape: shape, dataOffset: dataOffset)
    }

    /// Thrown by ``parse(_:fileSize:name:)`` when the prefix is too short.
    struct NeedMore: Error {
        var count: Int
    }

    /// The header bytes for an array: version 1.0, or 2.0 when the header outgrows 65535 bytes;
    /// padded with spaces and a newline so the data starts at a multiple of 64 bytes.
    static func encode(dataType: DataType, endianness: Endianness, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        encode(typeString: dataType.numpyTypeString(endianness), fortranOrder: fortranOrder, shape: shape)
    }

    /// The header bytes for an array whose NumPy type string (`descr`) is `typeString`.
    static func encode(typeString: String, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dictionary = "{'descr': '\(typeString)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        for (major, lengthBytes) in [(1, 2), (2, 4)] {
            let unpadded = 8 + lengthBytes + dictionary.utf8.count + 1
            let padded = (unpadded + 63) / 64 * 64
            let headerLength = padded - 8 - lengthBytes
            guard major == 2 || headerLength <= 0xFFFF else { continue }
            var bytes = magic + [UInt8(major), 0]
            for i in 0..<lengthBytes { bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
            bytes += Array(dictionary.utf8) + [UInt8](repeating: 0x20, count: padded - unpadded) + [0x0A]
            return bytes
        }
        return []
    }
}

/// The few Python literals a `.npy` header dictionary uses: strings, `True`/`False`, tuples of ints.
private struct PythonLiteralParser {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    let characters: [Character]
    let name: String
    let offset: Int
    var position = 0

    init(text: String, name: String, offset: Int) {
        self.characters = Array(text)
        self.name = name
        self.offset = offset
    }

    private func fail(_ what: String) -> RasterIOError {
        RasterIOError(.corrupt, "the header is not a valid Python dictionary literal: \(what) at character \(position)", file: name, offset: offset + position)
    }

    private mutating func skipSpace() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    private mutating func expect(_ character: Character) throws {
        skipSpace()
        guard position < characters.count, characters[position] == character else { throw fail("expected '\(character)'") }
        position += 1
    }

    private mutating func peek() -> Character? {
        skipSpace()
        return position < characters.count ? characters[position] : nil
    }

    mutating func parseHeaderDictionary() throws -> [String: Value] {
        try expect("{")
        var result: [String: Value] = [:]
        while peek() != "}" {
            let key = try parseString()
            try expect(":")
            guard result[key] == nil else { throw fail("key '\(key)' twice") }
            result[key] = try parseValue()
            if peek() == "," { position += 1 } else { break }
        }
        try expect("}")
        return result
    }

    private mutating func parseValue() throws -> Value {
        switch peek() {
        case "'"?, "\""?: return .string(try parseString())
        case "("?: return .tuple(try parseTuple())
        default:
            let word = parseWord()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            default: throw fail("unexpected '\(word)'")
            }
        }
    }

    private mutating func parseString() throws -> String {
        guard let quote = peek(), quote == "'" || quote == "\"" else { throw fail("expected a string") }
        position += 1
        var text = ""
        while position < characters.count, characters[position] != quote {
            text.append(characters[position])
            position += 1
        }
        guard position < characters.count else { throw fail("unterminated string") }
        position += 1
        return text
    }

    private mutating func parseWord() -> String {
        skipSpace()
        var word = ""
        while position < characters.count, characters[position].isLetter || characters[position].isNumber || characters[position] == "_" || characters[position] == "-" {
            word.append(characters[position])
            position += 1
        }
        return word
    }

    private mutating func parseTuple() throws -> [Int] {
        try expect("(")
        var values: [Int] = []
        while peek() != ")" {
            var word = parseWord()
            if word.hasSuffix("L") { word.removeLast() } // Python 2 longs
            guard let value = Int(word) else { throw fail("'\(word)' is not an integer") }
            values.append(value)
            if peek() == "," { position += 1 } else { break }
        }
        try expect(")")
        return values
    }
}

extension String {
    fileprivate func trimmingTrailingSpace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
