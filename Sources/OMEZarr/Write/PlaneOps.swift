import MIFACore

/// Per-plane operations on ``MIFACore/AnyNDArray``: one switch on the element type, then code
/// specialised for that type (generic code reached through an existential would run unspecialised,
/// element by element through value witnesses).
enum PlaneOps {
    /// The plane as a row-major array of `shape` (same elements), copying only when the layout differs.
    static func flatten(_ plane: AnyNDArray, to shape: [Int]) throws -> AnyNDArray {
        try plane.visit(Flatten(shape: shape))
    }

    private struct Flatten: NDArrayVisitor {
        let shape: [Int]
        func visit<T: NDArrayElement>(_ array: NDArray<T>) throws -> AnyNDArray {
            if array.shape == shape && array.order == .rowMajor { return AnyNDArray(array) }
            let dense = array.reordered(.rowMajor)
            return AnyNDArray(try OMEZarrError.wrapping("cannot lay out the plane") { try NDArray(shape: shape, elements: dense.elements) })
        }
    }

    /// The reduced plane (see ``PlaneDownsampler``).
    /// - Precondition: the element type is not `bool`, and `second` has the type and shape of `first`.
    static func downsample(_ first: AnyNDArray, _ second: AnyNDArray?, reduction: PyramidReduction, concurrency: Int) -> AnyNDArray {
        func run<T: PyramidPixel>(_ a: NDArray<T>) -> AnyNDArray {
            AnyNDArray(PlaneDownsampler.downsample(a, second?.typed(as: T.self), reduction: reduction, concurrency: concurrency))
        }
        switch first {
        case .bool: preconditionFailure("bool images are refused before any plane is written")
        case .int8(let a): return run(a)
        case .int16(let a): return run(a)
        case .int32(let a): return run(a)
        case .int64(let a): return run(a)
        case .uint8(let a): return run(a)
        case .uint16(let a): return run(a)
        case .uint32(let a): return run(a)
        case .uint64(let a): return run(a)
        case .float16(let a): return run(a)
        case .float32(let a): return run(a)
        case .float64(let a): return run(a)
        }
    }

    /// Adds the plane to the statistics.
    static func record(_ plane: AnyNDArray, into statistics: inout PlaneStatistics, channel: Int, collectsLabels: Bool) {
        switch plane {
        case .bool: break
        case .int8(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .int16(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .int32(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .int64(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .uint8(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .uint16(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .uint32(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .uint64(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .float16(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .float32(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        case .float64(let a): statistics.record(a, channel: channel, collectsLabels: collectsLabels)
        }
    }
}
