/// A box-shaped part of an N-dimensional array: one half-open range per axis.
///
/// `Region` is how every layer names "which part": a chunk of a Zarr array, a patch for the loader,
/// a tile of a TIFF. Axis order is the array's (OME-NGFF `t, c, z, y, x` where it applies).
public struct Region: Sendable, Hashable, CustomStringConvertible {
    /// One half-open range `lower..<upper` per axis.
    public var ranges: [Range<Int>]

    /// A region from per-axis half-open ranges.
    public init(_ ranges: [Range<Int>]) {
        self.ranges = ranges
    }

    /// The whole of an array of the given shape: `0..<shape[i]` on every axis.
    public init(shape: [Int]) {
        self.ranges = shape.map { 0..<$0 }
    }

    /// A region from its origin (lower corner) and its extent per axis.
    public init(origin: [Int], shape: [Int]) {
        precondition(origin.count == shape.count, "origin and shape must have the same rank")
        self.ranges = zip(origin, shape).map { $0..<($0 + $1) }
    }

    /// Number of axes.
    public var rank: Int { ranges.count }

    /// Lower corner: the first index on every axis.
    public var origin: [Int] { ranges.map(\.lowerBound) }

    /// Extent per axis.
    public var shape: [Int] { ranges.map(\.count) }

    /// Number of elements the region covers.
    public var elementCount: Int { ranges.reduce(1) { $0 * $1.count } }

    /// Whether the region covers no element.
    public var isEmpty: Bool { ranges.contains { $0.isEmpty } }

    /// The part both regions cover, or `nil` when they do not overlap or differ in rank.
    public func intersection(_ other: Region) -> Region? {
        guard rank == other.rank else { return nil }
        var result: [Range<Int>] = []
        result.reserveCapacity(rank)
        for (a, b) in zip(ranges, other.ranges) {
            let lower = Swift.max(a.lowerBound, b.lowerBound)
            let upper = Swift.min(a.upperBound, b.upperBound)
            guard lower < upper else { return nil }
            result.append(lower..<upper)
        }
        return Region(result)
    }

    /// Whether `other` lies entirely inside this region.
    public func contains(_ other: Region) -> Bool {
        guard rank == other.rank else { return false }
        return zip(ranges, other.ranges).allSatisfy { a, b in
            b.isEmpty || (a.lowerBound <= b.lowerBound && b.upperBound <= a.upperBound)
        }
    }

    /// The same region moved by `offset` (added per axis).
    public func translated(by offset: [Int]) -> Region {
        precondition(offset.count == rank, "offset rank must match region rank")
        return Region(zip(ranges, offset).map { ($0.lowerBound + $1)..<($0.upperBound + $1) })
    }

    /// The region written as NumPy-style slices, e.g. `0:10,0:512`.
    public var description: String {
        ranges.map { "\($0.lowerBound):\($0.upperBound)" }.joined(separator: ",")
    }

    /// Parses NumPy-style slices such as `0:10,0:512,:` against an array shape.
    ///
    /// Each axis is `start:stop`, `start:`, `:stop`, `:` or a single index `i` (meaning `i:i+1`).
    /// Negative numbers count from the end as in NumPy. Missing trailing axes mean the whole axis.
    /// - Throws: ``CoreError`` with code `.invalidRegion` when the text does not parse, has more axes
    ///   than the shape, or reaches outside it.
    public init(parsing text: String, shape: [Int]) throws {
        let parts = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= shape.count else {
            throw CoreError(.invalidRegion, "region '\(text)' has \(parts.count) axes but the array has \(shape.count)")
        }
        var result: [Range<Int>] = []
        for (axis, extent) in shape.enumerated() {
            guard axis < parts.count else { result.append(0..<extent); continue }
            let part = parts[axis].trimmingSpaces()
            func index(_ s: Substring, default value: Int) throws -> Int {
                if s.isEmpty { return value }
                guard let v = Int(s) else {
                    throw CoreError(.invalidRegion, "region '\(text)': '\(s)' on axis \(axis) is not an integer")
                }
                return v < 0 ? extent + v : v
            }
            let range: Range<Int>
            if let colon = part.firstIndex(of: ":") {
                let lower = try index(part[..<colon], default: 0)
                let upper = try index(part[part.index(after: colon)...], default: extent)
                guard lower <= upper else {
                    throw CoreError(.invalidRegion, "region '\(text)': axis \(axis) starts at \(lower) after its end \(upper)")
                }
                range = lower..<upper
            } else {
                let i = try index(part, default: 0)
                range = i..<(i + 1)
            }
            guard range.lowerBound >= 0, range.upperBound <= extent else {
                throw CoreError(.invalidRegion, "region '\(text)': axis \(axis) range \(range.lowerBound):\(range.upperBound) is outside 0:\(extent)")
            }
            result.append(range)
        }
        self.ranges = result
    }
}

extension Substring {
    /// The substring without leading and trailing spaces.
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
