public import Annotations

/// Inter-annotator agreement of two annotation sets on the images both annotate (`mifa audit`,
/// key `agreement`): MIFA's annotation confidence measured instead of declared.
///
/// Rules, so that anyone can recompute the figures:
/// - The objects of a set on an image are its areal vector objects (polygons, rectangles,
///   ellipses, boxes, masks) rasterised on the image's full-resolution grid with the pixel-centre
///   rule (a pixel belongs to a shape when its centre is inside; the rasteriser of the Annotations
///   module), and the non-zero values of its label image, each value one object. Objects with no
///   pixel on the grid are left out. Vector and label objects of one set on one image are pooled.
/// - Two objects match when their pixel IoU is at least ``AnnotationAgreement/iouThreshold`` (0.5). Matching is greedy:
///   candidate pairs in order of decreasing IoU (ties: lower index in the first set, then in the
///   second), each object at most once, as COCO evaluation matches.
/// - F1 = 2 x matched / (objects of the first set + objects of the second), over the images both
///   annotate; mean Dice = the mean over matched pairs of 2|A∩B| / (|A| + |B|) = 2 IoU / (1 + IoU).
public struct SetAgreement: Sendable, Hashable, Codable {
    /// The two set ids, in byte order.
    public var sets: [String]
    /// The images both sets annotate.
    public var images: [String]
    /// The objects of each set on those images.
    public var objects: [Int]
    /// How many pairs matched.
    public var matched: Int
    /// Matched-object F1; `nil` when neither set has an object there.
    public var f1: Double?
    /// Mean Dice of the matched pairs; `nil` when none matched.
    public var meanDice: Double?

    /// An agreement result.
    public init(sets: [String], images: [String], objects: [Int], matched: Int, f1: Double?, meanDice: Double?) {
        self.sets = sets
        self.images = images
        self.objects = objects
        self.matched = matched
        self.f1 = f1
        self.meanDice = meanDice
    }

    enum CodingKeys: String, CodingKey {
        case sets, images, objects, matched, f1
        case meanDice = "mean_dice"
    }
}

/// The matching behind ``SetAgreement``.
public enum AnnotationAgreement {
    /// The IoU from which two objects match.
    public static let iouThreshold = 0.5

    /// The most objects a set may have on one image for its agreement to be measured (65,536, far
    /// above the densest cell segmentation): a label image of noise has about one object per pixel,
    /// and matching those would take minutes and gigabytes for no meaningful figure.
    public static let maximumObjectsPerImage = 1 << 16

    /// The agreement of two sets gathered image by image, so that only one image's masks are ever
    /// held: ``add(image:_:_:)`` for each image both annotate, then ``result(_:_:)``.
    public struct Tally: Sendable {
        private var images: [String] = []
        private var counts = [0, 0], matched = 0, diceSum = 0.0

        /// An empty tally.
        public init() {}

        /// Matches the masks of the two sets on `image` (one grid) and counts them.
        /// - Throws: as ``AnnotationAgreement/match(_:_:)``.
        public mutating func add(image: String, _ a: [RLE], _ b: [RLE]) throws {
            let pairs = try match(a, b)
            images.append(image)
            counts[0] += a.count
            counts[1] += b.count
            matched += pairs.count
            diceSum += pairs.reduce(0) { $0 + 2 * $1.iou / (1 + $1.iou) }
        }

        /// The agreement of `setA` and `setB` over the images added (in byte order).
        public func result(_ setA: String, _ setB: String) -> SetAgreement {
            let total = counts[0] + counts[1]
            return SetAgreement(
                sets: [setA, setB], images: images.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, objects: counts, matched: matched,
                f1: total == 0 ? nil : Double(2 * matched) / Double(total), meanDice: matched == 0 ? nil : diceSum / Double(matched))
        }
    }

    /// The greedy matching of two lists of masks of one image grid: pairs (index in `a`, index in
    /// `b`, IoU), see ``SetAgreement``.
    /// - Throws: `AnnotationError` when masks have different sizes.
    public static func match(_ a: [RLE], _ b: [RLE]) throws -> [(a: Int, b: Int, iou: Double)] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        let grid = ShapeGrid(b.map(\.boundingBox))
        var candidates: [(iou: Double, a: Int, b: Int)] = []
        for (i, mask) in a.enumerated() {
            for j in grid.candidates(for: mask.boundingBox) where VectorSetComparison.mayReachThreshold(mask, b[j]) {
                let iou = try RLE.iou([mask], [b[j]])[0][0]
                if iou >= iouThreshold { candidates.append((iou, i, j)) }
            }
        }
        candidates.sort { ($0.iou, -$0.a, -$0.b) > ($1.iou, -$1.a, -$1.b) }
        var usedA = Set<Int>(), usedB = Set<Int>()
        var pairs: [(a: Int, b: Int, iou: Double)] = []
        for candidate in candidates where !usedA.contains(candidate.a) && !usedB.contains(candidate.b) {
            usedA.insert(candidate.a)
            usedB.insert(candidate.b)
            pairs.append((candidate.a, candidate.b, candidate.iou))
        }
        return pairs
    }
}
