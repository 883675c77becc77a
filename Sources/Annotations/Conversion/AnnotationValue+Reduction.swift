extension AnnotationValue {
    /// The centre of the annotation: the centre of mass of a mask or area, the centre of a box or
    /// ellipse, the point itself, the mean vertex of a line or graph; `nil` for values without a place.
    public var centroid: Point? {
        switch self {
        case .mask(let rle): return rle.spans.centroid.map { Point(x: $0.x, y: $0.y) }
        case .probabilityMap(let map): return map.threshold(0.5).centroid.map { Point(x: $0.x, y: $0.y) }
        case .box(let box):
            return Point(x: box.x + box.width / 2, y: box.y + box.height / 2, z: box.z.map { $0 + (box.depth ?? 0) / 2 })
        case .geometry(let geometry): return Self.centroid(of: geometry)
        case .count(let count): return count.region.flatMap(Self.centroid)
        case .graph(let graph): return Self.mean(graph.nodes.map(\.position.vertex))
        case .classLabel, .derived: return nil
        }
    }

    /// The tight box around the annotation (a mask's pixel box, a geometry's vertices); `nil` for
    /// values without extent.
    public var boundingBox: BoundingBox? {
        switch self {
        case .mask(let rle): return rle.area > 0 ? rle.boundingBox : nil
        case .probabilityMap(let map):
            let spans = map.threshold(0.5)
            return spans.count > 0 ? spans.boundingBox : nil
        case .box(let box): return box
        case .geometry(let geometry): return geometry.boundingBox
        case .count(let count): return count.region?.boundingBox
        case .graph(let graph): return Ring(unchecked: graph.nodes.map(\.position.vertex)).boundingBox
        case .classLabel, .derived: return nil
        }
    }

    static func centroid(of geometry: Geometry) -> Point? {
        switch geometry {
        case .point(let point): return point
        case .multiPoint(let points): return mean(points.map(\.vertex))
        case .polyline(let line): return mean(line.vertices)
        case .multiPolyline(let lines): return mean(lines.flatMap(\.vertices))
        case .ellipse(let ellipse): return Point(x: ellipse.center.x, y: ellipse.center.y)
        case .rectangle(let box): return Point(x: box.x + box.width / 2, y: box.y + box.height / 2)
        case .polygon, .multiPolygon, .collection:
            var area = 0.0, sumX = 0.0, sumY = 0.0
            for polygon in geometry.polygons {
                for (index, ring) in ([polygon.exterior] + polygon.holes).enumerated() {
                    // Exterior counts positive, holes negative, whatever their winding.
                    let sign: Double = (index == 0) == (ring.doubleSignedArea >= 0) ? 1 : -1
                    let vertices = ring.vertices
                    guard vertices.count >= 3 else { continue }
                    var previous = vertices[vertices.count - 1]
                    for vertex in vertices {
                        let cross = previous.x * vertex.y - vertex.x * previous.y
                        area += sign * cross
                        sumX += sign * (previous.x + vertex.x) * cross
                        sumY += sign * (previous.y + vertex.y) * cross
                        previous = vertex
                    }
                }
            }
            guard area != 0 else { return mean(geometry.vertices) }
            return Point(x: sumX / (3 * area), y: sumY / (3 * area))
        }
    }

    static func mean(_ vertices: [Vertex]) -> Point? {
        guard !vertices.isEmpty else { return nil }
        let n = Double(vertices.count)
        return Point(x: vertices.reduce(0) { $0 + $1.x } / n, y: vertices.reduce(0) { $0 + $1.y } / n)
    }
}
