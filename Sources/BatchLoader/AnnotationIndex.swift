public import Annotations

/// The vector annotations of one source in a uniform grid over the image plane, so a patch finds
/// the annotations that may touch it by looking at the cells it covers, not at every annotation.
///
/// Coordinates are converted once from full-resolution pixels (the MIFA convention) to pixels of
/// the sampled level. Boxes, rectangles, points (and multipoints), polygons, multipolygons and
/// ellipses are indexed; an annotation with a `frame` only appears in patches of that time point
/// (tracks). Other kinds (masks, counts, graphs, ...) are left out.
public struct AnnotationIndex: Sendable {
    struct Item: Sendable {
        var annotation: Int
        var categoryID: Identifier?
        var trackID: Int64?
        var frame: Int?
        var shape: PatchAnnotation.Shape
        var bounds: (x0: Double, y0: Double, x1: Double, y1: Double)
    }

    let items: [Item]
    /// How many of the annotations have no shape a patch carries (lines, masks, counts, graphs, ...):
    /// they are in no patch, so callers can say so.
    public let skipped: Int
    let cellSize: Double
    let columns: Int
    let rows: Int
    let cells: [[Int32]]

    /// An index of `annotations` for a plane of `height` × `width` level pixels, dividing
    /// full-resolution coordinates by `scale` (`(x, y)`), with grid cells of `cellSize` pixels.
    public init(annotations: [Annotation], height: Int, width: Int, scale: (x: Double, y: Double) = (1, 1), cellSize: Int = 64) {
        var items: [Item] = []
        func add(_ k: Int, _ a: Annotation, _ shape: PatchAnnotation.Shape) {
            let vertices: [Vertex]
            switch shape {
            case .box(let b): vertices = [Vertex(b.x, b.y), Vertex(b.x + b.width, b.y + b.height)]
            case .point(let p): vertices = [p]
            case .polygon(let rings): vertices = rings.first ?? []
            }
            guard !vertices.isEmpty else { return }
            let xs = vertices.map(\.x), ys = vertices.map(\.y)
            items.append(Item(annotation: k, categoryID: a.categoryID, trackID: a.trackID, frame: a.frame, shape: shape,
                              bounds: (xs.min()!, ys.min()!, xs.max()!, ys.max()!)))
        }
        func scaled(_ v: Vertex) -> Vertex { Vertex(v.x / scale.x, v.y / scale.y) }
        func box(_ b: BoundingBox) -> PatchAnnotation.Shape {
            .box(BoundingBox(x: b.x / scale.x, y: b.y / scale.y, width: b.width / scale.x, height: b.height / scale.y))
        }
        func polygon(_ p: Polygon) -> PatchAnnotation.Shape {
            .polygon(([p.exterior] + p.holes).map { $0.vertices.map(scaled) })
        }
        func geometry(_ k: Int, _ a: Annotation, _ g: Geometry) {
            switch g {
            case .point(let p): add(k, a, .point(scaled(p.vertex)))
            case .multiPoint(let points): for p in points { add(k, a, .point(scaled(p.vertex))) }
            case .polygon(let p): add(k, a, polygon(p))
            case .multiPolygon(let m): for p in m.polygons { add(k, a, polygon(p)) }
            case .ellipse(let e): add(k, a, polygon(e.polygon()))
            case .rectangle(let b): add(k, a, box(b))
            case .collection(let parts): for part in parts { geometry(k, a, part) }
            case .polyline, .multiPolyline: break
            }
        }
        var skipped = 0
        for (k, a) in annotations.enumerated() {
            let before = items.count
            switch a.value {
            case .box(let b): add(k, a, box(b))
            case .geometry(let g): geometry(k, a, g)
            default: break
            }
            if items.count == before { skipped += 1 }
        }
        self.items = items
        self.skipped = skipped
        self.cellSize = Double(max(1, cellSize))
        columns = max(1, (width + cellSize - 1) / max(1, cellSize))
        rows = max(1, (height + cellSize - 1) / max(1, cellSize))
        var cells = [[Int32]](repeating: [], count: columns * rows)
        for (i, item) in items.enumerated() {
            let (c0, c1, r0, r1) = Self.cellRange(item.bounds, cellSize: self.cellSize, columns: columns, rows: rows)
            guard c0 <= c1, r0 <= r1 else { continue }
            for r in r0...r1 { for c in c0...c1 { cells[r * columns + c].append(Int32(i)) } }
        }
        self.cells = cells
    }

    /// The cells (clamped to the grid) that a box touches.
    static func cellRange(_ b: (x0: Double, y0: Double, x1: Double, y1: Double), cellSize: Double, columns: Int, rows: Int) -> (Int, Int, Int, Int) {
        func cell(_ v: Double, _ n: Int) -> Int { min(n - 1, max(0, Int((v / cellSize).rounded(.down)))) }
        return (cell(b.x0, columns), cell(b.x1, columns), cell(b.y0, rows), cell(b.y1, rows))
    }

    /// The annotations that fall in `rect` at time point `t`, clipped and in the rectangle's coordinates,
    /// in the order of the source's list.
    func query(_ rect: ClipRect, t: Int) -> [PatchAnnotation] {
        let (c0, c1, r0, r1) = Self.cellRange((rect.x0, rect.y0, rect.x1, rect.y1), cellSize: cellSize, columns: columns, rows: rows)
        var candidates = Set<Int32>()
        for r in r0...r1 { for c in c0...c1 { candidates.formUnion(cells[r * columns + c]) } }
        return candidates.sorted().compactMap { i in clip(items[Int(i)], rect, t: t) }
    }

    /// Every annotation clipped to `rect` without the grid (the reference the grid must match).
    func bruteForce(_ rect: ClipRect, t: Int) -> [PatchAnnotation] {
        items.compactMap { clip($0, rect, t: t) }
    }

    private func clip(_ item: Item, _ rect: ClipRect, t: Int) -> PatchAnnotation? {
        if let frame = item.frame, frame != t { return nil }
        guard let shape = rect.clip(item.shape) else { return nil }
        return PatchAnnotation(annotation: item.annotation, categoryID: item.categoryID, trackID: item.trackID, shape: shape)
    }
}
