/// An axis-aligned box in pixels, corner-based: `[x, x + width) × [y, y + height)`, optionally
/// extended in depth to `[z, z + depth)` for 3-D boxes.
///
/// `x, y, width, height` is COCO's `bbox` order (https://cocodataset.org/#format-data).
public struct BoundingBox: Sendable, Hashable {
    /// Left edge.
    public var x: Double
    /// Top edge.
    public var y: Double
    /// Extent along x.
    public var width: Double
    /// Extent along y.
    public var height: Double
    /// Front edge of a 3-D box; `nil` for a 2-D box.
    public var z: Double?
    /// Extent along z of a 3-D box; `nil` for a 2-D box.
    public var depth: Double?

    /// A 2-D box, or a 3-D box when `z` and `depth` are given.
    public init(x: Double, y: Double, width: Double, height: Double, z: Double? = nil, depth: Double? = nil) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.z = z
        self.depth = depth
    }

    /// Whether the box has a depth extent.
    public var is3D: Bool { z != nil && depth != nil }

    /// `width * height` (times `depth` for a 3-D box).
    public var area: Double { width * height * (depth ?? 1) }

    /// `[x, y, width, height]`, COCO's order.
    public var cocoArray: [Double] { [x, y, width, height] }

    /// Whether every coordinate is finite and the extents are not negative.
    public var isValid: Bool {
        [x, y, width, height, z ?? 0, depth ?? 0].allSatisfy(\.isFinite) && width >= 0 && height >= 0 && (depth ?? 0) >= 0
    }

    /// Box IoU of every detection with every ground-truth box, exactly as pycocotools' `bbIou`:
    /// against a crowd box the union is the detection's area. 2-D only (z is ignored).
    ///
    /// - Returns: `m` rows of `n` values (`result[d][g]`).
    public static func iou(_ detections: [BoundingBox], _ groundTruth: [BoundingBox], crowd: [Bool] = []) -> [[Double]] {
        var result = [[Double]](repeating: [Double](repeating: 0, count: groundTruth.count), count: detections.count)
        for (g, gt) in groundTruth.enumerated() {
            let ga = gt.width * gt.height
            let isCrowd = g < crowd.count && crowd[g]
            for (d, dt) in detections.enumerated() {
                let da = dt.width * dt.height
                let w = Double.minimum(dt.width + dt.x, gt.width + gt.x) - Double.maximum(dt.x, gt.x)
                if w <= 0 { continue }
                let h = Double.minimum(dt.height + dt.y, gt.height + gt.y) - Double.maximum(dt.y, gt.y)
                if h <= 0 { continue }
                let i = w * h
                let u = isCrowd ? da : da + ga - i
                result[d][g] = i / u
            }
        }
        return result
    }
}
