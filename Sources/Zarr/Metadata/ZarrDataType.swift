public import MIFACore

/// The data type of a Zarr array's elements: every core type of Zarr v3 and the matching NumPy
/// type strings of Zarr v2.
///
/// See https://zarr-specs.readthedocs.io/en/latest/v3/data-types/index.html and
/// https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#data-type-encoding. Types that
/// `DataType` has (all but the complex types and raw bits) read into
/// `NDArray`; the others read and write as raw bytes, except the variable-length types
/// (``string``, ``variableBytes``), which hold one item of any length per element and are read
/// with ``ZarrArray/readStrings(_:maxBytes:)`` and ``ZarrArray/readByteStrings(_:maxBytes:)``.
public enum ZarrDataType: Sendable, Hashable, CustomStringConvertible {
    /// One byte, 0 or 1.
    case bool
    /// Signed integers.
    case int8, int16, int32, int64
    /// Unsigned integers.
    case uint8, uint16, uint32, uint64
    /// IEEE 754 binary16, binary32, binary64.
    case float16, float32, float64
    /// Two binary32 (real, imaginary).
    case complex64
    /// Two binary64 (real, imaginary).
    case complex128
    /// Raw bits (`r8`, `r16`, ...; a multiple of 8), never byte-swapped.
    case raw(bits: Int)
    /// Variable-length UTF-8 text: v3 `string`, v2 `|O` with the `vlen-utf8` object codec
    /// (https://github.com/zarr-developers/zarr-extensions/tree/main/data-types/string).
    case string
    /// Variable-length bytes: v3 `variable_length_bytes`, v2 `|O` with the `vlen-bytes` object codec
    /// (zarr-python's name; it has no published v3 specification).
    case variableBytes

    /// Bytes per element; 0 for the variable-length types, whose elements have no fixed size
    /// (every fixed-size read and write refuses them, see ``isVariableLength``).
    public var byteSize: Int {
        switch self {
        case .string, .variableBytes: 0
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .float16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64, .complex64: 8
        case .complex128: 16
        case .raw(let bits): bits / 8
        }
    }

    /// Size of the unit whose bytes are swapped for another byte order (1 = never swapped).
    public var swapUnit: Int {
        switch self {
        case .complex64: 4
        case .complex128: 8
        case .raw, .string, .variableBytes: 1
        default: byteSize
        }
    }

    /// The `DataType` with the same elements, if there is one.
    public var coreType: DataType? { DataType(rawValue: v3Name) }

    /// Whether elements are items of any length (strings, byte strings) rather than fixed-size values.
    public var isVariableLength: Bool { self == .string || self == .variableBytes }

    /// The Zarr type for a `DataType`.
    public init(_ type: DataType) {
        self = Self.named[type.rawValue]!  // every DataType's raw value is its Zarr v3 name
    }

    /// The v3 name: `bool`, `int8`, ..., `float16`, `complex64`, `r16`.
    public var v3Name: String {
        if case .raw(let bits) = self { return "r\(bits)" }
        return Self.names[self]!  // every other type is named
    }

    /// The v3 name.
    public var description: String { v3Name }

    /// The type of a v3 name; `nil` for names that are not core types.
    public init?(v3Name name: String) {
        if let type = Self.named[name] {
            self = type
            return
        }
        guard name.hasPrefix("r"), let bits = Int(name.dropFirst()), bits > 0, bits % 8 == 0, bits <= 8 * 1024 else { return nil }
        self = .raw(bits: bits)
    }

    /// Every type but raw bits, by v3 name (the core types' names are `DataType`'s raw values).
    private static let named: [String: ZarrDataType] = [
        "bool": .bool, "int8": .int8, "int16": .int16, "int32": .int32, "int64": .int64,
        "uint8": .uint8, "uint16": .uint16, "uint32": .uint32, "uint64": .uint64, "float16": .float16, "float32": .float32,
        "float64": .float64, "complex64": .complex64, "complex128": .complex128, "string": .string, "variable_length_bytes": .variableBytes,
    ]
    private static let names = Dictionary(uniqueKeysWithValues: named.map { ($1, $0) })

    /// Parses a v2 NumPy type string (`<u2`, `|b1`, `>f8`, `<c16`, `|V2`) into the type and its
    /// byte order; `nil` for types outside the core set (strings, objects, dates, structures).
    /// The types `DataType` has are parsed by its parser; this adds float16, complex and raw.
    public static func parseV2(_ text: String) -> (ZarrDataType, Endianness)? {
        guard text.count >= 3, let order = text.first, "<>|=".contains(order), let kind = text.dropFirst().first, kind != "?",
              let size = Int(text.dropFirst(2)), size > 0 else { return nil }
        if let (type, endianness) = DataType.parseNumpyTypeString(text) { return (ZarrDataType(type), endianness) }
        let endianness: Endianness = order == ">" ? .big : order == "<" ? .little : .native
        let type: ZarrDataType?
        switch (kind, size) {
        case ("f", 2): type = .float16
        case ("c", 8): type = .complex64
        case ("c", 16): type = .complex128
        case ("V", _) where size <= 1024: type = .raw(bits: size * 8)
        default: type = nil
        }
        return type.map { ($0, endianness) }
    }

    /// The v2 NumPy type string in the given byte order, e.g. `<u2`, `|u1`, `>c16`, `|V2`, `|O`
    /// (the variable-length types, whose object codec says which); the types `DataType` has are
    /// written by its writer.
    public func v2String(_ endianness: Endianness = .little) -> String {
        if let coreType { return coreType.numpyTypeString(endianness) }
        if isVariableLength { return "|O" }
        let order = swapUnit == 1 ? "|" : (endianness == .little ? "<" : ">")
        let kind = switch self {
        case .complex64, .complex128: "c"
        case .raw: "V"
        default: "f"  // float16, the one other type
        }
        return order + kind + String(byteSize)
    }

    /// The codec that turns the variable-length types into bytes and back: its v3 name and v2
    /// (numcodecs) id, `vlen-utf8` or `vlen-bytes`; `nil` for fixed-size types.
    public var objectCodecName: String? {
        switch self {
        case .string: "vlen-utf8"
        case .variableBytes: "vlen-bytes"
        default: nil
        }
    }

    /// The variable-length type of a v2 object codec id (`vlen-utf8`, `vlen-bytes`).
    public init?(objectCodecName name: String) {
        switch name {
        case "vlen-utf8": self = .string
        case "vlen-bytes": self = .variableBytes
        default: return nil
        }
    }

    /// Whether the type is `float16`, `float32` or `float64`.
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }

    /// Whether the type is one of the complex types.
    public var isComplex: Bool { self == .complex64 || self == .complex128 }
}
