extension AnyNDArray {
    /// The `[height, width]` plane whose first element is at `offset` of the storage (in the
    /// array's own memory order), rows `yStride` and columns `xStride` elements apart: one plane of
    /// a row-major stack (`yStride` the width, `xStride` 1), one sample of interleaved pixels
    /// (`xStride` the samples per pixel), one plane of a TIFF page.
    /// - Throws: ``CoreError`` `.invalidRegion` when the plane reaches outside the storage.
    public func plane(at offset: Int, height: Int, width: Int, yStride: Int, xStride: Int) throws -> AnyNDArray {
        try visit(PlaneCut(offset: offset, height: height, width: width, yStride: yStride, xStride: xStride))
    }

    private struct PlaneCut: NDArrayVisitor {
        let offset: Int, height: Int, width: Int, yStride: Int, xStride: Int

        func visit<T: NDArrayElement>(_ typed: NDArray<T>) throws -> AnyNDArray {
            let last = offset + (height - 1) * yStride + (width - 1) * xStride
            guard offset >= 0, last < typed.count else {
                throw CoreError(.invalidRegion, "the array holds \(typed.count) values, too few for a \(height)x\(width) plane at \(offset)")
            }
            if xStride == 1, yStride == width {
                // Contiguous rows: the whole storage as it is, or one copy of the plane's run.
                if offset == 0, typed.count == height * width { return AnyNDArray(try NDArray(shape: [height, width], elements: typed.elements)) }
                return AnyNDArray(try NDArray(shape: [height, width], elements: typed.elements[offset..<(offset + height * width)]))
            }
            let plane = try NDArray<T>(unsafeUninitializedShape: [height, width]) { out in
                typed.elements.withUnsafeBufferPointer { source in
                    for y in 0..<height {
                        let row = offset + y * yStride
                        for x in 0..<width { out[y * width + x] = source[row + x * xStride] }
                    }
                }
            }
            return AnyNDArray(plane)
        }
    }
}
