extension Ring {
    /// The problems of a ring that make it invalid for OGC Simple Features (and so for GEOS,
    /// shapely and QuPath): fewer than 3 distinct vertices, non-finite coordinates, or two edges
    /// that cross or touch (other than neighbours sharing their vertex).
    ///
    /// - Returns: a description of the first problem, or `nil` for a valid ring (or one too
    ///   pathological to check within 50 million pair comparisons).
    public func validityProblem() -> String? {
        var points: [Vertex] = []
        points.reserveCapacity(vertices.count)
        for vertex in vertices {
            guard vertex.isFinite else { return "a vertex is not a finite number" }
            if points.last != vertex { points.append(vertex) }
        }
        if points.count > 1, points.first == points.last { points.removeLast() }
        guard points.count >= 3 else { return "a ring needs at least 3 distinct vertices, it has \(points.count)" }
        guard doubleSignedArea != 0 || points.count > 3 else { return "the ring has no area (its vertices are collinear)" }
        if let (a, b) = Ring.firstContact(points) {
            return "edges \(a) and \(b) cross or touch (near \(Ring.describe(points[a])) - \(Ring.describe(points[(a + 1) % points.count]))); the ring intersects itself"
        }
        return nil
    }

    static func describe(_ vertex: Vertex) -> String { "(\(vertex.x), \(vertex.y))" }

    /// The most edge pairs one ring's check compares; a pathological ring (a comb of a million
    /// teeth) is left unchecked beyond this rather than stalling the reader.
    static let maximumPairChecks = 50_000_000

    /// The first pair of non-neighbouring edges that touch, or neighbouring edges that fold back.
    /// Sorts edges by their left end and checks only those whose x ranges overlap.
    static func firstContact(_ points: [Vertex]) -> (Int, Int)? {
        var budget = maximumPairChecks
        let n = points.count
        var order = Array(0..<n)
        func minX(_ i: Int) -> Double { Swift.min(points[i].x, points[(i + 1) % n].x) }
        func maxX(_ i: Int) -> Double { Swift.max(points[i].x, points[(i + 1) % n].x) }
        order.sort { minX($0) < minX($1) }
        var active: [Int] = []
        for edge in order {
            let left = minX(edge)
            active.removeAll { maxX($0) < left }
            budget -= active.count
            if budget < 0 { return nil }
            for other in active {
                let (a, b) = (Swift.min(edge, other), Swift.max(edge, other))
                let neighbours = b == a + 1 || (a == 0 && b == n - 1)
                if neighbours {
                    // Neighbours share one vertex; they must not overlap beyond it (a spike).
                    if foldsBack(points, a, b) { return (a, b) }
                } else if segmentsTouch(points[a], points[(a + 1) % n], points[b], points[(b + 1) % n]) {
                    return (a, b)
                }
            }
            active.append(edge)
        }
        return nil
    }

    /// Whether neighbouring edges `a` and `b` run back over each other.
    private static func foldsBack(_ points: [Vertex], _ a: Int, _ b: Int) -> Bool {
        let n = points.count
        // The shared vertex and the two far ends.
        let (first, second) = b == a + 1 ? (a, b) : (b, a)
        let p = points[first], shared = points[second], q = points[(second + 1) % n]
        let cross = (shared.x - p.x) * (q.y - shared.y) - (shared.y - p.y) * (q.x - shared.x)
        guard cross == 0 else { return false }
        let dot = (shared.x - p.x) * (q.x - shared.x) + (shared.y - p.y) * (q.y - shared.y)
        return dot < 0
    }

    /// Whether closed segments `pq` and `rs` share a point (exact for integer coordinates).
    static func segmentsTouch(_ p: Vertex, _ q: Vertex, _ r: Vertex, _ s: Vertex) -> Bool {
        func orientation(_ a: Vertex, _ b: Vertex, _ c: Vertex) -> Double {
            let value = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
            return value == 0 ? 0 : (value > 0 ? 1 : -1)
        }
        func onSegment(_ a: Vertex, _ b: Vertex, _ c: Vertex) -> Bool {
            Swift.min(a.x, b.x) <= c.x && c.x <= Swift.max(a.x, b.x) && Swift.min(a.y, b.y) <= c.y && c.y <= Swift.max(a.y, b.y)
        }
        let o1 = orientation(p, q, r), o2 = orientation(p, q, s), o3 = orientation(r, s, p), o4 = orientation(r, s, q)
        if o1 != o2 && o3 != o4 && o1 * o2 <= 0 && o3 * o4 <= 0 { return true }
        if o1 == 0 && onSegment(p, q, r) { return true }
        if o2 == 0 && onSegment(p, q, s) { return true }
        if o3 == 0 && onSegment(r, s, p) { return true }
        if o4 == 0 && onSegment(r, s, q) { return true }
        return false
    }
}
