/// The pixels of one binary mask as horizontal spans, row by row: `[x0, x1)` in row `row`,
/// sorted by row then column, never overlapping or touching within a row.
public struct RowSpans: Sendable, Hashable {
    /// Rows of the mask.
    public let height: Int
    /// Columns of the mask.
    public let width: Int
    /// The row of each span.
    public private(set) var rows: [Int32] = []
    /// First column of each span.
    public private(set) var x0: [Int32] = []
    /// One past the last column of each span.
    public private(set) var x1: [Int32] = []

    /// An empty mask of the given size.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// Number of spans.
    public var count: Int { rows.count }

    /// Appends a span; it must come after every span already appended (row order, then column) and
    /// may touch the previous one, in which case the two are joined.
    mutating func append(row: Int32, _ start: Int32, _ end: Int32) {
        guard start < end else { return }
        if let last = rows.last, last == row, let lastEnd = x1.last, lastEnd >= start {
            x1[x1.count - 1] = max(lastEnd, end)
            return
        }
        rows.append(row)
        x0.append(start)
        x1.append(end)
    }

    /// The number of pixels.
    public var area: Int {
        var total = 0
        for index in rows.indices { total += Int(x1[index] - x0[index]) }
        return total
    }

    /// The tight pixel box `[x, y, width, height]`; all zero for an empty mask.
    public var boundingBox: BoundingBox {
        guard let firstRow = rows.first, let lastRow = rows.last else { return BoundingBox(x: 0, y: 0, width: 0, height: 0) }
        var minX = Int32.max, maxX = Int32.min
        for index in rows.indices {
            minX = min(minX, x0[index])
            maxX = max(maxX, x1[index])
        }
        return BoundingBox(x: Double(minX), y: Double(firstRow), width: Double(maxX - minX), height: Double(lastRow - firstRow + 1))
    }

    /// The centre of mass in corner-based pixel coordinates (pixel `(c, r)` weighs at `(c + 0.5, r + 0.5)`);
    /// `nil` for an empty mask.
    public var centroid: Vertex? {
        var sumX = 0.0, sumY = 0.0, total = 0.0
        for index in rows.indices {
            let n = Double(x1[index] - x0[index])
            // Sum of (c + 0.5) for c in x0..<x1 = n * (x0 + x1) / 2.
            sumX += n * Double(Int(x0[index]) + Int(x1[index])) / 2
            sumY += n * (Double(rows[index]) + 0.5)
            total += n
        }
        return total > 0 ? Vertex(sumX / total, sumY / total) : nil
    }

    /// Calls `body` for every span as `(row, x0, x1)`.
    /// - Throws: whatever `body` throws.
    public func forEach(_ body: (_ row: Int, _ x0: Int, _ x1: Int) throws -> Void) rethrows {
        for index in rows.indices { try body(Int(rows[index]), Int(x0[index]), Int(x1[index])) }
    }
}
