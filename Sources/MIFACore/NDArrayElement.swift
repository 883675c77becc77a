/// A Swift scalar type that can be the element of an ``NDArray``.
///
/// Conforming types are trivial (bitwise copyable) so arrays of them can be filled from and written
/// to raw buffers without per-element work.
public protocol NDArrayElement: Sendable, Hashable, BitwiseCopyable {
    /// The ``DataType`` this Swift type stores.
    static var dataType: DataType { get }
    /// The value of a freshly allocated element (`0`, `false`).
    static var zero: Self { get }
    /// The value as a `Double` (`true` is 1; 64-bit integers beyond 2^53 rounded), as images are drawn.
    var doubleValue: Double { get }
    /// The value as a label: integers as `Int64` (a `uint64` above `Int64.max` wraps to a negative
    /// value), `true` 1, floats truncated toward zero (0 when not finite or beyond ±9e18).
    var labelValue: Int64 { get }
}

extension NDArrayElement where Self: FixedWidthInteger {
    /// The ``DataType`` of the integer's width and signedness.
    @inlinable public static var dataType: DataType {
        switch bitWidth {
        case 8: isSigned ? .int8 : .uint8
        case 16: isSigned ? .int16 : .uint16
        case 32: isSigned ? .int32 : .uint32
        default: isSigned ? .int64 : .uint64
        }
    }
    /// The integer as a `Double`.
    @inlinable public var doubleValue: Double { Double(self) }
    /// The integer's bits as an `Int64`.
    @inlinable public var labelValue: Int64 { Int64(truncatingIfNeeded: self) }
}

extension NDArrayElement where Self: BinaryFloatingPoint {
    /// The ``DataType`` of the float's width.
    @inlinable public static var dataType: DataType {
        switch MemoryLayout<Self>.size {
        case 2: .float16
        case 4: .float32
        default: .float64
        }
    }
    /// The float as a `Double`.
    @inlinable public var doubleValue: Double { Double(self) }
    /// The float truncated toward zero; 0 when not finite or beyond ±9e18.
    @inlinable public var labelValue: Int64 { isFinite && Swift.abs(self) < 9e18 ? Int64(self) : 0 }
}

extension Bool: NDArrayElement {
    /// ``DataType/bool``.
    public static var dataType: DataType { .bool }
    /// `false`.
    public static var zero: Bool { false }
    /// 1 for `true`, 0 for `false`.
    @inlinable public var doubleValue: Double { self ? 1 : 0 }
    /// 1 for `true`, 0 for `false`.
    @inlinable public var labelValue: Int64 { self ? 1 : 0 }
}

extension Int8: NDArrayElement {}
extension Int16: NDArrayElement {}
extension Int32: NDArrayElement {}
extension Int64: NDArrayElement {}
extension UInt8: NDArrayElement {}
extension UInt16: NDArrayElement {}
extension UInt32: NDArrayElement {}
extension UInt64: NDArrayElement {}
extension Float16: NDArrayElement {}
extension Float: NDArrayElement {}
extension Double: NDArrayElement {}
