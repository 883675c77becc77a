import MIFACore

/// Helpers for walking N-dimensional grids of chunks and elements in C order.
enum GridIndex {
    /// Calls `body` with every index of `shape` in C order (last axis fastest).
    static func forEach(_ shape: [Int], _ body: ([Int]) throws -> Void) rethrows {
        guard !shape.contains(0) else { return }
        var index = [Int](repeating: 0, count: shape.count)
        while true {
            try body(index)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// Every index of the box `lower..<upper` in C order.
    static func indices(from lower: [Int], to upper: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        forEach(zip(lower, upper).map { $1 - $0 }) { offset in
            result.append(zip(lower, offset).map(+))
        }
        return result
    }

    /// The C-order position of `index` in `shape`.
    static func linear(_ index: [Int], in shape: [Int]) -> Int {
        var position = 0
        for (i, extent) in zip(index, shape) { position = position * extent + i }
        return position
    }

    /// Sum of `index[a] * strides[a]`.
    static func offset(_ index: [Int], _ strides: [Int]) -> Int {
        var total = 0
        for (i, s) in zip(index, strides) { total += i * s }
        return total
    }
}

/// The box of chunk indices a region touches, addressed by position without listing them all, so
/// a large region of small chunks costs no memory before its chunks are visited.
struct GridRange: Sendable {
    /// The first chunk index on each axis.
    let lower: [Int]
    /// Chunks along each axis.
    let counts: [Int]

    /// The chunks of shape `chunkShape` that `region` touches (none for an empty region).
    init(region: Region, chunkShape: [Int]) {
        if region.isEmpty {
            lower = [Int](repeating: 0, count: region.rank)
            counts = [Int](repeating: 0, count: region.rank)
            return
        }
        lower = zip(region.ranges, chunkShape).map { $0.lowerBound / $1 }
        counts = zip(zip(region.ranges, chunkShape), lower).map { pair, first in (pair.0.upperBound - 1) / pair.1 + 1 - first }
    }

    /// Number of chunks.
    var count: Int { counts.reduce(1, *) }

    /// The chunk index at C-order position `position`.
    subscript(position: Int) -> [Int] {
        var rest = position
        var index = [Int](repeating: 0, count: counts.count)
        for axis in counts.indices.reversed() {
            index[axis] = lower[axis] + rest % counts[axis]
            rest /= counts[axis]
        }
        return index
    }
}
