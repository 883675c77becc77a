/// Rasterises polygons by the pixel-centre, even-odd rule: pixel `(r, c)` is inside when its centre
/// `(c + 0.5, r + 0.5)` is inside an odd number of rings. On polygons whose vertices lie on integer
/// corners (what ``PixelEdgeTracer`` makes) this is exact: tracing and rasterising round-trip.
///
/// COCO polygons are rasterised differently, by pycocotools' own algorithm
/// (``RLE/init(polygon:height:width:)``); use this for GeoJSON and other geometry.
public enum PolygonRasterizer {
    /// The pixels inside `polygons` (all rings of all polygons together, even-odd), clipped to a
    /// `height` × `width` image.
    ///
    /// - Throws: ``AnnotationError`` `.invalidGeometry` for a NaN or infinite coordinate.
    public static func spans(of polygons: [Polygon], height: Int, width: Int) throws -> RowSpans {
        var edges: [(top: Int, bottom: Int, ax: Double, ay: Double, slope: Double)] = []
        for (p, polygon) in polygons.enumerated() {
            for (r, ring) in ([polygon.exterior] + polygon.holes).enumerated() {
                let vertices = ring.vertices
                guard vertices.count >= 3 else { continue }
                for (i, a) in vertices.enumerated() {
                    let b = vertices[(i + 1) % vertices.count]
                    guard a.isFinite, b.isFinite else {
                        throw AnnotationError(.invalidGeometry, "polygon \(p), ring \(r), vertex \(i) is not a finite number; remove NaN and infinite coordinates")
                    }
                    if a.y == b.y { continue }
                    let (low, high) = a.y < b.y ? (a, b) : (b, a)
                    // Rows whose centre y = r + 0.5 satisfies low.y <= y < high.y.
                    let top = max(0, Int(clamping: (low.y - 0.5).rounded(.up), limit: height))
                    let bottom = min(height, Int(clamping: (high.y - 0.5).rounded(.up), limit: height))
                    guard top < bottom else { continue }
                    edges.append((top, bottom, low.x, low.y, (high.x - low.x) / (high.y - low.y)))
                }
            }
        }
        edges.sort { $0.top < $1.top }
        var result = RowSpans(height: height, width: width)
        var active: [Int] = []
        var next = 0
        var crossings: [Double] = []
        var row = edges.first?.top ?? height
        while row < height {
            while next < edges.count && edges[next].top <= row {
                active.append(next)
                next += 1
            }
            active.removeAll { edges[$0].bottom <= row }
            if active.isEmpty {
                guard next < edges.count else { break }
                row = edges[next].top
                continue
            }
            let y = Double(row) + 0.5
            crossings.removeAll(keepingCapacity: true)
            for index in active {
                let edge = edges[index]
                crossings.append(edge.ax + (y - edge.ay) * edge.slope)
            }
            crossings.sort()
            var i = 0
            while i + 1 < crossings.count {
                let start = max(0, Int(clamping: (crossings[i] - 0.5).rounded(.up), limit: width))
                let end = min(width, Int(clamping: (crossings[i + 1] - 0.5).rounded(.up), limit: width))
                if start < end { result.append(row: Int32(row), Int32(start), Int32(end)) }
                i += 2
            }
            row += 1
        }
        return result
    }

    /// Sets every pixel inside `polygons` to `label` in `image`.
    /// - Throws: ``AnnotationError`` `.invalidGeometry` for non-finite coordinates,
    ///   `.invalidArgument` for a label the image's type cannot hold.
    public static func fill(_ polygons: [Polygon], label: Int64, into image: inout LabelImage) throws {
        try image.fill(spans(of: polygons, height: image.height, width: image.width), label: label)
    }
}

extension Int {
    /// `value` as an integer clamped to `-1 ... limit + 1` (enough to clip against `0 ..< limit`).
    init(clamping value: Double, limit: Int) {
        if value.isNaN || value < -1 {
            self = -1
        } else if value > Double(limit) + 1 {
            self = limit + 1
        } else {
            self = Int(value)
        }
    }
}
