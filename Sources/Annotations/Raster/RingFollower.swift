/// Links one component's boundary edges into rings (``PixelEdgeTracer``).
///
/// From each edge the walk continues with the edge that starts where it ends. At a corner where
/// two pixels of the component meet only diagonally there are two candidates; the walk turns
/// left (towards the component), which keeps diagonal pixels apart (4-connectivity). A ring that
/// comes back to such a corner is cut there: the loop in between becomes a ring of its own (a hole
/// touching the outer ring at that corner).
struct RingFollower {
    private var table = VertexTable()
    private var nextSameStart: [Int32] = []
    private var visited: [Bool] = []

    /// The polygons of component `component`: its outer ring with its holes.
    mutating func polygons(of component: Int, edges: inout BoundaryEdges) -> [Polygon] {
        let range = edges.start[component]..<edges.start[component + 1]
        let n = range.count
        guard n > 0 else { return [] }
        let base = range.lowerBound
        table.reset(capacityFor: n)
        if nextSameStart.count < n {
            nextSameStart = [Int32](repeating: -1, count: n)
            visited = [Bool](repeating: false, count: n)
        }
        for local in 0..<n {
            nextSameStart[local] = -1
            visited[local] = false
        }
        for local in 0..<n {
            let edge = base + local
            let key = VertexTable.key(edges.x0[edge], edges.y0[edge])
            let existing = table.insert(key, Int32(local))
            if existing >= 0 { nextSameStart[Int(existing)] = Int32(local) }
        }
        var rings: [[(Int32, Int32)]] = []
        for first in 0..<n where !visited[first] {
            follow(from: first, base: base, edges: edges, into: &rings)
        }
        var exteriors: [Ring] = []
        var holes: [Ring] = []
        for corners in rings {
            let ring = Ring(unchecked: corners.map { Vertex(Double($0.0), Double($0.1)) })
            if ring.doubleSignedArea > 0 { exteriors.append(ring) } else { holes.append(ring) }
        }
        if exteriors.count == 1 { return [Polygon(exterior: exteriors[0], holes: holes)] }
        // Not expected for a 4-connected component; keep every ring rather than lose pixels.
        return exteriors.map { Polygon(exterior: $0) } + holes.map { Polygon(exterior: $0) }
    }

    /// Follows the ring through edge `first` (local index), appending it (and any loop cut off at a
    /// pinch corner) to `rings`.
    private mutating func follow(from first: Int, base: Int, edges: BoundaryEdges, into rings: inout [[(Int32, Int32)]]) {
        var corners: [(Int32, Int32)] = []
        var pinches: [UInt64: Int] = [:]
        var current = first
        var previousDirection: (Int32, Int32) = (0, 0)
        repeat {
            visited[current] = true
            let edge = base + current
            let (sx, sy, ex, ey) = (edges.x0[edge], edges.y0[edge], edges.x1[edge], edges.y1[edge])
            let direction = ((ex - sx).signum(), (ey - sy).signum())
            if direction != previousDirection {
                let key = VertexTable.key(sx, sy)
                let isPinch = nextSameStart[current] >= 0 || isSecondAtVertex(current, base: base, edges: edges)
                if isPinch, let index = pinches[key], index < corners.count, corners[index] == (sx, sy) {
                    // Back at a pinch corner: the loop since its first visit is a ring of its own.
                    rings.append(Array(corners[index...]))
                    corners.removeSubrange((index + 1)...)
                } else {
                    if isPinch { pinches[key] = corners.count }
                    corners.append((sx, sy))
                }
            }
            previousDirection = direction
            current = successor(of: current, base: base, edges: edges, direction: direction)
        } while current != first
        // The start vertex is a corner unless the last edge runs on in the first edge's direction.
        if corners.count > 1 {
            let edge = base + first
            let firstDirection = ((edges.x1[edge] - edges.x0[edge]).signum(), (edges.y1[edge] - edges.y0[edge]).signum())
            if firstDirection == previousDirection { corners.removeFirst() }
        }
        rings.append(corners)
    }

    /// Whether another edge of the component starts at the same corner as `local` (a pinch corner).
    private func isSecondAtVertex(_ local: Int, base: Int, edges: BoundaryEdges) -> Bool {
        let key = VertexTable.key(edges.x0[base + local], edges.y0[base + local])
        let first = table.value(for: key)
        return first >= 0 && Int(first) != local
    }

    /// The edge that continues the ring after `local`: the only one starting at its end, or at a
    /// pinch corner the one turning left.
    private func successor(of local: Int, base: Int, edges: BoundaryEdges, direction: (Int32, Int32)) -> Int {
        let edge = base + local
        let first = table.value(for: VertexTable.key(edges.x1[edge], edges.y1[edge]))
        precondition(first >= 0, "pixel-edge tracing: a boundary edge has no successor")
        let second = nextSameStart[Int(first)]
        if second < 0 { return Int(first) }
        let left = (-direction.1, direction.0)
        let candidate = base + Int(first)
        let candidateDirection = ((edges.x1[candidate] - edges.x0[candidate]).signum(), (edges.y1[candidate] - edges.y0[candidate]).signum())
        return candidateDirection == left ? Int(first) : Int(second)
    }
}
