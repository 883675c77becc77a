/// A polygon: one outer ring and any number of holes (RFC 7946 §3.1.6).
public struct Polygon: Sendable, Hashable {
    /// The outer boundary.
    public var exterior: Ring
    /// The holes, each inside the exterior.
    public var holes: [Ring]

    /// A polygon from its outer ring and holes.
    public init(exterior: Ring, holes: [Ring] = []) {
        self.exterior = exterior
        self.holes = holes
    }

    /// The area: the exterior's minus the holes' (absolute values, whatever the winding).
    public var area: Double {
        holes.reduce(abs(exterior.signedArea)) { $0 - abs($1.signedArea) }
    }

    /// The polygon with the RFC 7946 winding: exterior counter-clockwise, holes clockwise
    /// (numerically, see ``Ring``).
    public var rfc7946Oriented: Polygon {
        Polygon(exterior: exterior.oriented(counterClockwise: true), holes: holes.map { $0.oriented(counterClockwise: false) })
    }

    /// The exterior's bounding box.
    public var boundingBox: BoundingBox? { exterior.boundingBox }
}

/// Several polygons making one object, e.g. the 4-connected parts of one label (RFC 7946 §3.1.7).
public struct MultiPolygon: Sendable, Hashable {
    /// The parts.
    public var polygons: [Polygon]

    /// A multipolygon of these parts.
    public init(_ polygons: [Polygon]) {
        self.polygons = polygons
    }

    /// The summed area of the parts.
    public var area: Double { polygons.reduce(0) { $0 + $1.area } }

    /// Whether any part has a hole.
    public var hasHoles: Bool { polygons.contains { !$0.holes.isEmpty } }

    /// The box around every part; `nil` when there is none.
    public var boundingBox: BoundingBox? {
        polygons.compactMap(\.boundingBox).reduce(nil) { (partial: BoundingBox?, box: BoundingBox) in
            guard let partial else { return box }
            let minX = Swift.min(partial.x, box.x), minY = Swift.min(partial.y, box.y)
            let maxX = Swift.max(partial.x + partial.width, box.x + box.width)
            let maxY = Swift.max(partial.y + partial.height, box.y + box.height)
            return BoundingBox(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
        }
    }
}

/// An open line through vertices (a GeoJSON LineString): a skeleton branch, a scribble, a path.
public struct Polyline: Sendable, Hashable {
    /// The vertices in order.
    public var vertices: [Vertex]

    /// A polyline through these vertices.
    public init(_ vertices: [Vertex]) {
        self.vertices = vertices
    }

    /// The summed length of the segments.
    public var length: Double {
        zip(vertices, vertices.dropFirst()).reduce(0) { total, pair in
            let dx = pair.1.x - pair.0.x, dy = pair.1.y - pair.0.y
            return total + (dx * dx + dy * dy).squareRoot()
        }
    }
}

/// An ellipse: centre, semi-axes and rotation of the x semi-axis (radians, from +x towards +y).
public struct Ellipse: Sendable, Hashable {
    /// The centre.
    public var center: Vertex
    /// The semi-axis along the rotated x direction.
    public var radiusX: Double
    /// The semi-axis along the rotated y direction.
    public var radiusY: Double
    /// Rotation in radians.
    public var rotation: Double

    /// An ellipse from centre, semi-axes and rotation.
    public init(center: Vertex, radiusX: Double, radiusY: Double, rotation: Double = 0) {
        self.center = center
        self.radiusX = radiusX
        self.radiusY = radiusY
        self.rotation = rotation
    }

    /// The area `π · rx · ry`.
    public var area: Double { Double.pi * radiusX * radiusY }

    /// The ellipse as a polygon with `segments` vertices (counter-clockwise numerically), as
    /// GeoJSON has no ellipse.
    public func polygon(segments: Int = 64) -> Polygon {
        let n = Swift.max(segments, 8)
        let (c, s) = (cosine(rotation), sine(rotation))
        var vertices: [Vertex] = []
        vertices.reserveCapacity(n)
        for i in 0..<n {
            let angle = 2 * Double.pi * Double(i) / Double(n)
            let (px, py) = (radiusX * cosine(angle), radiusY * sine(angle))
            vertices.append(Vertex(center.x + px * c - py * s, center.y + px * s + py * c))
        }
        return Polygon(exterior: Ring(unchecked: vertices).oriented(counterClockwise: true))
    }
}
