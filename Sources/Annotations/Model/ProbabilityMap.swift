public import MIFACore

/// A per-pixel probability (or score) map: `[height, width]` floating-point values.
public struct ProbabilityMap: Sendable, Hashable {
    /// Rows.
    public let height: Int
    /// Columns.
    public let width: Int
    /// The values, row-major.
    public let values: [Float]

    /// A probability map from a 2-D floating-point array.
    /// - Throws: ``AnnotationError`` `.invalidArgument` for another rank or type.
    public init(_ array: AnyNDArray) throws {
        guard array.shape.count == 2 else {
            throw AnnotationError(.invalidArgument, "a probability map is 2-D [height, width], not shape \(array.shape)", context: ErrorContext(shape: array.shape))
        }
        (height, width) = (array.shape[0], array.shape[1])
        switch array {
        case .float16(let a): values = a.reordered(.rowMajor).elements.map { Float($0) }
        case .float32(let a): values = Array(a.reordered(.rowMajor).elements)
        case .float64(let a): values = a.reordered(.rowMajor).elements.map { Float($0) }
        default:
            throw AnnotationError(.invalidArgument, "a probability map holds floating-point values, not \(array.dataType.rawValue)")
        }
    }

    /// The pixels whose value is at least `threshold` (NaN never is), as a binary mask.
    public func threshold(_ threshold: Float) -> RowSpans {
        var spans = RowSpans(height: height, width: width)
        for y in 0..<height {
            var x = 0
            while x < width {
                guard values[y * width + x] >= threshold else { x += 1; continue }
                let start = x
                while x < width && values[y * width + x] >= threshold { x += 1 }
                spans.append(row: Int32(y), Int32(start), Int32(x))
            }
        }
        return spans
    }
}
