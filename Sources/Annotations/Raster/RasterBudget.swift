public import MIFACore

/// The most memory one image's raster work may take: a label image drawn from annotations, or the
/// per-row tables behind a COCO mask's row spans and traced outlines.
///
/// Sizes come from input files (an image's `width` and `height`, an RLE's `size`), so a few hundred
/// bytes can claim a canvas of gigabytes. Whatever needs memory in proportion to such a size checks
/// it here first and refuses with ``AnnotationError`` `.tooLarge` (naming the image, its size, the
/// memory it would take and the limit) instead of allocating. The default is
/// ``defaultMaxBytes`` (1 GiB); `mifa convert --budget-mb` raises or lowers it.
public struct RasterBudget: Sendable, Hashable {
    /// The most bytes one image's raster may take.
    public var maxBytes: Int

    /// 1 GiB: a 32768×32768 label image with 8-bit labels, or a 16384×16384 one with 32-bit labels.
    public static let defaultMaxBytes = 1 << 30

    /// Bytes of per-row tables one row of a mask costs when its spans are built or traced
    /// (the open column, the row's span list and the row index).
    public static let bytesPerMaskRow = 32

    /// A budget of `maxBytes` bytes (at least 0).
    public init(maxBytes: Int = RasterBudget.defaultMaxBytes) {
        self.maxBytes = max(0, maxBytes)
    }

    /// The default budget, ``defaultMaxBytes``.
    public static let `default` = RasterBudget()

    /// Checks that `count` items of `bytesEach` bytes fit the budget.
    ///
    /// - Parameters:
    ///   - what: what would be allocated, for the message (`"the label image of image 1 (46340×46340, uint32 labels)"`).
    ///   - count: how many items (pixels, rows).
    ///   - bytesEach: bytes per item.
    ///   - context: where the size came from.
    /// - Returns: the bytes it takes.
    /// - Throws: ``AnnotationError`` `.tooLarge` when the product overflows or exceeds ``maxBytes``.
    @discardableResult
    public func check(_ what: String, count: Int, bytesEach: Int, context: ErrorContext = ErrorContext()) throws -> Int {
        let (bytes, overflow) = max(count, 0).multipliedReportingOverflow(by: max(bytesEach, 0))
        guard !overflow, bytes <= maxBytes else {
            let needed = overflow ? "more than \(byteCountText(Int.max))" : byteCountText(bytes)
            throw AnnotationError(
                .tooLarge,
                "\(what) would take \(needed) of memory, more than the limit of \(byteCountText(maxBytes)); raise the limit with --budget-mb (RasterBudget.maxBytes) if the machine has the memory, or split the image into tiles",
                context: context)
        }
        return bytes
    }

    /// Checks that a `width` × `height` label image of `dataType` fits the budget.
    /// - Throws: ``AnnotationError`` `.tooLarge` as ``check(_:count:bytesEach:context:)``.
    public func checkLabelImage(of image: String, width: Int, height: Int, dataType: DataType, context: ErrorContext = ErrorContext()) throws {
        let (pixels, overflow) = max(width, 0).multipliedReportingOverflow(by: max(height, 0))
        try check(
            "the \(width)×\(height) label image of \(image) (\(dataType.rawValue) labels)", count: overflow ? Int.max : pixels,
            bytesEach: overflow ? 2 : dataType.byteSize, context: context)
    }
}
