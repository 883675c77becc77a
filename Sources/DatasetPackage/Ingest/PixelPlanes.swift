import MIFACore

/// Small pixel operations of the ingest: one sample of an RGB raster as a plane, label counting.
enum PixelPlanes {
    /// Sample `sample` of a `[y, x, s]` (interleaved) or `[s, y, x]` (planar) row-major array, as `[y, x]`.
    /// - Throws: ``PackageError`` `.invalidInput` for a boolean array.
    static func sample(_ sample: Int, of array: AnyNDArray, height: Int, width: Int, samples: Int, interleaved: Bool) throws -> AnyNDArray {
        if case .bool = array { throw PackageError(.invalidInput, "boolean images with samples are not supported") }
        let count = height * width
        return try array.rowMajor.plane(at: interleaved ? sample : sample * count, height: height, width: width,
                                        yStride: interleaved ? width * samples : width, xStride: interleaved ? samples : 1)
    }

    /// A label array ready for OME-Zarr: booleans become `uint8` 0/1; floating point is refused.
    /// - Throws: ``PackageError`` `.invalidInput` for floating-point pixels.
    static func labelArray(_ array: AnyNDArray, file: String) throws -> AnyNDArray {
        switch array {
        case .bool(let a):
            return AnyNDArray(try NDArray<UInt8>(shape: a.shape, elements: a.elements.map { $0 ? 1 : 0 }, order: a.order))
        case .float16, .float32, .float64:
            throw PackageError(.invalidInput, "the mask holds floating-point pixels; a label image holds integers (0 = background, one value per object or class)", context: ErrorContext(file: file))
        default:
            return array
        }
    }

    /// The number of distinct non-zero values of an integer array (the objects of an instance mask).
    static func objectCount(_ array: AnyNDArray) -> Int {
        array.dataType.isInteger ? array.visit(DistinctNonzero()) : 0
    }

    private struct DistinctNonzero: NDArrayVisitor {
        func visit<E: NDArrayElement>(_ array: NDArray<E>) -> Int { Set(array.elements.lazy.filter { $0 != E.zero }).count }
    }
}
