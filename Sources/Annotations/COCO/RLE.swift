/// A binary mask as COCO run-length encoding: the runs of a `height` × `width` mask read in
/// column-major order (pixel index `x * height + y`), starting with a run of zeros.
///
/// This is the `RLE` of pycocotools' `maskApi.c` (https://github.com/cocodataset/cocoapi), and every
/// operation here follows that C code step by step, so results are identical to pycocotools:
/// ``area``, ``boundingBox``, ``merge(_:intersect:)``, ``iou(_:_:crowd:)``,
/// ``init(polygon:height:width:)``, ``compressedCounts`` and ``init(compressed:height:width:)-(String,_,_)``.
/// See `../shared/spec/FORMATS.md`, section COCO.
///
/// An `RLE` always describes a whole mask: its counts add up to `height * width`.
public struct RLE: Sendable, Hashable {
    /// Rows of the mask (COCO `size[0]`).
    public let height: Int
    /// Columns of the mask (COCO `size[1]`).
    public let width: Int
    /// Alternating run lengths of zeros and ones in column-major order, starting with zeros
    /// (COCO's uncompressed `counts`).
    public let counts: [UInt32]

    /// The largest number of pixels a mask may have: COCO counts are unsigned 32-bit.
    public static let maximumPixelCount = Int(UInt32.max)

    /// A run-length encoding from its size and counts.
    ///
    /// - Throws: ``AnnotationError`` `.invalidRLE` when a size is negative, the mask has more than
    ///   ``maximumPixelCount`` pixels, or the counts do not add up to `height * width`.
    public init(height: Int, width: Int, counts: [UInt32]) throws {
        try RLE.checkSize(height: height, width: width)
        var total: UInt64 = 0
        for count in counts { total += UInt64(count) }
        guard total == UInt64(height * width) else {
            throw AnnotationError(
                .invalidRLE,
                "the runs add up to \(total) pixels but size [\(height), \(width)] has \(height * width); the counts must cover the mask exactly")
        }
        self.init(unchecked: height, width: width, counts: counts)
    }

    /// A run-length encoding the caller has already checked.
    init(unchecked height: Int, width: Int, counts: [UInt32]) {
        self.height = height
        self.width = width
        self.counts = counts
    }

    /// An all-zero mask of the given size.
    /// - Throws: ``AnnotationError`` `.invalidRLE` for a negative or too large size.
    public static func empty(height: Int, width: Int) throws -> RLE {
        try checkSize(height: height, width: width)
        return RLE(unchecked: height, width: width, counts: [UInt32(height * width)])
    }

    /// Checks that a mask size is non-negative and has at most ``maximumPixelCount`` pixels.
    /// - Throws: ``AnnotationError`` `.invalidRLE` naming the size.
    static func checkSize(height: Int, width: Int) throws {
        guard height >= 0, width >= 0 else {
            throw AnnotationError(.invalidRLE, "size [\(height), \(width)] has a negative extent; give [height, width] in pixels")
        }
        let (pixels, overflow) = height.multipliedReportingOverflow(by: width)
        guard !overflow, pixels <= maximumPixelCount else {
            throw AnnotationError(.invalidRLE, "size [\(height), \(width)] has more than \(maximumPixelCount) pixels, which COCO's 32-bit counts cannot hold; split the image into tiles")
        }
    }

    /// The number of pixels in the mask (`height * width`).
    public var pixelCount: Int { height * width }

    /// The number of foreground pixels: the sum of the odd-indexed counts (pycocotools `area`).
    public var area: Int {
        var sum: UInt32 = 0
        var index = 1
        while index < counts.count {
            sum &+= counts[index]
            index += 2
        }
        return Int(sum)
    }

    /// The tight box `[x, y, width, height]` around the foreground, as pycocotools' `toBbox`
    /// computes it (the fixed version that skips zero-length runs, arithmetic in unsigned 32 bits).
    ///
    /// An all-zero mask gives `[0, 0, 0, 0]`. Like pycocotools, a mask whose only foreground runs
    /// are empty gives the C code's wrapped values.
    public var boundingBox: BoundingBox {
        let h = UInt32(truncatingIfNeeded: height)
        let w = UInt32(truncatingIfNeeded: width)
        let m = (counts.count / 2) * 2
        if m == 0 { return BoundingBox(x: 0, y: 0, width: 0, height: 0) }
        var xs = w, ys = h, xe: UInt32 = 0, ye: UInt32 = 0, cc: UInt32 = 0
        for j in 0..<m {
            let start = cc
            cc &+= counts[j]
            if j % 2 == 0 || counts[j] == 0 { continue }
            let yStart = start % h, xStart = (start &- yStart) / h
            let yEnd = (cc &- 1) % h, xEnd = (cc &- 1 &- yEnd) / h
            xs = Swift.min(xs, xStart)
            xe = Swift.max(xe, xEnd)
            if xStart < xEnd {
                ys = 0
                ye = h &- 1
            } else {
                ys = Swift.min(ys, yStart)
                ye = Swift.max(ye, yEnd)
            }
        }
        return BoundingBox(x: Double(xs), y: Double(ys), width: Double(xe &- xs &+ 1), height: Double(ye &- ys &+ 1))
    }
}
