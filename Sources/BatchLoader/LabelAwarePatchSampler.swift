import MIFACore
import Zarr

/// Label-aware random patches: a fraction of the samples is centred on foreground (any non-zero
/// label) or, with `balanceClasses`, on a class chosen uniformly among the label values present,
/// so rare classes are seen as often as common ones; the rest are uniform random patches.
///
/// A centred sample chooses a source by its weight in the ``SampleIndex`` (so weighted dataset
/// mixing holds for centred samples too) among the sources that have the wanted labels.
///
/// At creation the labels are scanned once (at the sampled level) and summarised per value as
/// the list of `blockSize` × `blockSize` blocks that contain it, each with a 64-bit mask of which
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
    ///   fraction is outside [0, 1] or the block size outside [1, 8]; Zarr errors when a label
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
        var byClass: [Int64: [[Block]]] = [:]
        var foreground = [[Block]](repeating: [], count: index.sources.count)
        for (s, source) in index.sources.enumerated() {
            guard let label = source.label, let axes = source.labelAxes else { continue }
            let e = source.extents
            for t in 0..<e.t {
                for z in 0..<e.z {
                    var ranges = [Range<Int>](repeating: 0..<1, count: label.rank)
                    if let a = axes.t { ranges[a] = t..<(t + 1) }
                    if let a = axes.z { ranges[a] = z..<(z + 1) }
                    ranges[axes.y] = 0..<e.y
                    ranges[axes.x] = 0..<e.x
                    let values = Self.values(try label.read(Region(ranges)))
                    for row in 0..<((e.y + blockSize - 1) / blockSize) {
                        for column in 0..<((e.x + blockSize - 1) / blockSize) {
                            var masks: [Int64: UInt64] = [:]
                            var any: UInt64 = 0
                            for dy in 0..<min(blockSize, e.y - row * blockSize) {
                                let line = (row * blockSize + dy) * e.x + column * blockSize
                                for dx in 0..<min(blockSize, e.x - column * blockSize) where values[line + dx] != 0 {
                                    let bit = UInt64(1) << UInt64(dy * blockSize + dx)
                                    masks[values[line + dx], default: 0] |= bit
                                    any |= bit
                                }
                            }
                            guard any != 0 else { continue }
                            let at = { (pixels: UInt64) in Block(source: Int32(s), t: Int32(t), z: Int32(z), row: Int32(row), column: Int32(column), pixels: pixels) }
                            foreground[s].append(at(any))
                            for (value, pixels) in masks {
                                byClass[value, default: [[Block]](repeating: [], count: index.sources.count)][s].append(at(pixels))
                            }
                        }
                    }
                }
            }
        }
        classes = byClass.keys.sorted()
        blocksByClass = classes.map { byClass[$0]! }
        self.foreground = foreground
    }

    private static func values(_ array: AnyNDArray) -> [Int64] {
        switch array {
        case .int8(let a): a.elements.map(Int64.init)
        case .int16(let a): a.elements.map(Int64.init)
        case .int32(let a): a.elements.map(Int64.init)
        case .int64(let a): Array(a.elements)
        case .uint8(let a): a.elements.map(Int64.init)
        case .uint16(let a): a.elements.map(Int64.init)
        case .uint32(let a): a.elements.map(Int64.init)
        case .uint64(let a): a.elements.map { Int64(truncatingIfNeeded: $0) }
        default: []
        }
    }

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
