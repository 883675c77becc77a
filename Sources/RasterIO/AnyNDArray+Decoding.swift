import MIFACore

extension AnyNDArray {
    /// An array decoded from dense bytes in `order` and `endianness`; booleans are normalised
    /// (any non-zero byte is `true`), so no byte pattern can make an invalid `Bool`.
    /// - Throws: ``MIFACore/CoreError`` `.shapeMismatch` when the byte count does not fit the shape.
    static func decoding(_ bytes: ArraySlice<UInt8>, dataType: DataType, shape: [Int], order: MemoryOrder, endianness: Endianness) throws -> AnyNDArray {
        if dataType == .bool {
            return .bool(try NDArray(shape: shape, elements: bytes.lazy.map { $0 != 0 }, order: order))
        }
        return try bytes.withUnsafeBytes { raw in
            try AnyNDArray(dataType: dataType, shape: shape, bytes: raw, endianness: endianness, order: order)
        }
    }
}
