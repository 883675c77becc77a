public import MIFACore

/// The value of every element of a chunk that was never written: one element's bytes in the
/// machine's byte order (for ``ZarrDataType/string``, the text's UTF-8 bytes; for
/// ``ZarrDataType/variableBytes``, the bytes).
///
/// Parsed from and written to the JSON forms of both versions: numbers, `true`/`false`, the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"`, v3 hex bit patterns such as `"0x7fc00000"`, `[re, im]` for
/// complex types and byte lists for raw types.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/data-types/index.html#fill-value-representation
/// and https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#fill-value-encoding.
public struct FillValue: Sendable, Hashable, CustomStringConvertible {
    /// One element, native byte order.
    public var bytes: [UInt8]

    /// A fill value from one element's bytes in native byte order.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A fill value from a Swift value (`UInt16(0)`, `Float.nan`, `true`).
    public init<T: NDArrayElement>(_ value: T) {
        bytes = withUnsafeBytes(of: value) { Array($0) }
    }

    /// All-zero bytes: 0, 0.0, `false`; the empty string for variable-length types.
    public static func zero(for type: ZarrDataType) -> FillValue {
        FillValue(bytes: [UInt8](repeating: 0, count: type.byteSize))
    }

    /// Whether every byte is zero.
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// The bytes as hex, e.g. `0x0000`.
    public var description: String {
        "0x" + bytes.reversed().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// The value as a Swift `T`, when `T` has the same size.
    public func value<T: NDArrayElement>(as type: T.Type) -> T? {
        guard bytes.count == MemoryLayout<T>.size else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }

    /// Parses the JSON form for `type`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` saying which forms the type accepts.
    public init(json: JSONValue, type: ZarrDataType, format: ZarrFormat) throws {
        func fail() -> ZarrError {
            ZarrError(.invalidMetadata, "fill_value \(json.summary) is not a valid \(type.v3Name) value")
        }
        switch type {
        case .bool:
            switch json {
            case .bool(let flag): bytes = [flag ? 1 : 0]
            case .number(let n) where n.int64Value == 0 || n.int64Value == 1: bytes = [UInt8(n.int64Value!)]
            default: throw fail()
            }
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
            guard case .number(let number) = json, let value = Self.integerBytes(number, type: type) else { throw fail() }
            bytes = value
        case .float16, .float32, .float64:
            guard let value = Self.floatBytes(json, size: type.byteSize) else { throw fail() }
            bytes = value
        case .complex64, .complex128:
            if let real = Self.floatBytes(json, size: type.byteSize / 2) {
                // A single number: the real part (as NumPy casts it).
                bytes = real + [UInt8](repeating: 0, count: type.byteSize / 2)
                return
            }
            guard case .array(let parts) = json, parts.count == 2,
                  let re = Self.floatBytes(parts[0], size: type.byteSize / 2),
                  let im = Self.floatBytes(parts[1], size: type.byteSize / 2) else { throw fail() }
            bytes = re + im
        case .raw:
            switch json {
            case .array(let items) where items.count == type.byteSize:
                let values = items.compactMap { $0.numberValue?.int64Value }.compactMap { UInt8(exactly: $0) }
                guard values.count == items.count else { throw fail() }
                bytes = values
            case .null:
                bytes = [UInt8](repeating: 0, count: type.byteSize)
            case .number(let n) where n.int64Value == 0:
                bytes = [UInt8](repeating: 0, count: type.byteSize)
            case .string(let text):
                guard let decoded = Self.base64(text), decoded.count == type.byteSize else { throw fail() }
                bytes = decoded
            default:
                throw fail()
            }
        case .string:
            // As zarr-python reads it: a string, or a number or boolean as Python's str() prints
            // it (zarr-python 2 wrote 0 for object arrays). Fractions are refused: their printed
            // form is Python's, not JSON's.
            switch json {
            case .string(let text): bytes = Array(text.utf8)
            case .bool(let flag): bytes = Array((flag ? "True" : "False").utf8)
            case .number(let n) where n.int64Value != nil || n.uint64Value != nil:
                bytes = Array((n.int64Value.map { String($0) } ?? n.uint64Value.map { String($0) } ?? "").utf8)
            default: throw fail()
            }
        case .variableBytes:
            // zarr-python writes the bytes in base64 (and zarr-python 2 wrote 0 for object arrays).
            switch json {
            case .string(let text):
                guard let decoded = Self.base64(text) else { throw fail() }
                bytes = decoded
            case .number(let n) where n.int64Value == 0: bytes = []
            default: throw fail()
            }
        }
        _ = format
    }

    /// The JSON form for `type`, as zarr-python writes it.
    public func json(for type: ZarrDataType, format: ZarrFormat) -> JSONValue {
        switch type {
        case .bool:
            return .bool(bytes.first.map { $0 != 0 } ?? false)
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
            let integer = type.coreType!.elementType as! any (FixedWidthInteger & NDArrayElement).Type  // an integer type
            return .number(integerJSON(integer))
        case .float16, .float32, .float64:
            return Self.floatJSON(bytes, format: format)
        case .complex64, .complex128:
            let half = bytes.count / 2
            return .array([Self.floatJSON(Array(bytes[..<half]), format: format), Self.floatJSON(Array(bytes[half...]), format: format)])
        case .raw:
            return .array(bytes.map { .number(JSONNumber(Int($0))) })
        case .string:
            return .string(String(decoding: bytes, as: UTF8.self))
        case .variableBytes:
            return .string(Self.base64Encoded(bytes))
        }
    }

    private func load<T: BitwiseCopyable>(_ type: T.Type) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }

    private func integerJSON<T: FixedWidthInteger & NDArrayElement>(_ type: T.Type) -> JSONNumber {
        let value = load(T.self)
        return T.isSigned ? JSONNumber(Int64(value)) : JSONNumber(UInt64(value))
    }

    private static func integerBytes(_ number: JSONNumber, type: ZarrDataType) -> [UInt8]? {
        func pack<T: FixedWidthInteger>(_: T.Type) -> [UInt8]? {
            let value = T.isSigned ? number.int64Value.flatMap { T(exactly: $0) } : number.uint64Value.flatMap { T(exactly: $0) }
            return value.map { v in withUnsafeBytes(of: v) { Array($0) } }
        }
        return (type.coreType?.elementType as? any FixedWidthInteger.Type).flatMap { pack($0) }
    }

    /// A float of `size` bytes from a number, a special string or a hex bit pattern.
    private static func floatBytes(_ json: JSONValue, size: Int) -> [UInt8]? {
        let value: Double
        switch json {
        case .number(let number):
            guard let parsed = Double(number.literal), parsed.isFinite else { return nil }
            value = parsed
        case .string("NaN"): value = .nan
        case .string("Infinity"): value = .infinity
        case .string("-Infinity"): value = -.infinity
        case .string(let text) where text.hasPrefix("0x") && text.count == 2 + 2 * size:
            guard let bits = UInt64(text.dropFirst(2), radix: 16) else { return nil }
            return withUnsafeBytes(of: bits.littleEndian) { Array($0.prefix(size)) }.littleEndianToNative()
        default:
            return nil
        }
        func pack<T: BinaryFloatingPoint>(_: T.Type) -> [UInt8] { withUnsafeBytes(of: T(value)) { Array($0) } }
        return size == 2 ? pack(Float16.self) : size == 4 ? pack(Float.self) : pack(Double.self)
    }

    /// A float's JSON: a number, `"NaN"`, `"Infinity"`, `"-Infinity"`, or (v3) hex for a NaN
    /// other than the canonical one.
    private static func floatJSON(_ bytes: [UInt8], format: ZarrFormat) -> JSONValue {
        func read<T: BinaryFloatingPoint & BitwiseCopyable>(_: T.Type) -> (value: Double, canonicalNaN: Bool) {
            (Double(bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }), bytes == withUnsafeBytes(of: T.nan) { Array($0) })
        }
        let (value, canonicalNaN) = bytes.count == 2 ? read(Float16.self) : bytes.count == 4 ? read(Float.self) : read(Double.self)
        if value.isNaN {
            if format == .v3 && !canonicalNaN {
                return .string("0x" + bytes.reversed().map { String($0, radix: 16).leftPadded(to: 2) }.joined())
            }
            return .string("NaN")
        }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        return JSONNumber(value).map(JSONValue.number) ?? .null
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding, as Python's `base64.standard_b64encode`.
    private static func base64Encoded(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let group = bytes[start..<Swift.min(start + 3, bytes.count)]
            let value = group.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for i in 0..<4 {
                out.append(i <= group.count ? base64Alphabet[(value >> (18 - 6 * i)) & 63] : UInt8(ascii: "="))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func base64(_ text: String) -> [UInt8]? {
        let alphabet = base64Alphabet
        var table = [UInt8](repeating: 255, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        var bits = 0
        var buffer = 0
        var result: [UInt8] = []
        for c in text.utf8 where c != UInt8(ascii: "=") {
            let v = table[Int(c)]
            guard v != 255 else { return nil }
            buffer = (buffer << 6) | Int(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                result.append(UInt8((buffer >> bits) & 0xFF))
            }
        }
        return result
    }
}

extension String {
    /// The string with zeros in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Array where Element == UInt8 {
    /// Little-endian bytes in the machine's byte order.
    func littleEndianToNative() -> [UInt8] {
        Endianness.native == .little ? self : reversed()
    }
}
