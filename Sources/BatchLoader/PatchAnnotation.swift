public import Annotations

/// One vector annotation as it falls in a patch: in patch pixel coordinates (origin at the patch's
/// top-left corner, pixels of the sampled level), clipped to the patch, after augmentation.
public struct PatchAnnotation: Sendable, Hashable {
    /// The clipped shape.
    public enum Shape: Sendable, Hashable {
        /// A box (`x, y, width, height`), clipped.
        case box(BoundingBox)
        /// A point inside the patch.
        case point(Vertex)
        /// A polygon: its exterior ring then its holes, each clipped (Sutherland–Hodgman).
        case polygon([[Vertex]])
    }

    /// The annotation's position in its source's list.
    public var annotation: Int
    /// The annotation's category, if any.
    public var categoryID: Identifier?
    /// The track the annotation belongs to, if any.
    public var trackID: Int64?
    /// The shape in patch coordinates.
    public var shape: Shape
    /// The annotation set it came from (a MIFA package's `annotations/<set>/`), if known.
    public var set: String?
    /// Its id as the package stores it (the GeoJSON Feature `id`, which is the COCO `id` for
    /// annotations packed from COCO), if it has one.
    public var sourceID: Identifier?

    /// An annotation of a patch.
    public init(annotation: Int, categoryID: Identifier?, trackID: Int64?, shape: Shape, set: String? = nil, sourceID: Identifier? = nil) {
        self.annotation = annotation
        self.categoryID = categoryID
        self.trackID = trackID
        self.shape = shape
        self.set = set
        self.sourceID = sourceID
    }
}

/// The axis-aligned rectangle `[x0, x1) × [y0, y1)` shapes are clipped to.
struct ClipRect: Sendable, Hashable {
    var x0: Double, y0: Double, x1: Double, y1: Double

    /// Clips `shape` (in the rectangle's coordinates) and moves it so the rectangle's corner is 0;
    /// `nil` when nothing of it is inside.
    func clip(_ shape: PatchAnnotation.Shape) -> PatchAnnotation.Shape? {
        switch shape {
        case .box(let b):
            let left = max(b.x, x0), right = min(b.x + b.width, x1)
            let top = max(b.y, y0), bottom = min(b.y + b.height, y1)
            guard right > left, bottom > top else { return nil }
            return .box(BoundingBox(x: left - x0, y: top - y0, width: right - left, height: bottom - top))
        case .point(let p):
            guard p.x >= x0, p.x < x1, p.y >= y0, p.y < y1 else { return nil }
            return .point(Vertex(p.x - x0, p.y - y0))
        case .polygon(let rings):
            var clipped: [[Vertex]] = []
            for (k, ring) in rings.enumerated() {
                let result = clipRing(ring)
                // A ring that only touches the rectangle clips to a line or a point: no area inside.
                if result.count < 3 || Self.area(result) == 0 {
                    if k == 0 { return nil }
                    continue
                }
                clipped.append(result.map { Vertex($0.x - x0, $0.y - y0) })
            }
            return .polygon(clipped)
        }
    }

    /// Sutherland–Hodgman against the four edges (the ring is open: no repeated first vertex).
    func clipRing(_ ring: [Vertex]) -> [Vertex] {
        var points = ring
        if let first = points.first, let last = points.last, points.count > 1, first == last { points.removeLast() }
        let edges: [(Vertex) -> Double] = [{ $0.x - self.x0 }, { self.x1 - $0.x }, { $0.y - self.y0 }, { self.y1 - $0.y }]
        for inside in edges {
            guard !points.isEmpty else { break }
            var output: [Vertex] = []
            var previous = points[points.count - 1]
            for current in points {
                let a = inside(previous), b = inside(current)
                if b >= 0 {
                    if a < 0 { output.append(Self.cross(previous, current, a, b)) }
                    output.append(current)
                } else if a >= 0 {
                    output.append(Self.cross(previous, current, a, b))
                }
                previous = current
            }
            points = output
        }
        return points
    }

    /// The unsigned area of an open ring (shoelace formula).
    static func area(_ ring: [Vertex]) -> Double {
        var sum = 0.0
        for index in ring.indices {
            let p = ring[index], q = ring[(index + 1) % ring.count]
            sum += p.x * q.y - q.x * p.y
        }
        return abs(sum) / 2
    }

    private static func cross(_ p: Vertex, _ q: Vertex, _ a: Double, _ b: Double) -> Vertex {
        let t = a / (a - b)
        return Vertex(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
    }
}
