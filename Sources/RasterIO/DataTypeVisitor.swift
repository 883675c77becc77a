import MIFACore

/// Work that is generic over an array's element type, run for a type only known at run time.
///
/// Swift closures cannot be generic; a visitor's ``visit(_:)`` can, and ``MIFACore/DataType/visit(_:)``
/// calls it with the Swift type of a ``MIFACore/DataType``.
protocol DataTypeVisitor {
    /// What the work returns.
    associatedtype Result
    /// Does the work for element type `E`.
    func visit<E: NDArrayElement>(_ type: E.Type) throws -> Result
}

extension DataType {
    /// Runs `visitor` with the Swift element type of this data type.
    func visit<V: DataTypeVisitor>(_ visitor: V) throws -> V.Result {
        switch self {
        case .bool: try visitor.visit(Bool.self)
        case .int8: try visitor.visit(Int8.self)
        case .int16: try visitor.visit(Int16.self)
        case .int32: try visitor.visit(Int32.self)
        case .int64: try visitor.visit(Int64.self)
        case .uint8: try visitor.visit(UInt8.self)
        case .uint16: try visitor.visit(UInt16.self)
        case .uint32: try visitor.visit(UInt32.self)
        case .uint64: try visitor.visit(UInt64.self)
        case .float16: try visitor.visit(Float16.self)
        case .float32: try visitor.visit(Float.self)
        case .float64: try visitor.visit(Double.self)
        }
    }
}

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
