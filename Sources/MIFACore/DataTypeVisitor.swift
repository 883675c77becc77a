/// Work that is generic over an element type known only at run time: the one way MIFAKit goes
/// from a ``DataType`` to code specialised for its Swift type.
///
/// Swift closures cannot be generic; a visitor's ``visit(_:)`` can, and ``DataType/visit(_:)``
/// calls it with the Swift type of a ``DataType``. The dispatch is inlinable, so a visitor in any
/// module gets code specialised for each element type.
public protocol DataTypeVisitor {
    /// What the work returns.
    associatedtype Result
    /// What the work throws; `Never` when it cannot fail.
    associatedtype Failure: Error = Never
    /// Does the work for element type `E`.
    func visit<E: NDArrayElement>(_ type: E.Type) throws(Failure) -> Result
}

/// Work that is generic over the element type of an ``AnyNDArray``, run with the typed array by
/// ``AnyNDArray/visit(_:)``; as ``DataTypeVisitor``, the dispatch is specialised in the caller's module.
public protocol NDArrayVisitor {
    /// What the work returns.
    associatedtype Result
    /// What the work throws; `Never` when it cannot fail.
    associatedtype Failure: Error = Never
    /// Does the work on a typed array.
    func visit<E: NDArrayElement>(_ array: NDArray<E>) throws(Failure) -> Result
}

extension DataType {
    /// Runs `visitor` with the Swift element type of this data type.
    @inlinable
    public func visit<V: DataTypeVisitor>(_ visitor: V) throws(V.Failure) -> V.Result {
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

    /// The Swift element type, for cold paths that ask about it through an existential
    /// (`as? any FixedWidthInteger.Type`); hot paths use ``visit(_:)``.
    public var elementType: any NDArrayElement.Type { visit(ElementType()) }

    private struct ElementType: DataTypeVisitor {
        func visit<E: NDArrayElement>(_ type: E.Type) -> any NDArrayElement.Type { type }
    }
}

extension AnyNDArray {
    /// Runs `visitor` with the wrapped typed array.
    @inlinable
    public func visit<V: NDArrayVisitor>(_ visitor: V) throws(V.Failure) -> V.Result {
        switch self {
        case .bool(let a): try visitor.visit(a)
        case .int8(let a): try visitor.visit(a)
        case .int16(let a): try visitor.visit(a)
        case .int32(let a): try visitor.visit(a)
        case .int64(let a): try visitor.visit(a)
        case .uint8(let a): try visitor.visit(a)
        case .uint16(let a): try visitor.visit(a)
        case .uint32(let a): try visitor.visit(a)
        case .uint64(let a): try visitor.visit(a)
        case .float16(let a): try visitor.visit(a)
        case .float32(let a): try visitor.visit(a)
        case .float64(let a): try visitor.visit(a)
        }
    }
}
