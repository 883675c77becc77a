/// A Swift scalar type that can be the element of an ``NDArray``.
///
/// Conforming types are trivial (bitwise copyable) so arrays of them can be filled from and written
/// to raw buffers without per-element work.
public protocol NDArrayElement: Sendable, Hashable, BitwiseCopyable {
    /// The ``DataType`` this Swift type stores.
    static var dataType: DataType { get }
    /// The value of a freshly allocated element (`0`, `false`).
    static var zero: Self { get }
}

extension Bool: NDArrayElement {
    /// ``DataType/bool``.
    public static var dataType: DataType { .bool }
    /// `false`.
    public static var zero: Bool { false }
}

extension Int8: NDArrayElement {
    /// ``DataType/int8``.
    public static var dataType: DataType { .int8 }
}

extension Int16: NDArrayElement {
    /// ``DataType/int16``.
    public static var dataType: DataType { .int16 }
}

extension Int32: NDArrayElement {
    /// ``DataType/int32``.
    public static var dataType: DataType { .int32 }
}

extension Int64: NDArrayElement {
    /// ``DataType/int64``.
    public static var dataType: DataType { .int64 }
}

extension UInt8: NDArrayElement {
    /// ``DataType/uint8``.
    public static var dataType: DataType { .uint8 }
}

extension UInt16: NDArrayElement {
    /// ``DataType/uint16``.
    public static var dataType: DataType { .uint16 }
}

extension UInt32: NDArrayElement {
    /// ``DataType/uint32``.
    public static var dataType: DataType { .uint32 }
}

extension UInt64: NDArrayElement {
    /// ``DataType/uint64``.
    public static var dataType: DataType { .uint64 }
}

extension Float16: NDArrayElement {
    /// ``DataType/float16``.
    public static var dataType: DataType { .float16 }
}

extension Float: NDArrayElement {
    /// ``DataType/float32``.
    public static var dataType: DataType { .float32 }
}

extension Double: NDArrayElement {
    /// ``DataType/float64``.
    public static var dataType: DataType { .float64 }
}
