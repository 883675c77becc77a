import MIFACore
import Zarr

/// What the writer needs from the typed pyramid builder.
protocol PyramidBuilding: AnyObject {
    /// Takes one full-resolution plane (`[height, width]`) at a position of the leading axes.
    func add(_ plane: AnyNDArray, at position: [Int]) throws
    /// Checks that every plane arrived and everything was written.
    func finish() throws
    /// What the planes held (channel ranges, label values).
    var statistics: PlaneStatistics { get }
}

/// Builds the pyramid of one image plane by plane, in bounded memory.
///
/// Every level keeps "slabs": the planes of one block of chunks (shards when sharded) along the
/// leading axes (t, c, z). A plane is copied into its slab and immediately reduced into the next
/// level's plane (with z downsampling, once its z partner has arrived); a slab is written to its
/// Zarr array, and freed, as soon as its last plane arrives. Fed in C order of the leading axes,
/// at most one slab per level is alive, so the memory is about 4/3 of one row of chunks of the
/// full resolution (one plane when the chunks are one plane deep).
final class PyramidBuilder<T: PyramidPixel>: PyramidBuilding {
    /// One block of planes of one level, filled until complete.
    struct Slab {
        var data: NDArray<T>
        var filled: Int
        let expected: Int
    }

    /// One level's arrays and buffers.
    struct Level {
        let array: ZarrArray
        let shape: [Int]
        let block: [Int]
        var slabs: [[Int]: Slab] = [:]
        /// With z downsampling: planes waiting for their z partner, by the next level's position.
        var pending: [[Int]: (plane: NDArray<T>, odd: Bool)] = [:]
    }

    var levels: [Level]
    let leadingRank: Int
    let zAxis: Int?
    let reduction: PyramidReduction
    let concurrency: Int?
    let channelAxis: Int?
    let collectsLabels: Bool
    var written: Set<Int> = []
    var statistics = PlaneStatistics()

    init(arrays: [ZarrArray], blocks: [[Int]], zAxis: Int?, reduction: PyramidReduction, concurrency: Int?, channelAxis: Int?, collectsLabels: Bool) {
        levels = zip(arrays, blocks).map { Level(array: $0, shape: $0.shape, block: $1) }
        leadingRank = arrays[0].rank - 2
        self.zAxis = zAxis
        self.reduction = reduction
        self.concurrency = concurrency
        self.channelAxis = channelAxis
        self.collectsLabels = collectsLabels
    }

    func add(_ plane: AnyNDArray, at position: [Int]) throws {
        let shape = levels[0].shape
        guard let typed = plane.typed(as: T.self) else {
            throw OMEZarrError(.invalidArgument, "a plane of \(plane.dataType.rawValue) was given for an image of \(T.dataType.rawValue)")
        }
        let planeShape = Array(shape.suffix(2))
        guard typed.shape.suffix(2).elementsEqual(planeShape), typed.shape.dropLast(2).allSatisfy({ $0 == 1 }) else {
            throw OMEZarrError(.invalidArgument, "a plane of shape \(typed.shape) was given; planes of this image are \(planeShape) (y, x)", context: ErrorContext(shape: typed.shape))
        }
        guard position.count == leadingRank, zip(position, shape).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
            throw OMEZarrError(.invalidArgument, "plane position \(position) is outside the leading axes \(Array(shape.prefix(leadingRank))); give one index per axis before y and x")
        }
        let linear = zip(position, GridStrides.cStrides(Array(shape.prefix(leadingRank)))).reduce(0) { $0 + $1.0 * $1.1 }
        guard written.insert(linear).inserted else {
            throw OMEZarrError(.invalidArgument, "the plane at \(position) was already written; each plane is written once")
        }
        var flat = typed
        if flat.rank != 2 || flat.order != .rowMajor {
            flat = try OMEZarrError.wrapping("cannot lay out the plane") {
                try NDArray(shape: planeShape, elements: typed.reordered(.rowMajor).elements)
            }
        }
        statistics.record(flat, channel: channelAxis.map { position[$0] } ?? 0, collectsLabels: collectsLabels)
        try accept(flat, level: 0, at: position)
    }

    /// Puts a plane of `level` into its slab and passes its reduction on to the next level.
    func accept(_ plane: NDArray<T>, level index: Int, at position: [Int]) throws {
        try store(plane, level: index, at: position)
        let next = index + 1
        guard next < levels.count else { return }
        guard let zAxis else {
            let reduced = PlaneDownsampler.downsample(plane, nil, reduction: reduction, concurrency: concurrency ?? 2)
            try accept(reduced, level: next, at: position)
            return
        }
        var target = position
        target[zAxis] = position[zAxis] / 2
        let odd = position[zAxis] % 2 == 1
        let isLoneLast = !odd && position[zAxis] + 1 >= levels[index].shape[zAxis]
        if isLoneLast {
            try accept(PlaneDownsampler.downsample(plane, nil, reduction: reduction, concurrency: concurrency ?? 2), level: next, at: target)
        } else if let partner = levels[index].pending.removeValue(forKey: target) {
            let (front, back) = odd ? (partner.plane, plane) : (plane, partner.plane)
            try accept(PlaneDownsampler.downsample(front, back, reduction: reduction, concurrency: concurrency ?? 2), level: next, at: target)
        } else {
            levels[index].pending[target] = (plane, odd)
        }
    }

    /// Copies a plane into its slab; writes and frees the slab when it is complete.
    func store(_ plane: NDArray<T>, level index: Int, at position: [Int]) throws {
        let level = levels[index]
        let origin = zip(position, level.block).map { ($0 / $1) * $1 }
        let extents = (0..<leadingRank).map { Swift.min(level.block[$0], level.shape[$0] - origin[$0]) }
        let expected = extents.reduce(1, *)
        let planeShape = Array(level.shape.suffix(2))
        if expected == 1 {
            try write(try OMEZarrError.wrapping("cannot shape the plane") { try NDArray(shape: extents + planeShape, elements: plane.elements) },
                      level: index, origin: origin)
            return
        }
        var slab = levels[index].slabs.removeValue(forKey: origin)
            ?? Slab(data: NDArray<T>(shape: extents + planeShape), filled: 0, expected: expected)
        let offset = zip(zip(position, origin).map(-), GridStrides.cStrides(extents)).reduce(0) { $0 + $1.0 * $1.1 } * plane.count
        slab.data.elements.withUnsafeMutableBufferPointer { destination in
            plane.elements.withUnsafeBufferPointer { source in
                (destination.baseAddress! + offset).update(from: source.baseAddress!, count: source.count)
            }
        }
        slab.filled += 1
        if slab.filled == slab.expected {
            try write(slab.data, level: index, origin: origin)
        } else {
            levels[index].slabs[origin] = slab
        }
    }

    /// Writes a complete block to the level's array.
    func write(_ data: NDArray<T>, level index: Int, origin: [Int]) throws {
        let array = levels[index].array
        try OMEZarrError.wrapping("cannot write level \(index) at \(origin)") {
            try array.write(data, at: origin + [0, 0], concurrency: concurrency)
        }
    }

    func finish() throws {
        let shape = levels[0].shape
        let total = shape.prefix(leadingRank).reduce(1, *)
        guard written.count == total else {
            let strides = GridStrides.cStrides(Array(shape.prefix(leadingRank)))
            let missing = (0..<total).first { !written.contains($0) }.map { linear in strides.map { (linear / $0) } .enumerated().map { $1 % shape[$0] } }
            throw OMEZarrError(.invalidArgument, "\(total - written.count) of \(total) planes were never written (the first is at \(missing ?? [])); write every plane before finishing")
        }
        for (index, level) in levels.enumerated() where !level.slabs.isEmpty || !level.pending.isEmpty {
            throw OMEZarrError(.invalidArgument, "level \(index) still holds \(level.slabs.count + level.pending.count) unwritten blocks; this is a bug in the pyramid builder")
        }
    }
}

/// C-order strides of a shape, in elements.
enum GridStrides {
    static func cStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= Swift.max(shape[axis], 1)
        }
        return strides
    }
}
