public import MIFACore

/// A 2-D label image: `[height, width]` integers (or booleans), 0 = background, one value per
/// object (an instance mask) or per class (a semantic mask) — DESIGN.md, "Label images".
///
/// Any integer element type is accepted; values are read as `Int64` (a `uint64` label above
/// `Int64.max` is refused).
public struct LabelImage: Sendable, Equatable {
    /// The labels, rank 2.
    public internal(set) var array: AnyNDArray

    /// A label image over an array already checked to be a rank-2 integer or boolean array.
    init(unchecked array: AnyNDArray) {
        self.array = array
    }

    /// A label image over an integer or boolean array of rank 2.
    /// - Throws: ``AnnotationError`` `.invalidArgument` for another rank or a floating-point type
    ///   (a probability map must be thresholded first, see ``ProbabilityMap``).
    public init(_ array: AnyNDArray) throws {
        guard array.shape.count == 2 else {
            throw AnnotationError(.invalidArgument, "a label image is 2-D [height, width], but this array has shape \(array.shape); pass one plane", context: ErrorContext(shape: array.shape))
        }
        guard !array.dataType.isFloatingPoint else {
            throw AnnotationError(.invalidArgument, "a label image holds integers, but this array holds \(array.dataType.rawValue); threshold a probability map first", context: ErrorContext(shape: array.shape))
        }
        self.array = array
    }

    /// A label image from a typed array.
    /// - Throws: ``AnnotationError`` as ``init(_:)-(AnyNDArray)``.
    public init<Element: NDArrayElement>(_ array: NDArray<Element>) throws {
        try self.init(AnyNDArray(array))
    }

    /// An all-background label image of the given size and type.
    /// - Throws: ``AnnotationError`` `.invalidArgument` for a floating-point type or a negative size.
    public init(zeros dataType: DataType, height: Int, width: Int) throws {
        guard height >= 0, width >= 0 else {
            throw AnnotationError(.invalidArgument, "a label image cannot be \(width)×\(height)")
        }
        try self.init(AnyNDArray(zeros: dataType, shape: [height, width]))
    }

    /// Rows.
    public var height: Int { array.shape[0] }
    /// Columns.
    public var width: Int { array.shape[1] }
    /// The element type.
    public var dataType: DataType { array.dataType }

    /// The largest label a value of `dataType` can hold.
    public static func maximumLabel(of dataType: DataType) -> Int64 { labelBounds(of: dataType).upperBound }

    /// The smallest label a value of `dataType` can hold.
    public static func minimumLabel(of dataType: DataType) -> Int64 { labelBounds(of: dataType).lowerBound }

    /// The labels of an integer type (clamped to `Int64`), `0...1` for `bool`, every `Int64` from 0 for floats.
    private static func labelBounds(of dataType: DataType) -> ClosedRange<Int64> {
        func bounds<T: FixedWidthInteger>(_: T.Type) -> ClosedRange<Int64> { Int64(clamping: T.min)...Int64(clamping: T.max) }
        if dataType == .bool { return 0...1 }
        return (dataType.elementType as? any FixedWidthInteger.Type).map { bounds($0) } ?? 0...Int64.max
    }

    /// The smallest unsigned type that holds labels up to `maximum`.
    public static func dataType(forMaximumLabel maximum: Int64) -> DataType {
        if maximum <= Int64(UInt8.max) { return .uint8 }
        if maximum <= Int64(UInt16.max) { return .uint16 }
        if maximum <= Int64(UInt32.max) { return .uint32 }
        return .uint64
    }

    /// The label at row `y`, column `x`.
    public subscript(y: Int, x: Int) -> Int64 { array.visit(LabelAt(y: y, x: x)) }

    private struct LabelAt: NDArrayVisitor {
        let y: Int, x: Int
        func visit<E: NDArrayElement>(_ array: NDArray<E>) -> Int64 { array[y, x].labelValue }
    }
}
