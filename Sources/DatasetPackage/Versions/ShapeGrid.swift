import Annotations

/// A uniform grid over the bounding boxes of shapes on one image, answering "which shapes might
/// overlap this box" without testing every shape: each box is listed in the cells it covers, and a
/// query gathers the shapes of the cells its box covers.
///
/// Boxes that are not finite, or that cover too many cells, are kept in a list every query
/// returns; a query box covering too many cells returns every shape. A query may return shapes
/// whose boxes do not overlap it (the caller tests), never leaves out one that does.
struct ShapeGrid {
    /// The most cells one box is listed in; bigger boxes go to ``everywhere``.
    static let maximumCellsPerBox = 64

    private let cell: Double
    private var cells: [CellKey: [Int]] = [:]
    /// Shapes every query returns (non-finite or very large boxes).
    private var everywhere: [Int] = []
    private let count: Int

    private struct CellKey: Hashable {
        var x: Int
        var y: Int
    }

    /// A grid over `boxes`; shape `i` is `boxes[i]`. The cell size is the mean of the boxes' larger
    /// extents (at least one pixel), so a typical box covers about four cells.
    init(_ boxes: [BoundingBox]) {
        count = boxes.count
        let finite = boxes.filter { Self.isFinite($0) }
        let mean = finite.isEmpty ? 1 : finite.reduce(0) { $0 + max($1.width, $1.height) } / Double(finite.count)
        cell = mean.isFinite && mean > 1 ? mean : 1
        for (index, box) in boxes.enumerated() {
            guard let range = cellRange(box), range.count <= Self.maximumCellsPerBox else {
                everywhere.append(index)
                continue
            }
            for y in range.y { for x in range.x { cells[CellKey(x: x, y: y), default: []].append(index) } }
        }
    }

    /// The shapes whose boxes may overlap `box`, in increasing index order, each once.
    func candidates(for box: BoundingBox) -> [Int] {
        guard let range = cellRange(box), range.count <= Self.maximumCellsPerBox else { return Array(0..<count) }
        var found = everywhere
        for y in range.y { for x in range.x { found += cells[CellKey(x: x, y: y)] ?? [] } }
        found.sort()
        var unique: [Int] = []
        unique.reserveCapacity(found.count)
        for index in found where unique.last != index { unique.append(index) }
        return unique
    }

    private static func isFinite(_ box: BoundingBox) -> Bool {
        box.x.isFinite && box.y.isFinite && box.width.isFinite && box.height.isFinite && box.width >= 0 && box.height >= 0
    }

    /// The cells a box covers (closed ranges, so boxes touching a cell edge are listed on both
    /// sides); `nil` for a box whose cells cannot be numbered.
    private func cellRange(_ box: BoundingBox) -> (x: ClosedRange<Int>, y: ClosedRange<Int>, count: Int)? {
        guard Self.isFinite(box) else { return nil }
        let limit = Double(1 << 40)
        let bounds = [box.x / cell, (box.x + box.width) / cell, box.y / cell, (box.y + box.height) / cell]
        guard bounds.allSatisfy({ $0.isFinite && abs($0) < limit }) else { return nil }
        let x0 = Int(bounds[0].rounded(.down)), x1 = Int(bounds[1].rounded(.down))
        let y0 = Int(bounds[2].rounded(.down)), y1 = Int(bounds[3].rounded(.down))
        let width = x1 - x0 + 1, height = y1 - y0 + 1
        let count = width > Self.maximumCellsPerBox || height > Self.maximumCellsPerBox ? Int.max : width * height
        return (x0...x1, y0...y1, count)
    }
}
