import MIFACore
import Zarr

/// Label-aware random patches: a fraction of the samples is centred on foreground (any non-zero
/// label) or, with `balanceClasses`, on a class chosen uniformly among the label values present,
/// so rare classes are seen as often as common ones; the rest are uniform random patches.
///
/// A centred sample chooses a source by its weight in the ``SampleIndex`` (so weighted dataset
/// mixing holds for centred samples too) among the sources that have the wanted labels.
///
/// At creation the labels are scanned once (at the sampled level), tile by tile (a tile is a read
/// chunk rounded up to whole blocks, so memory stays about one chunk whatever the image's size) in
/// the labels' own type, and summarised per value as the list of `blockSize` × `blockSize` blocks
/// that contain it, each with a 64-bit mask of which
/// of its pixels have the value (hence `blockSize` is at most 8). A centred sample picks such a
/// block uniformly, then one of the block's pixels with the value uniformly, and centres the patch
/// on it: the centre pixel (`origin + shape / 2`) has the chosen value exactly, unless the patch
/// had to be moved to fit inside the image (it is moved inside where the image is large enough).
public struct LabelAwarePatchSampler: PatchSampler {
    /// Where a block is (source, time point, z, block row, block column) and which of its pixels,
    /// row by row, have the value (bit `dy * blockSize + dx`).
    struct Block: Sendable, Hashable {
        var source: Int32, t: Int32, z: Int32, row: Int32, column: Int32
        var pixels: UInt64
    }

    /// The patch extent `[y, x]` or `[z, y, x]`.
    public let patch: [Int]
    /// How many samples one epoch has.
    public let samplesPerEpoch: Int
    /// The fraction of samples centred on labels.
    public let foregroundFraction: Double
    /// Whether a centred sample first picks a label value uniformly.
    public let balanceClasses: Bool
    /// The block size of the summary.
    public let blockSize: Int
    /// The label values found, sorted (0 excluded).
    public let classes: [Int64]
    /// Per class, per source, the blocks holding the class.
    let blocksByClass: [[[Block]]]
    /// Per source, the blocks holding any label.
    let foreground: [[Block]]
    let uniform: UniformPatchSampler

    /// Scans the labels of `index` and prepares the sampler.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when no source has labels, the
    ///   fraction is outside [0, 1] or the block size outside [1, 8]; `ZarrError` when a label
    ///   chunk cannot be read.
    public init(patch: [Int], samplesPerEpoch: Int, foregroundFraction: Double, balanceClasses: Bool = false,
                blockSize: Int = 8, index: SampleIndex) throws {
        guard index.hasLabels, (0...1).contains(foregroundFraction), (1...8).contains(blockSize) else {
            throw BatchLoaderError(.invalidConfiguration, "label-aware sampling needs labels, a fraction in [0, 1] and a block size from 1 to 8; found \(foregroundFraction) and \(blockSize)")
        }
        self.patch = patch
        self.samplesPerEpoch = samplesPerEpoch
        self.foregroundFraction = foregroundFraction
        self.balanceClasses = balanceClasses
        self.blockSize = blockSize
        uniform = UniformPatchSampler(patch: patch, samplesPerEpoch: samplesPerEpoch)
        var scan = LabelScan(sourceCount: index.sources.count, blockSize: blockSize)
        for (s, source) in index.sources.enumerated() {
            guard let label = source.label, let axes = source.labelAxes else { continue }
            try scan.add(source: s, label: label, axes: axes, extents: source.extents)
        }
        classes = scan.byClass.keys.sorted()
        blocksByClass = classes.map { scan.byClass[$0]!.map(LabelScan.sorted) }
        foreground = scan.foreground.map(LabelScan.sorted)
        largestScanRead = scan.largestRead
    }

    /// The bytes of the largest label region read while scanning (about one chunk).
    let largestScanRead: Int

    /// `[z, y, x]`.
    public func patchShape(in index: SampleIndex) -> [Int] { spatialShape(patch) }

    /// ``samplesPerEpoch``.
    public func sampleCount(in index: SampleIndex) -> Int { samplesPerEpoch }

    /// A patch centred on a label (with probability ``foregroundFraction``) or a uniform one.
    public func request(_ sample: Int, in index: SampleIndex, random: inout SampleRandom) -> PatchRequest {
        let centred = Double.random(in: 0..<1, using: &random) < foregroundFraction
        let perSource: [[Block]]
        if balanceClasses, !blocksByClass.isEmpty {
            perSource = blocksByClass[Int.random(in: 0..<blocksByClass.count, using: &random)]
        } else {
            perSource = foreground
        }
        let candidates = perSource.indices.filter { !perSource[$0].isEmpty }
        guard centred, !candidates.isEmpty else { return uniform.request(sample, in: index, random: &random) }
        var point = Double.random(in: 0..<candidates.reduce(0) { $0 + index.weights[$1] }, using: &random)
        var source = candidates[candidates.count - 1]
        for candidate in candidates {
            if point < index.weights[candidate] { source = candidate; break }
            point -= index.weights[candidate]
        }
        let pool = perSource[source]
        let block = pool[Int.random(in: 0..<pool.count, using: &random)]
        let e = index.sources[Int(block.source)].extents
        let shape = spatialShape(patch)
        let chosen = Self.setBit(block.pixels, Int.random(in: 0..<block.pixels.nonzeroBitCount, using: &random))
        let cy = Int(block.row) * blockSize + chosen / blockSize
        let cx = Int(block.column) * blockSize + chosen % blockSize
        let cz = Int(block.z)
        let centre = [cz, cy, cx]
        let extents = [e.z, e.y, e.x]
        let origin = (0..<3).map { a in
            let wanted = centre[a] - shape[a] / 2
            return extents[a] >= shape[a] ? min(max(0, wanted), extents[a] - shape[a]) : wanted
        }
        return PatchRequest(source: Int(block.source), t: Int(block.t), origin: shape[0] == 1 ? [cz, origin[1], origin[2]] : origin, shape: shape)
    }

    /// The position of the `k`-th set bit of `bits` (counting from the lowest).
    static func setBit(_ bits: UInt64, _ k: Int) -> Int {
        var rest = bits
        for _ in 0..<k { rest &= rest - 1 }
        return rest.trailingZeroBitCount
    }
}

/// The scan of label images behind ``LabelAwarePatchSampler``: tiles of whole blocks, about one read
/// chunk each, read in the labels' native type; each block's pixels with a non-zero value become one
/// ``LabelAwarePatchSampler/Block`` per value and one for any value.
struct LabelScan {
    typealias Block = LabelAwarePatchSampler.Block

    let blockSize: Int
    /// Per label value, per source, the blocks holding it (in scan order).
    var byClass: [Int64: [[Block]]] = [:]
    /// Per source, the blocks holding any label (in scan order).
    var foreground: [[Block]]
    /// The bytes of the largest region read.
    var largestRead = 0

    init(sourceCount: Int, blockSize: Int) {
        self.blockSize = blockSize
        foreground = [[Block]](repeating: [], count: sourceCount)
    }

    /// Blocks in the order of a whole-plane scan: time point, z, block row, block column.
    static func sorted(_ blocks: [Block]) -> [Block] {
        blocks.sorted { ($0.t, $0.z, $0.row, $0.column) < ($1.t, $1.z, $1.row, $1.column) }
    }

    /// Scans every plane of `label` (a source's label array with the source's `extents`).
    /// - Throws: `ZarrError` when a chunk cannot be read; ``BatchLoaderError`` `.unsupportedImage`
    ///   for a label type that is not an integer.
    mutating func add(source: Int, label: ZarrArray, axes: SampleSource.AxisSlots, extents e: (t: Int, c: Int, z: Int, y: Int, x: Int)) throws {
        switch label.dataType.coreType {
        case .int8: try add(Int8.self, source: source, label: label, axes: axes, extents: e)
        case .int16: try add(Int16.self, source: source, label: label, axes: axes, extents: e)
        case .int32: try add(Int32.self, source: source, label: label, axes: axes, extents: e)
        case .int64: try add(Int64.self, source: source, label: label, axes: axes, extents: e)
        case .uint8: try add(UInt8.self, source: source, label: label, axes: axes, extents: e)
        case .uint16: try add(UInt16.self, source: source, label: label, axes: axes, extents: e)
        case .uint32: try add(UInt32.self, source: source, label: label, axes: axes, extents: e)
        case .uint64: try add(UInt64.self, source: source, label: label, axes: axes, extents: e)
        default:
            throw BatchLoaderError(.unsupportedImage, "the label type \(label.dataType) is not an integer type; labels are integers")
        }
    }

    private mutating func add<T: NDArrayElement & FixedWidthInteger>(_ type: T.Type, source: Int, label: ZarrArray, axes: SampleSource.AxisSlots,
                                                                    extents e: (t: Int, c: Int, z: Int, y: Int, x: Int)) throws {
        let b = blockSize
        // A tile is a read chunk rounded up to whole blocks (at least one block).
        let chunk = label.readChunkShape
        let tileY = max(b, (chunk[axes.y] + b - 1) / b * b), tileX = max(b, (chunk[axes.x] + b - 1) / b * b)
        for t in 0..<e.t {
            for z in 0..<e.z {
                for y0 in stride(from: 0, to: e.y, by: tileY) {
                    for x0 in stride(from: 0, to: e.x, by: tileX) {
                        let h = min(tileY, e.y - y0), w = min(tileX, e.x - x0)
                        var ranges = [Range<Int>](repeating: 0..<1, count: label.rank)
                        if let a = axes.t { ranges[a] = t..<(t + 1) }
                        if let a = axes.z { ranges[a] = z..<(z + 1) }
                        ranges[axes.y] = y0..<(y0 + h)
                        ranges[axes.x] = x0..<(x0 + w)
                        largestRead = max(largestRead, h * w * MemoryLayout<T>.stride)
                        let tile = try label.read(T.self, region: Region(ranges))
                        tile.elements.withUnsafeBufferPointer { values in
                            scanTile(values, source: source, t: t, z: z, y0: y0, x0: x0, height: h, width: w)
                        }
                    }
                }
            }
        }
    }

    /// Summarises one tile (row-major `height` × `width`, its corner at `(y0, x0)`, both multiples of
    /// the block size) block by block.
    private mutating func scanTile<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, source: Int, t: Int, z: Int, y0: Int, x0: Int, height: Int, width: Int) {
        let b = blockSize
        for row in 0..<((height + b - 1) / b) {
            for column in 0..<((width + b - 1) / b) {
                var masks: [Int64: UInt64] = [:]
                var any: UInt64 = 0
                for dy in 0..<min(b, height - row * b) {
                    let line = (row * b + dy) * width + column * b
                    for dx in 0..<min(b, width - column * b) where values[line + dx] != 0 {
                        let bit = UInt64(1) << UInt64(dy * b + dx)
                        masks[Int64(truncatingIfNeeded: values[line + dx]), default: 0] |= bit
                        any |= bit
                    }
                }
                guard any != 0 else { continue }
                let at = { (pixels: UInt64) in
                    Block(source: Int32(source), t: Int32(t), z: Int32(z), row: Int32(y0 / b + row), column: Int32(x0 / b + column), pixels: pixels)
                }
                foreground[source].append(at(any))
                for (value, pixels) in masks {
                    byClass[value, default: [[Block]](repeating: [], count: foreground.count)][source].append(at(pixels))
                }
            }
        }
    }
}
