/// The element types MIFAKit stores in arrays, images and chunks.
///
/// The names follow the Zarr v3 core data types
/// (https://zarr-specs.readthedocs.io/en/latest/v3/data-types/index.html).
public enum DataType: String, Sendable, Hashable, CaseIterable, Codable {
    /// One byte per element, 0 is `false`, anything else `true`.
    case bool
    /// Signed 8-bit integer.
    case int8
    /// Signed 16-bit integer.
    case int16
    /// Signed 32-bit integer.
    case int32
    /// Signed 64-bit integer.
    case int64
    /// Unsigned 8-bit integer.
    case uint8
    /// Unsigned 16-bit integer.
    case uint16
    /// Unsigned 32-bit integer.
    case uint32
    /// Unsigned 64-bit integer.
    case uint64
    /// IEEE 754 binary16 (half precision), common in model outputs and ML datasets.
    case float16
    /// IEEE 754 binary32.
    case float32
    /// IEEE 754 binary64.
    case float64

    /// Bytes one element occupies.
    public var byteSize: Int {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .float16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }

    /// Whether the type is an integer type (signed or unsigned); `bool` is not.
    public var isInteger: Bool { isSignedInteger || isUnsignedInteger }

    /// Whether the type is a signed integer type.
    public var isSignedInteger: Bool { [.int8, .int16, .int32, .int64].contains(self) }

    /// Whether the type is an unsigned integer type.
    public var isUnsignedInteger: Bool { [.uint8, .uint16, .uint32, .uint64].contains(self) }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }

    /// The NumPy type string for this type in the given byte order, e.g. `<u2`, `>f4`, `|b1`.
    ///
    /// Single-byte types use `|` (byte order not applicable), as NumPy writes them.
    public func numpyTypeString(_ endianness: Endianness = .little) -> String {
        let order = byteSize == 1 ? "|" : (endianness == .little ? "<" : ">")
        return order + String(numpyKind) + String(byteSize)
    }

    /// The NumPy kind letter: `b`ool, `i`nteger, `u`nsigned or `f`loat.
    private var numpyKind: Character {
        isFloatingPoint ? "f" : isSignedInteger ? "i" : isUnsignedInteger ? "u" : "b"
    }

    /// Parses a NumPy type string such as `<u2`, `>i4`, `|u1`, `=f8` or `b1`.
    ///
    /// - Returns: the data type and the byte order it declares (`=` and `|` mean the native order),
    ///   or `nil` when the string is not one of the supported types.
    public static func parseNumpyTypeString(_ text: String) -> (DataType, Endianness)? {
        var chars = Substring(text)
        var endianness = Endianness.native
        if let first = chars.first, "<>|=".contains(first) {
            if first == "<" { endianness = .little } else if first == ">" { endianness = .big }
            chars = chars.dropFirst()
        }
        guard let kind = chars.first.map({ $0 == "?" ? "b" : $0 }), let size = Int(chars.dropFirst()) else { return nil }
        return allCases.first { $0.numpyKind == kind && $0.byteSize == size }.map { ($0, endianness) }
    }
}

/// Byte order of multi-byte values in a file or buffer.
public enum Endianness: String, Sendable, Hashable, Codable {
    /// Least significant byte first (x86, ARM, Zarr and NumPy default).
    case little
    /// Most significant byte first (some TIFF writers, Java tools).
    case big

    /// The byte order of the machine running this code.
    public static var native: Endianness {
        1.littleEndian == 1 ? .little : .big
    }
}
