public import Annotations

/// Vector annotations drawn over an image: polygon, rectangle and ellipse outlines, open lines,
/// boxes and points (as small squares), in one colour, in the coordinates of the full-resolution
/// image (DESIGN.md: origin at the top-left corner of the top-left pixel).
///
/// Masks, probability maps, graphs, counts and class labels are not drawn by this layer (label
/// images are drawn by ``LabelLayer``).
public struct VectorLayer: Sendable {
    /// The layer's name (an annotation set id).
    public let name: String
    /// The annotations, already chosen for the image.
    public let annotations: [Annotation]
    /// The outline colour.
    public var color: RGBA
    /// The side of the square drawn for a point, in output pixels.
    public var pointSize: Int

    /// A layer of `annotations` named `name`, drawn in `color`.
    public init(name: String, annotations: [Annotation], color: RGBA, pointSize: Int = 5) {
        self.name = name
        self.annotations = annotations
        self.color = color
        self.pointSize = max(1, pointSize)
    }

    /// A stable colour for the `index`-th vector layer (distinct from the label colours' hues as
    /// far as a small palette allows).
    public static func color(forLayer index: Int) -> RGBA {
        let palette = [RGBA(255, 221, 0), RGBA(0, 229, 255), RGBA(255, 64, 160), RGBA(120, 255, 80), RGBA(255, 140, 0), RGBA(170, 120, 255)]
        return palette[((index % palette.count) + palette.count) % palette.count]
    }

    /// Draws the layer into `canvas`, which shows the full-resolution rectangle starting at
    /// (`originX`, `originY`) with `scaleX` × `scaleY` full-resolution pixels per canvas pixel;
    /// annotations with a `frame` other than `frame` (when given) are skipped.
    func draw(into canvas: inout RGBAImage, originX: Double, originY: Double, scaleX: Double, scaleY: Double, frame: Int?) {
        var pen = Pen(canvas: canvas, color: color, originX: originX, originY: originY, scaleX: scaleX, scaleY: scaleY)
        for annotation in annotations {
            if let frame, let own = annotation.frame, own != frame { continue }
            switch annotation.value {
            case .geometry(let geometry): pen.draw(geometry, pointSize: pointSize)
            case .box(let box): pen.draw(.rectangle(box), pointSize: pointSize)
            default: continue
            }
        }
        canvas = pen.canvas
    }
}

/// Draws outlines into a canvas, mapping full-resolution coordinates onto it.
struct Pen {
    var canvas: RGBAImage
    let color: RGBA
    let originX: Double, originY: Double, scaleX: Double, scaleY: Double

    init(canvas: RGBAImage, color: RGBA, originX: Double, originY: Double, scaleX: Double, scaleY: Double) {
        self.canvas = canvas
        self.color = color
        self.originX = originX
        self.originY = originY
        self.scaleX = scaleX
        self.scaleY = scaleY
    }

    /// Canvas coordinates of a full-resolution vertex.
    func map(_ v: Vertex) -> (Double, Double) { ((v.x - originX) / scaleX, (v.y - originY) / scaleY) }

    mutating func draw(_ geometry: Geometry, pointSize: Int) {
        switch geometry {
        case .point(let point): mark(point.vertex, size: pointSize)
        case .multiPoint(let points): for point in points { mark(point.vertex, size: pointSize) }
        case .polyline(let line): path(line.vertices, closed: false)
        case .multiPolyline(let lines): for line in lines { path(line.vertices, closed: false) }
        case .collection(let parts): for part in parts { draw(part, pointSize: pointSize) }
        case .polygon, .multiPolygon, .ellipse, .rectangle:
            for polygon in geometry.polygons {
                for ring in [polygon.exterior] + polygon.holes { path(ring.vertices, closed: true) }
            }
        }
    }

    /// A filled square of `size` canvas pixels centred on a vertex.
    mutating func mark(_ v: Vertex, size: Int) {
        guard v.isFinite else { return }
        let (x, y) = map(v)
        guard abs(x) < 1e9, abs(y) < 1e9 else { return }
        let column = Int(x.rounded(.down)), row = Int(y.rounded(.down)), half = size / 2
        for r in (row - half)...(row - half + size - 1) {
            for c in (column - half)...(column - half + size - 1) { canvas.blend(color, row: r, column: c) }
        }
    }

    /// The segments between consecutive vertices (and back to the first when `closed`).
    mutating func path(_ vertices: [Vertex], closed: Bool) {
        guard vertices.count >= 2 else {
            if let only = vertices.first { mark(only, size: 1) }
            return
        }
        for i in 0..<(closed ? vertices.count : vertices.count - 1) {
            segment(vertices[i], vertices[(i + 1) % vertices.count])
        }
    }

    /// One segment, clipped to the canvas (Liang–Barsky) and stepped one canvas pixel at a time;
    /// a pixel is drawn when the segment passes through it.
    mutating func segment(_ a: Vertex, _ b: Vertex) {
        guard a.isFinite, b.isFinite else { return }
        var (x0, y0) = map(a)
        var (x1, y1) = map(b)
        let dx = x1 - x0, dy = y1 - y0
        var t0 = 0.0, t1 = 1.0
        let width = Double(canvas.width), height = Double(canvas.height)
        for (p, q) in [(-dx, x0 + 1), (dx, width + 1 - x0), (-dy, y0 + 1), (dy, height + 1 - y0)] {
            if p == 0 {
                if q < 0 { return }
                continue
            }
            let t = q / p
            if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
            if t0 > t1 { return }
        }
        (x0, y0, x1, y1) = (x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy)
        let steps = Int(max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)) * 2 + 1
        for k in 0...steps {
            let t = Double(k) / Double(steps)
            let x = x0 + (x1 - x0) * t, y = y0 + (y1 - y0) * t
            // A point on a pixel corner belongs to the pixel right of and below it; outside pixels are skipped.
            canvas.blend(color, row: Int(y.rounded(.down)), column: Int(x.rounded(.down)))
        }
    }
}
