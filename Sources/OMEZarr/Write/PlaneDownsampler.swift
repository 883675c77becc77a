import MIFACore

/// Halves a plane in y and x (and, given the next plane, in z) with a ``PyramidReduction``.
///
/// Output pixel `(r, c)` reduces input rows `2r, 2r+1` and columns `2c, 2c+1` that exist (and the
/// same pixels of the second plane). Large planes are split into bands of rows reduced in parallel.
enum PlaneDownsampler {
    /// Rows per band below which one thread does the whole plane.
    static let bandRows = 128

    /// The reduced plane of shape `[ceil(h/2), ceil(w/2)]`.
    /// - Precondition: `first` (and `second`, when given) have rank 2 and the same shape.
    static func downsample<T: PyramidPixel>(_ first: NDArray<T>, _ second: NDArray<T>?, reduction: PyramidReduction,
                                            concurrency: Int) -> NDArray<T> {
        precondition(first.rank == 2 && (second == nil || second!.shape == first.shape), "planes must be 2-D and of one shape")
        let height = first.shape[0], width = first.shape[1]
        let outHeight = (height + 1) / 2, outWidth = (width + 1) / 2
        var result = NDArray<T>(shape: [outHeight, outWidth])
        let bands = Swift.max(1, Swift.min(concurrency, outHeight / bandRows))
        first.elements.withUnsafeBufferPointer { a in
            let secondElements = second?.elements ?? ContiguousArray()
            secondElements.withUnsafeBufferPointer { b in
                result.elements.withUnsafeMutableBufferPointer { out in
                    let input = Input(a: a.baseAddress!, b: second == nil ? nil : b.baseAddress!, height: height, width: width, out: out.baseAddress!)
                    if bands == 1 {
                        reduceRows(input, rows: 0..<outHeight, reduction: reduction)
                    } else {
                        let perBand = (outHeight + bands - 1) / bands
                        Parallel.forEach(bands, concurrency: bands) { band, _ in
                            let rows = (band * perBand)..<Swift.min(outHeight, (band + 1) * perBand)
                            if !rows.isEmpty { reduceRows(input, rows: rows, reduction: reduction) }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The buffers of one reduction.
    struct Input<T>: @unchecked Sendable {
        let a: UnsafePointer<T>
        let b: UnsafePointer<T>?
        let height: Int
        let width: Int
        let out: UnsafeMutablePointer<T>
    }

    /// Reduces output rows `rows`.
    static func reduceRows<T: PyramidPixel>(_ input: Input<T>, rows: Range<Int>, reduction: PyramidReduction) {
        let width = input.width, height = input.height
        let outWidth = (width + 1) / 2
        let fullColumns = width / 2
        withUnsafeTemporaryAllocation(of: T.self, capacity: 8) { scratch in
            let values = scratch.baseAddress!
            for r in rows {
                let y0 = 2 * r
                let hasSecondRow = y0 + 1 < height
                let row0 = y0 * width, row1 = (hasSecondRow ? y0 + 1 : y0) * width
                let out = input.out + r * outWidth
                if input.b == nil && hasSecondRow && reduction == .mean {
                    let a = input.a
                    for c in 0..<fullColumns {
                        let x = 2 * c
                        out[c] = T.average4(a[row0 + x], a[row0 + x + 1], a[row1 + x], a[row1 + x + 1])
                    }
                } else if input.b == nil && hasSecondRow && reduction == .mode {
                    let a = input.a
                    for c in 0..<fullColumns {
                        let x = 2 * c
                        let p = a[row0 + x], q = a[row0 + x + 1], s = a[row1 + x], t = a[row1 + x + 1]
                        if p == q && p == s && p == t {
                            out[c] = p
                        } else {
                            values[0] = p; values[1] = q; values[2] = s; values[3] = t
                            out[c] = T.mode(values, 4)
                        }
                    }
                } else {
                    for c in 0..<fullColumns { out[c] = block(input, row0: row0, row1: hasSecondRow ? row1 : nil, x: 2 * c, wide: true, values, reduction) }
                }
                if fullColumns < outWidth {
                    out[fullColumns] = block(input, row0: row0, row1: hasSecondRow ? row1 : nil, x: 2 * fullColumns, wide: false, values, reduction)
                }
            }
        }
    }

    /// Appends one plane's part of a block to `values`.
    @inline(__always)
    static func gather<T>(_ plane: UnsafePointer<T>, row0: Int, row1: Int?, x: Int, wide: Bool, _ values: UnsafeMutablePointer<T>, _ count: inout Int) {
        values[count] = plane[row0 + x]; count += 1
        if wide { values[count] = plane[row0 + x + 1]; count += 1 }
        if let row1 {
            values[count] = plane[row1 + x]; count += 1
            if wide { values[count] = plane[row1 + x + 1]; count += 1 }
        }
    }

    /// Gathers one block into `values` and reduces it.
    @inline(__always)
    static func block<T: PyramidPixel>(_ input: Input<T>, row0: Int, row1: Int?, x: Int, wide: Bool,
                                       _ values: UnsafeMutablePointer<T>, _ reduction: PyramidReduction) -> T {
        var count = 0
        gather(input.a, row0: row0, row1: row1, x: x, wide: wide, values, &count)
        if let second = input.b { gather(second, row0: row0, row1: row1, x: x, wide: wide, values, &count) }
        return T.reduce(values, count, reduction)
    }
}
