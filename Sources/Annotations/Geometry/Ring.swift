/// A closed ring of a polygon: its vertices in order, the closing vertex not repeated.
///
/// GeoJSON (RFC 7946 §3.1.6) writes rings closed (the first position repeated at the end); readers
/// drop that repetition and writers add it. Orientation is numeric: ``signedArea`` is positive for a
/// counter-clockwise ring in the `x, y` numbers themselves, which in the y-down pixel grid looks
/// clockwise on screen. MIFAKit writes outer rings with positive and holes with negative area.
public struct Ring: Sendable, Hashable {
    /// The vertices, without the closing repetition.
    public var vertices: [Vertex]

    /// A ring through these vertices; a repeated closing vertex is dropped.
    public init(_ vertices: [Vertex]) {
        var vertices = vertices
        if vertices.count > 1, vertices.first == vertices.last { vertices.removeLast() }
        self.vertices = vertices
    }

    /// A ring from flat `[x0, y0, x1, y1, ...]` coordinates (COCO's polygon form).
    public init(flat coordinates: [Double]) {
        var vertices: [Vertex] = []
        vertices.reserveCapacity(coordinates.count / 2)
        var index = 0
        while index + 1 < coordinates.count {
            vertices.append(Vertex(coordinates[index], coordinates[index + 1]))
            index += 2
        }
        self.init(vertices)
    }

    /// `[x0, y0, x1, y1, ...]`, without the closing repetition (COCO's polygon form).
    public var flat: [Double] {
        var result: [Double] = []
        result.reserveCapacity(vertices.count * 2)
        for vertex in vertices {
            result.append(vertex.x)
            result.append(vertex.y)
        }
        return result
    }

    /// Twice the signed area by the shoelace formula: positive when counter-clockwise in the
    /// numeric sense (RFC 7946 §3.1.6), negative when clockwise.
    public var doubleSignedArea: Double {
        guard vertices.count >= 3 else { return 0 }
        var sum = 0.0
        var previous = vertices[vertices.count - 1]
        for vertex in vertices {
            sum += previous.x * vertex.y - vertex.x * previous.y
            previous = vertex
        }
        return sum
    }

    /// The signed area (see ``doubleSignedArea``).
    public var signedArea: Double { doubleSignedArea / 2 }

    /// Whether the ring is counter-clockwise in the numeric sense (positive area).
    public var isCounterClockwise: Bool { doubleSignedArea > 0 }

    /// The same ring traversed the other way round.
    public var reversed: Ring { Ring(unchecked: vertices.reversed()) }

    /// The ring with the orientation asked for (positive area when `counterClockwise`).
    public func oriented(counterClockwise: Bool) -> Ring {
        isCounterClockwise == counterClockwise || doubleSignedArea == 0 ? self : reversed
    }

    /// The tight box around the vertices; `nil` for an empty ring.
    public var boundingBox: BoundingBox? {
        guard let first = vertices.first else { return nil }
        var (minX, minY, maxX, maxY) = (first.x, first.y, first.x, first.y)
        for vertex in vertices {
            minX = Swift.min(minX, vertex.x)
            maxX = Swift.max(maxX, vertex.x)
            minY = Swift.min(minY, vertex.y)
            maxY = Swift.max(maxY, vertex.y)
        }
        return BoundingBox(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
    }

    /// A ring whose vertices are used as given.
    init(unchecked vertices: [Vertex]) {
        self.vertices = vertices
    }
}
