import MIFACore
import Zarr

/// Builds the pyramid of one image plane by plane, in bounded memory.
///
/// Every level keeps "slabs": the planes of one block of chunks (shards when sharded) along the
/// leading axes (t, c, z), as raw bytes. A plane is copied into its slab and immediately reduced
/// into the next level's plane (with z downsampling, once its z partner has arrived); a slab is
/// written to its Zarr array, and freed, as soon as its last plane arrives. Fed in C order of the
/// leading axes, at most one slab per level is alive, so the memory is about 4/3 of one row of
/// chunks of the full resolution (one plane when the chunks are one plane deep).
///
/// The builder is not generic: each hot step (statistics, reduction) switches once per plane on
/// the element type and runs code specialised for it.
final class PyramidBuilder {
    /// One block of planes of one level, filled until complete.
    struct Slab {
        var bytes: [UInt8]
        var filled: Int
        let expected: Int
    }

    /// One level's array and buffers.
    struct Level {
        let array: ZarrArray
        let shape: [Int]
        let block: [Int]
        var slabs: [[Int]: Slab] = [:]
        /// With z downsampling: planes waiting for their z partner, by the next level's position.
        var pending: [[Int]: (plane: AnyNDArray, odd: Bool)] = [:]
        /// The buffer of the last slab written, reused by the next slab of the same size (saves
        /// mapping and zeroing fresh memory for every block).
        var spare: [UInt8]?
    }

    var levels: [Level]
    let dataType: DataType
    let leadingRank: Int
    let zAxis: Int?
    let reduction: PyramidReduction
    let concurrency: Int?
    let channelAxis: Int?
    let collectsLabels: Bool
    /// Whether each level is reduced from the one before (otherwise every level's planes are given).
    let reduces: Bool
    /// The planes written, by level (level 0 only when the builder reduces).
    var written: [Set<Int>]
    var statistics = PlaneStatistics()

    init(arrays: [ZarrArray], blocks: [[Int]], dataType: DataType, zAxis: Int?, reduction: PyramidReduction, concurrency: Int?,
         channelAxis: Int?, collectsLabels: Bool, reduces: Bool = true) {
        levels = zip(arrays, blocks).map { Level(array: $0, shape: $0.shape, block: $1) }
        self.dataType = dataType
        leadingRank = arrays[0].rank - 2
        self.zAxis = zAxis
        self.reduction = reduction
        self.concurrency = concurrency
        self.channelAxis = channelAxis
        self.collectsLabels = collectsLabels
        self.reduces = reduces
        written = Array(repeating: [], count: arrays.count)
    }

    /// Takes one plane (`[height, width]`, leading extents of 1 allowed) at a position of the
    /// leading axes: of the full resolution, or of any level when levels are given.
    func add(_ plane: AnyNDArray, at position: [Int], level: Int = 0) throws {
        guard level == 0 || (!reduces && levels.indices.contains(level)) else {
            throw OMEZarrError(.invalidArgument, reduces ? "the pyramid is computed from level 0; planes of level \(level) cannot be given"
                               : "level \(level) does not exist; the image has \(levels.count) levels")
        }
        let shape = levels[level].shape
        guard plane.dataType == dataType else {
            throw OMEZarrError(.invalidArgument, "a plane of \(plane.dataType.rawValue) was given for an image of \(dataType.rawValue)")
        }
        let planeShape = Array(shape.suffix(2))
        guard plane.shape.suffix(2).elementsEqual(planeShape), plane.shape.dropLast(2).allSatisfy({ $0 == 1 }) else {
            throw OMEZarrError(.invalidArgument, "a plane of shape \(plane.shape) was given; planes of level \(level) are \(planeShape) (y, x)", context: ErrorContext(shape: plane.shape))
        }
        guard position.count == leadingRank, zip(position, shape).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
            throw OMEZarrError(.invalidArgument, "plane position \(position) is outside the leading axes \(Array(shape.prefix(leadingRank))) of level \(level); give one index per axis before y and x")
        }
        let linear = zip(position, MemoryOrder.rowMajor.strides(for: Array(shape.prefix(leadingRank)))).reduce(0) { $0 + $1.0 * $1.1 }
        guard written[level].insert(linear).inserted else {
            throw OMEZarrError(.invalidArgument, "the plane at \(position) of level \(level) was already written; each plane is written once")
        }
        let flat = try PlaneOps.flatten(plane, to: planeShape)
        if level == 0 {
            PlaneOps.record(flat, into: &statistics, channel: channelAxis.map { position[$0] } ?? 0, collectsLabels: collectsLabels)
        }
        try accept(flat, level: level, at: position)
    }

    /// Puts a plane of `level` into its slab and passes its reduction on to the next level.
    func accept(_ plane: AnyNDArray, level index: Int, at position: [Int]) throws {
        try store(plane, level: index, at: position)
        let next = index + 1
        guard reduces, next < levels.count else { return }
        let threads = concurrency ?? 2
        guard let zAxis else {
            try accept(PlaneOps.downsample(plane, nil, reduction: reduction, concurrency: threads), level: next, at: position)
            return
        }
        var target = position
        target[zAxis] = position[zAxis] / 2
        let odd = position[zAxis] % 2 == 1
        let isLoneLast = !odd && position[zAxis] + 1 >= levels[index].shape[zAxis]
        if isLoneLast {
            try accept(PlaneOps.downsample(plane, nil, reduction: reduction, concurrency: threads), level: next, at: target)
        } else if let partner = levels[index].pending.removeValue(forKey: target) {
            let (front, back) = odd ? (partner.plane, plane) : (plane, partner.plane)
            try accept(PlaneOps.downsample(front, back, reduction: reduction, concurrency: threads), level: next, at: target)
        } else {
            levels[index].pending[target] = (plane, odd)
        }
    }

    /// Copies a plane into its slab; writes and frees the slab when it is complete.
    func store(_ plane: AnyNDArray, level index: Int, at position: [Int]) throws {
        // Copy out what is needed: holding a copy of the level would share its slabs and make the
        // slab written below copy itself (copy-on-write) on every plane.
        let (shape, block, array) = (levels[index].shape, levels[index].block, levels[index].array)
        let origin = zip(position, block).map { ($0 / $1) * $1 }
        let extents = (0..<leadingRank).map { Swift.min(block[$0], shape[$0] - origin[$0]) }
        let expected = extents.reduce(1, *)
        let planeShape = Array(shape.suffix(2))
        if expected == 1 {
            let full = try PlaneOps.flatten(plane, to: extents + planeShape)
            try OMEZarrError.wrapping("cannot write level \(index) at \(origin)") {
                try array.write(full, at: origin + [0, 0], concurrency: concurrency)
            }
            return
        }
        let planeBytes = planeShape.reduce(1, *) * dataType.byteSize
        var slab: Slab
        if let existing = levels[index].slabs.removeValue(forKey: origin) {
            slab = existing
        } else if let spare = levels[index].spare, spare.count == expected * planeBytes {
            // Every plane of the block overwrites its part before the slab is written, so the old
            // content never reaches the store.
            levels[index].spare = nil
            slab = Slab(bytes: spare, filled: 0, expected: expected)
        } else {
            slab = Slab(bytes: [UInt8](repeating: 0, count: expected * planeBytes), filled: 0, expected: expected)
        }
        let offset = zip(zip(position, origin).map(-), MemoryOrder.rowMajor.strides(for: extents)).reduce(0) { $0 + $1.0 * $1.1 } * planeBytes
        slab.bytes.withUnsafeMutableBytes { destination in
            plane.withUnsafeBytes { source in
                (destination.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: planeBytes)
            }
        }
        slab.filled += 1
        if slab.filled == slab.expected {
            try OMEZarrError.wrapping("cannot write level \(index) at \(origin)") {
                try array.writeBytes(slab.bytes, shape: extents + planeShape, at: origin + [0, 0], concurrency: concurrency)
            }
            levels[index].spare = slab.bytes
        } else {
            levels[index].slabs[origin] = slab
        }
    }

    /// Checks that every plane arrived (of every level, when they are given) and everything was written.
    func finish() throws {
        for (index, level) in levels.enumerated() where index == 0 || !reduces {
            let shape = level.shape
            let total = shape.prefix(leadingRank).reduce(1, *)
            guard written[index].count == total else {
                let strides = MemoryOrder.rowMajor.strides(for: Array(shape.prefix(leadingRank)))
                let missing = (0..<total).first { !written[index].contains($0) }.map { linear in strides.enumerated().map { (linear / $1) % shape[$0] } }
                throw OMEZarrError(.invalidArgument, "\(total - written[index].count) of \(total) planes\(reduces ? "" : " of level \(index)") were never written (the first is at \(missing ?? [])); write every plane before finishing")
            }
        }
        for index in levels.indices { levels[index].spare = nil }
        for (index, level) in levels.enumerated() where !level.slabs.isEmpty || !level.pending.isEmpty {
            throw OMEZarrError(.invalidArgument, "level \(index) still holds \(level.slabs.count + level.pending.count) unwritten blocks; this is a bug in the pyramid builder")
        }
    }
}
