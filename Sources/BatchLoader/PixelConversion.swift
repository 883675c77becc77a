import MIFACore
import Foundation

/// Copies runs of elements from one type to another: the native type as is, or to `float32`.
struct PixelConversion: Sendable {
    /// Copies `count` elements from `source` to `destination`.
    let copy: @Sendable (UnsafeRawPointer, UnsafeMutableRawPointer, Int) -> Void

    /// A conversion from `source` to `destination` (the same type, or `float32`).
    init(from source: DataType, to destination: DataType) {
        if source == destination {
            let size = source.byteSize
            copy = { src, dst, n in dst.copyMemory(from: src, byteCount: n * size) }
            return
        }
        precondition(destination == .float32, "the loader converts to float32 only")
        switch source {
        case .bool: copy = Self.toFloat(Bool.self) { $0 ? 1 : 0 }
        case .int8: copy = Self.toFloat(Int8.self) { Float($0) }
        case .int16: copy = Self.toFloat(Int16.self) { Float($0) }
        case .int32: copy = Self.toFloat(Int32.self) { Float($0) }
        case .int64: copy = Self.toFloat(Int64.self) { Float($0) }
        case .uint8: copy = Self.toFloat(UInt8.self) { Float($0) }
        case .uint16: copy = Self.toFloat(UInt16.self) { Float($0) }
        case .uint32: copy = Self.toFloat(UInt32.self) { Float($0) }
        case .uint64: copy = Self.toFloat(UInt64.self) { Float($0) }
        case .float16: copy = Self.toFloat(Float16.self) { Float($0) }
        case .float32: copy = Self.toFloat(Float.self) { $0 }
        case .float64: copy = Self.toFloat(Double.self) { Float($0) }
        }
    }

    private static func toFloat<S: NDArrayElement>(_: S.Type, _ convert: @escaping @Sendable (S) -> Float)
        -> @Sendable (UnsafeRawPointer, UnsafeMutableRawPointer, Int) -> Void {
        { src, dst, n in
            let s = src.assumingMemoryBound(to: S.self)
            let d = dst.assumingMemoryBound(to: Float.self)
            for i in 0..<n { d[i] = convert(s[i]) }
        }
    }
}

/// Per-channel normalisation of float32 images: `(value - mean[c]) / std[c]`.
public struct Normalization: Sendable, Hashable {
    /// The mean per channel (one value for all channels).
    public var mean: [Float]
    /// The standard deviation per channel (one value for all channels).
    public var std: [Float]

    /// A normalisation by `mean` and `std` (one value, or one per selected channel).
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// The mean and std of channel `c`.
    func parameters(_ c: Int) -> (Float, Float) {
        (mean.count == 1 ? mean[0] : mean[c], std.count == 1 ? std[0] : std[c])
    }
}
