/// A graph annotation: nodes with coordinates and edges between them (a skeleton, a vessel or
/// neurite network, cell-cell connectivity).
public struct AnnotationGraph: Sendable, Hashable {
    /// A node.
    public struct Node: Sendable, Hashable {
        /// The node's id, unique in the graph.
        public var id: Int64
        /// Its position (corner-based pixels).
        public var position: Point

        /// A node.
        public init(id: Int64, position: Point) {
            self.id = id
            self.position = position
        }
    }

    /// An edge between two nodes (by id).
    public struct Edge: Sendable, Hashable {
        /// The first node.
        public var from: Int64
        /// The second node.
        public var to: Int64

        /// An edge.
        public init(from: Int64, to: Int64) {
            self.from = from
            self.to = to
        }
    }

    /// The nodes.
    public var nodes: [Node]
    /// The edges.
    public var edges: [Edge]
    /// Whether edges have a direction (`from` → `to`).
    public var isDirected: Bool

    /// A graph.
    public init(nodes: [Node], edges: [Edge], isDirected: Bool = false) {
        self.nodes = nodes
        self.edges = edges
        self.isDirected = isDirected
    }

    /// Checks that node ids are unique, positions finite, and every edge joins existing nodes.
    /// - Throws: ``AnnotationError`` `.duplicateID`, `.invalidGeometry` or `.danglingReference`.
    public func validate() throws {
        var ids = Set<Int64>()
        for (index, node) in nodes.enumerated() {
            guard ids.insert(node.id).inserted else {
                throw AnnotationError(.duplicateID, "graph node \(index) repeats id \(node.id); node ids must be unique")
            }
            guard node.position.isFinite else {
                throw AnnotationError(.invalidGeometry, "graph node \(node.id) has a position that is not finite")
            }
        }
        for (index, edge) in edges.enumerated() where !ids.contains(edge.from) || !ids.contains(edge.to) {
            throw AnnotationError(.danglingReference, "graph edge \(index) joins \(edge.from) and \(edge.to), but node \(ids.contains(edge.from) ? edge.to : edge.from) does not exist")
        }
    }

    /// The graph's edges as polylines (for formats that only have lines, such as GeoJSON).
    public var polylines: [Polyline] {
        let positions = Dictionary(nodes.map { ($0.id, $0.position.vertex) }, uniquingKeysWith: { first, _ in first })
        return edges.compactMap { edge in
            guard let a = positions[edge.from], let b = positions[edge.to] else { return nil }
            return Polyline([a, b])
        }
    }
}
