/// An ``NDArray`` whose element type is known only at run time, as when a file header decides it.
///
/// Switch over the cases, or ask for a typed array with ``typed(as:)``.
public enum AnyNDArray: Sendable, Equatable {
    /// Booleans.
    case bool(NDArray<Bool>)
    /// Signed 8-bit integers.
    case int8(NDArray<Int8>)
    /// Signed 16-bit integers.
    case int16(NDArray<Int16>)
    /// Signed 32-bit integers.
    case int32(NDArray<Int32>)
    /// Signed 64-bit integers.
    case int64(NDArray<Int64>)
    /// Unsigned 8-bit integers.
    case uint8(NDArray<UInt8>)
    /// Unsigned 16-bit integers.
    case uint16(NDArray<UInt16>)
    /// Unsigned 32-bit integers.
    case uint32(NDArray<UInt32>)
    /// Unsigned 64-bit integers.
    case uint64(NDArray<UInt64>)
    /// 16-bit floats (half precision).
    case float16(NDArray<Float16>)
    /// 32-bit floats.
    case float32(NDArray<Float>)
    /// 64-bit floats.
    case float64(NDArray<Double>)

    /// Wraps a typed array.
    public init<Element: NDArrayElement>(_ array: NDArray<Element>) {
        switch array {
        case let a as NDArray<Bool>: self = .bool(a)
        case let a as NDArray<Int8>: self = .int8(a)
        case let a as NDArray<Int16>: self = .int16(a)
        case let a as NDArray<Int32>: self = .int32(a)
        case let a as NDArray<Int64>: self = .int64(a)
        case let a as NDArray<UInt8>: self = .uint8(a)
        case let a as NDArray<UInt16>: self = .uint16(a)
        case let a as NDArray<UInt32>: self = .uint32(a)
        case let a as NDArray<UInt64>: self = .uint64(a)
        case let a as NDArray<Float16>: self = .float16(a)
        case let a as NDArray<Float>: self = .float32(a)
        case let a as NDArray<Double>: self = .float64(a)
        default: preconditionFailure("\(Element.self) is not a supported NDArray element type")
        }
    }

    /// An array of the given type and shape filled with zeros.
    public init(zeros dataType: DataType, shape: [Int], order: MemoryOrder = .rowMajor) {
        self = dataType.visit(Zeros(shape: shape, order: order))
    }

    private struct Zeros: DataTypeVisitor {
        let shape: [Int], order: MemoryOrder
        func visit<E: NDArrayElement>(_: E.Type) -> AnyNDArray { AnyNDArray(NDArray<E>(shape: shape, order: order)) }
    }

    /// Decodes raw bytes of the given type; see ``NDArray/init(shape:bytes:endianness:order:)``.
    /// - Throws: ``CoreError`` `.shapeMismatch` when the byte count does not fit the shape.
    public init(dataType: DataType, shape: [Int], bytes: UnsafeRawBufferPointer, endianness: Endianness = .little, order: MemoryOrder = .rowMajor) throws {
        self = try dataType.visit(Decode(shape: shape, bytes: bytes, endianness: endianness, order: order))
    }

    private struct Decode: DataTypeVisitor {
        let shape: [Int], bytes: UnsafeRawBufferPointer, endianness: Endianness, order: MemoryOrder
        func visit<E: NDArrayElement>(_: E.Type) throws -> AnyNDArray {
            AnyNDArray(try NDArray<E>(shape: shape, bytes: bytes, endianness: endianness, order: order))
        }
    }

    /// The wrapped array's element type.
    public var dataType: DataType { apply { $0.dataType } }

    /// The wrapped array's shape.
    public var shape: [Int] { apply { $0.shape } }

    /// The wrapped array's memory order.
    public var order: MemoryOrder { apply { $0.order } }

    /// The elements' bytes in ``order`` and the given byte order.
    public func bytes(endianness: Endianness = .little) -> [UInt8] { apply { $0.bytes(endianness: endianness) } }

    /// The wrapped array if its element type is `Element`, otherwise `nil`.
    public func typed<Element: NDArrayElement>(as type: Element.Type = Element.self) -> NDArray<Element>? {
        apply { $0 as? NDArray<Element> }
    }

    /// The array in row-major (C) order; itself when it already is.
    public var rowMajor: AnyNDArray { visit(RowMajor()) }

    private struct RowMajor: NDArrayVisitor {
        func visit<E: NDArrayElement>(_ array: NDArray<E>) -> AnyNDArray { AnyNDArray(array.reordered(.rowMajor)) }
    }

    /// Calls `body` with the elements' bytes in native byte order and the array's own ``order``, without copying.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try apply { try $0.withUnsafeBytes(body) }
    }

    /// Runs a generic function on the wrapped typed array.
    public func apply<R>(_ body: (any NDArrayProtocol) throws -> R) rethrows -> R {
        try body(visit(Existential()))
    }

    private struct Existential: NDArrayVisitor {
        func visit<E: NDArrayElement>(_ array: NDArray<E>) -> any NDArrayProtocol { array }
    }
}

/// What every ``NDArray`` offers whatever its element type; lets ``AnyNDArray`` work generically.
public protocol NDArrayProtocol: Sendable {
    /// Extent per axis.
    var shape: [Int] { get }
    /// Layout of the elements.
    var order: MemoryOrder { get }
    /// The element type.
    var dataType: DataType { get }
    /// The elements' bytes in the given byte order.
    func bytes(endianness: Endianness) -> [UInt8]
    /// Calls `body` with the elements' bytes in native byte order and the array's own ``order``, without copying.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension NDArray: NDArrayProtocol {
    /// The element type.
    public var dataType: DataType { Element.dataType }
}
