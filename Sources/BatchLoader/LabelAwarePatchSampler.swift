import MIFACore
import Zarr

/// Label-aware random patches: a fraction of the samples is centred on foreground (any non-zero
/// label) or, with `balanceClasses`, on a class chosen uniformly among the label values present,
/// so rare classes are seen as often as common ones; the rest are uniform random patches.
///
/// At creation the labels are scanned once (at the sampled level) and summarised per value as
/// the list of `blockSize` × `blockSize` blocks that contain it; a centred sample picks such a
/// block uniformly and centres the patch on a random pixel of it, so the centre is within
/// `blockSize` pixels of the chosen class (exactly on it with `blockSize` 1). Patches are moved
/// inside the image where they fit.
public struct LabelAwarePatchSampler: PatchSampler {
    /// Where a block is: source, time point, z, block row, block column.
    struct Block: Sendable, Hashable {
        var source: Int32, t: Int32, z: Int32, row: Int32, column: Int32
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
    let blocksByClass: [[Block]]
    let foreground: [Block]
    let uniform: UniformPatchSampler

    /// Scans the labels of `index` and prepares the sampler.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when no source has labels or the
    ///   fraction is outside [0, 1]; Zarr errors when a label chunk cannot be read.
    public init(patch: [Int], samplesPerEpoch: Int, foregroundFraction: Double, balanceClasses: Bool = false,
                blockSize: Int = 8, index: SampleIndex) throws {
        guard index.hasLabels, (0...1).contains(foregroundFraction), blockSize >= 1 else {
            throw BatchLoaderError(.invalidConfiguration, "label-aware sampling needs labels, a fraction in [0, 1] and a block size of at least 1")
        }
        self.patch = patch
        self.samplesPerEpoch = samplesPerEpoch
        self.foregroundFraction = foregroundFraction
        self.balanceClasses = balanceClasses
        self.blockSize = blockSize
        uniform = UniformPatchSampler(patch: patch, samplesPerEpoch: samplesPerEpoch)
        var byClass: [Int64: Set<Block>] = [:]
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
                    let plane = try label.read(Region(ranges))
                    let values = Self.values(plane)
                    for y in 0..<e.y {
                        for x in 0..<e.x {
                            let v = values[y * e.x + x]
                            guard v != 0 else { continue }
                            byClass[v, default: []].insert(Block(source: Int32(s), t: Int32(t), z: Int32(z), row: Int32(y / blockSize), column: Int32(x / blockSize)))
                        }
                    }
                }
            }
        }
        classes = byClass.keys.sorted()
        blocksByClass = classes.map { byClass[$0]!.sorted { ($0.source, $0.t, $0.z, $0.row, $0.column) < ($1.source, $1.t, $1.z, $1.row, $1.column) } }
        foreground = Array(Set(blocksByClass.joined())).sorted { ($0.source, $0.t, $0.z, $0.row, $0.column) < ($1.source, $1.t, $1.z, $1.row, $1.column) }
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
        let pool: [Block]
        if balanceClasses, !blocksByClass.isEmpty {
            pool = blocksByClass[Int.random(in: 0..<blocksByClass.count, using: &random)]
        } else {
            pool = foreground
        }
        guard centred, !pool.isEmpty else { return uniform.request(sample, in: index, random: &random) }
        let block = pool[Int.random(in: 0..<pool.count, using: &random)]
        let e = index.sources[Int(block.source)].extents
        let shape = spatialShape(patch)
        let cy = min(e.y - 1, Int(block.row) * blockSize + Int.random(in: 0..<blockSize, using: &random))
        let cx = min(e.x - 1, Int(block.column) * blockSize + Int.random(in: 0..<blockSize, using: &random))
        let cz = Int(block.z)
        let centre = [cz, cy, cx]
        let extents = [e.z, e.y, e.x]
        let origin = (0..<3).map { a in
            let wanted = centre[a] - shape[a] / 2
            return extents[a] >= shape[a] ? min(max(0, wanted), extents[a] - shape[a]) : wanted
        }
        return PatchRequest(source: Int(block.source), t: Int(block.t), origin: shape[0] == 1 ? [cz, origin[1], origin[2]] : origin, shape: shape)
    }
}
