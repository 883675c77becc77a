/// The shape of a vector annotation: the GeoJSON geometry types (RFC 7946 §3.1) plus ellipses
/// and axis-aligned rectangles, which GeoJSON writes as polygons.
public indirect enum Geometry: Sendable, Hashable {
    /// One point (GeoJSON `Point`).
    case point(Point)
    /// Several points (GeoJSON `MultiPoint`).
    case multiPoint([Point])
    /// An open line (GeoJSON `LineString`).
    case polyline(Polyline)
    /// Several open lines (GeoJSON `MultiLineString`).
    case multiPolyline([Polyline])
    /// A polygon with holes (GeoJSON `Polygon`).
    case polygon(Polygon)
    /// Several polygons (GeoJSON `MultiPolygon`).
    case multiPolygon(MultiPolygon)
    /// An ellipse.
    case ellipse(Ellipse)
    /// An axis-aligned rectangle.
    case rectangle(BoundingBox)
    /// A mix of geometries (GeoJSON `GeometryCollection`).
    case collection([Geometry])

    /// The GeoJSON type name this geometry is written as.
    public var geoJSONType: String {
        switch self {
        case .point: "Point"
        case .multiPoint: "MultiPoint"
        case .polyline: "LineString"
        case .multiPolyline: "MultiLineString"
        case .polygon, .ellipse, .rectangle: "Polygon"
        case .multiPolygon: "MultiPolygon"
        case .collection: "GeometryCollection"
        }
    }

    /// The area enclosed (0 for points and lines).
    public var area: Double {
        switch self {
        case .point, .multiPoint, .polyline, .multiPolyline: 0
        case .polygon(let polygon): polygon.area
        case .multiPolygon(let multi): multi.area
        case .ellipse(let ellipse): ellipse.area
        case .rectangle(let box): box.width * box.height
        case .collection(let parts): parts.reduce(0) { $0 + $1.area }
        }
    }

    /// The geometry's area-bearing parts as polygons (ellipses approximated, rectangles exact);
    /// empty for points and lines.
    public var polygons: [Polygon] {
        switch self {
        case .point, .multiPoint, .polyline, .multiPolyline: []
        case .polygon(let polygon): [polygon]
        case .multiPolygon(let multi): multi.polygons
        case .ellipse(let ellipse): [ellipse.polygon()]
        case .rectangle(let box): [Polygon(exterior: Ring([
            Vertex(box.x, box.y), Vertex(box.x, box.y + box.height), Vertex(box.x + box.width, box.y + box.height), Vertex(box.x + box.width, box.y),
        ]).oriented(counterClockwise: true))]
        case .collection(let parts): parts.flatMap(\.polygons)
        }
    }

    /// Every vertex of the geometry (ellipse: its centre; rectangle: its corners).
    public var vertices: [Vertex] {
        switch self {
        case .point(let point): [point.vertex]
        case .multiPoint(let points): points.map(\.vertex)
        case .polyline(let line): line.vertices
        case .multiPolyline(let lines): lines.flatMap(\.vertices)
        case .polygon(let polygon): polygon.exterior.vertices + polygon.holes.flatMap(\.vertices)
        case .multiPolygon(let multi): multi.polygons.flatMap { $0.exterior.vertices + $0.holes.flatMap(\.vertices) }
        case .ellipse(let ellipse): ellipse.polygon().exterior.vertices
        case .rectangle: polygons.flatMap(\.exterior.vertices)
        case .collection(let parts): parts.flatMap(\.vertices)
        }
    }

    /// The tight box around the geometry's vertices; `nil` when it has none.
    public var boundingBox: BoundingBox? {
        if case .rectangle(let box) = self { return box }
        return Ring(unchecked: vertices).boundingBox
    }

    /// Whether the geometry encloses an area (polygons, ellipses, rectangles).
    public var isAreal: Bool { !polygons.isEmpty }
}
