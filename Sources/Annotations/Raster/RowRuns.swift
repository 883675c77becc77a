import MIFACore

/// Every horizontal run of equal nonzero labels in a label image, row by row: the representation
/// the pixel-edge tracer, the statistics and the COCO encoder work on, so that memory follows the
/// number of runs and not the number of pixels (a sparse 20000×20000 mask has few runs).
struct RowRuns: Sendable {
    /// Rows of the image.
    let height: Int
    /// Columns of the image.
    let width: Int
    /// `rowStart[y] ..< rowStart[y + 1]` are the runs of row `y`; `height + 1` entries.
    var rowStart: [Int]
    /// First column of each run.
    var x0: [Int32]
    /// One past the last column of each run.
    var x1: [Int32]
    /// The label of each run (never 0).
    var label: [Int64]

    /// The runs of row `y`.
    @inline(__always) func runs(inRow y: Int) -> Range<Int> { rowStart[y]..<rowStart[y + 1] }

    /// Number of runs.
    var count: Int { label.count }

    /// Extracts the runs of a label image.
    /// - Throws: ``AnnotationError`` `.invalidArgument` for a `uint64` label above `Int64.max`,
    ///   `.tooLarge` for an image wider or taller than 2³¹−1 or with more than 2³¹−1 runs.
    static func extract(_ image: LabelImage) throws -> RowRuns {
        guard image.width < Int(Int32.max), image.height < Int(Int32.max) else {
            throw AnnotationError(.tooLarge, "a \(image.width)×\(image.height) label image is too large to trace; tile it")
        }
        guard !image.dataType.isFloatingPoint else { throw AnnotationError(.invalidArgument, "a label image holds integers") }
        return try image.array.visit(Extract(height: image.height, width: image.width))
    }

    private struct Extract: NDArrayVisitor {
        let height: Int, width: Int
        func visit<E: NDArrayElement>(_ array: NDArray<E>) throws -> RowRuns {
            try array.reordered(.rowMajor).elements.withUnsafeBufferPointer { try RowRuns.extract(buffer: $0, height: height, width: width) }
        }
    }

    /// The runs of a row-major buffer of `height * width` integers.
    static func extract<E: NDArrayElement>(buffer: UnsafeBufferPointer<E>, height: Int, width: Int) throws -> RowRuns {
        var runs = RowRuns(height: height, width: width, rowStart: [], x0: [], x1: [], label: [])
        runs.rowStart.reserveCapacity(height + 1)
        runs.rowStart.append(0)
        guard let base = buffer.baseAddress, width > 0 else {
            runs.rowStart = [Int](repeating: 0, count: height + 1)
            return runs
        }
        let raw = UnsafeRawPointer(base)
        let size = MemoryLayout<E>.stride
        let perWord = size <= 8 ? 8 / size : 1
        for y in 0..<height {
            let row = base + y * width
            let rowByteOffset = y * width * size
            var x = 0
            while x < width {
                while x + perWord <= width && raw.loadUnaligned(fromByteOffset: rowByteOffset + x * size, as: UInt64.self) == 0 {
                    x += perWord
                }
                while x < width && row[x] == E.zero { x += 1 }
                if x == width { break }
                let value = row[x]
                let start = x
                x += 1
                while x < width && row[x] == value { x += 1 }
                let label = value.labelValue
                guard label >= 0 || E.dataType != .uint64 else {
                    throw AnnotationError(.invalidArgument, "label \(value) at row \(y), column \(start) is above \(Int64.max); relabel the image")
                }
                runs.x0.append(Int32(start))
                runs.x1.append(Int32(x))
                runs.label.append(label)
            }
            guard runs.label.count < Int(Int32.max) else {
                throw AnnotationError(.tooLarge, "the label image has more than \(Int32.max) runs; tile it")
            }
            runs.rowStart.append(runs.label.count)
        }
        return runs
    }
}
