/// One label of a label image as polygons: every 4-connected part is a polygon with its holes.
public struct TracedLabel: Sendable, Hashable {
    /// The label value.
    public var label: Int64
    /// The parts, in the order of their top-left pixel (top row first).
    public var shape: MultiPolygon

    /// A traced label.
    public init(label: Int64, shape: MultiPolygon) {
        self.label = label
        self.shape = shape
    }
}

/// Converts label images to polygons by following pixel edges, losslessly
/// (`../shared/spec/FORMATS.md`, "Mask <-> polygon, losslessly").
///
/// Vertices lie on integer pixel corners; every 4-connected part of a label becomes one polygon
/// (parts touching only at a corner stay separate), holes are kept, outer rings are
/// counter-clockwise and holes clockwise in the numeric sense of RFC 7946 (positive and negative
/// shoelace area in x-right, y-down pixel space), and collinear vertices are removed. Rasterising
/// the result with ``PolygonRasterizer`` (pixel-centre, even-odd) gives back exactly the same
/// pixels. Where one part touches itself at a corner, the ring is split there into the outer ring
/// and a hole touching it, so every polygon is valid for GEOS/shapely.
///
/// The tracer works on runs, not pixels: memory follows the number of runs and boundary edges, so a
/// sparse 20000×20000 mask traces in bounded memory.
public enum PixelEdgeTracer {
    /// Traces every nonzero label.
    ///
    /// - Returns: one ``TracedLabel`` per label value, in increasing label order.
    /// - Throws: ``AnnotationError`` `.invalidArgument` for a `uint64` label above `Int64.max`,
    ///   `.tooLarge` for an image too large to address with 32-bit coordinates.
    public static func trace(_ image: LabelImage) throws -> [TracedLabel] {
        try trace(runs: RowRuns.extract(image))
    }

    /// Traces the labels of already extracted runs.
    static func trace(runs: RowRuns) -> [TracedLabel] {
        let components = RunComponents(runs)
        var edges = BoundaryEdges(runs: runs, components: components)
        var polygons: [[Polygon]] = []
        polygons.reserveCapacity(components.count)
        var follower = RingFollower()
        for component in 0..<components.count {
            polygons.append(follower.polygons(of: component, edges: &edges))
        }
        // The label of each component: that of its first run.
        var componentLabel = [Int64](repeating: 0, count: components.count)
        var seen = [Bool](repeating: false, count: components.count)
        for run in 0..<runs.count {
            let component = Int(components.component[run])
            if !seen[component] {
                seen[component] = true
                componentLabel[component] = runs.label[run]
            }
        }
        var byLabel: [Int64: Int] = [:]
        var result: [TracedLabel] = []
        for component in 0..<components.count {
            let label = componentLabel[component]
            if let index = byLabel[label] {
                result[index].shape.polygons += polygons[component]
            } else {
                byLabel[label] = result.count
                result.append(TracedLabel(label: label, shape: MultiPolygon(polygons[component])))
            }
        }
        result.sort { $0.label < $1.label }
        return result
    }
}

/// The directed boundary edges of every component, grouped by component in generation order.
///
/// A boundary edge separates a pixel of the component from a pixel that is not (another label,
/// background or outside the image) and is directed with the component on its numeric left:
/// top edges run +x, bottom edges −x, left edges −y, right edges +y. Horizontal edges are whole
/// uncovered stretches of a run; vertical edges are one row long.
struct BoundaryEdges {
    /// `start[c] ..< start[c + 1]` are the edges of component `c`.
    var start: [Int]
    var x0: [Int32], y0: [Int32], x1: [Int32], y1: [Int32]

    init(runs: RowRuns, components: RunComponents) {
        var owner: [Int32] = []
        var ex0: [Int32] = [], ey0: [Int32] = [], ex1: [Int32] = [], ey1: [Int32] = []
        let estimate = runs.count * 4
        owner.reserveCapacity(estimate)
        ex0.reserveCapacity(estimate); ey0.reserveCapacity(estimate); ex1.reserveCapacity(estimate); ey1.reserveCapacity(estimate)
        func emit(_ run: Int, _ ax: Int32, _ ay: Int32, _ bx: Int32, _ by: Int32) {
            owner.append(components.component[run])
            ex0.append(ax); ey0.append(ay); ex1.append(bx); ey1.append(by)
        }
        /// Calls `body` with each stretch of run `r` not covered by a run of the same label in `other`.
        func uncovered(_ r: Int, by other: Range<Int>, from pointer: inout Int, _ body: (Int32, Int32) -> Void) {
            while pointer < other.upperBound && runs.x1[pointer] <= runs.x0[r] { pointer += 1 }
            var cursor = runs.x0[r]
            var q = pointer
            while q < other.upperBound && runs.x0[q] < runs.x1[r] {
                if runs.label[q] == runs.label[r] {
                    let coveredStart = max(runs.x0[q], runs.x0[r])
                    if coveredStart > cursor { body(cursor, coveredStart) }
                    cursor = max(cursor, min(runs.x1[q], runs.x1[r]))
                }
                q += 1
            }
            if cursor < runs.x1[r] { body(cursor, runs.x1[r]) }
        }
        for y in 0...runs.height {
            let above = y > 0 ? runs.runs(inRow: y - 1) : 0..<0
            let below = y < runs.height ? runs.runs(inRow: y) : 0..<0
            let row = Int32(y)
            var pointer = above.lowerBound
            for r in below {
                uncovered(r, by: above, from: &pointer) { a, b in emit(r, a, row, b, row) }
            }
            pointer = below.lowerBound
            for r in above {
                uncovered(r, by: below, from: &pointer) { a, b in emit(r, b, row, a, row) }
            }
            for r in below {
                emit(r, runs.x0[r], row + 1, runs.x0[r], row)
                emit(r, runs.x1[r], row, runs.x1[r], row + 1)
            }
        }
        // Group by component, keeping generation order (a counting sort).
        var start = [Int](repeating: 0, count: components.count + 1)
        for component in owner { start[Int(component) + 1] += 1 }
        for index in 0..<components.count { start[index + 1] += start[index] }
        var fill = start
        let total = owner.count
        var sx0 = [Int32](repeating: 0, count: total), sy0 = sx0, sx1 = sx0, sy1 = sx0
        for edge in 0..<total {
            let position = fill[Int(owner[edge])]
            fill[Int(owner[edge])] += 1
            sx0[position] = ex0[edge]; sy0[position] = ey0[edge]; sx1[position] = ex1[edge]; sy1[position] = ey1[edge]
        }
        self.start = start
        x0 = sx0; y0 = sy0; x1 = sx1; y1 = sy1
    }
}
