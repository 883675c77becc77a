/// Patches on a regular grid with overlap, for inference: along each axis tiles start every
/// `patch - overlap` pixels and the last tile is moved back to end at the image's edge (so every
/// pixel is covered and no tile reaches outside, unless the image is smaller than the patch).
/// Use it with shuffling off, and stitch predictions back with ``GridAggregator``.
public struct GridPatchSampler: PatchSampler {
    /// The patch extent `[y, x]` or `[z, y, x]`.
    public let patch: [Int]
    /// The overlap between neighbouring tiles, per axis of `patch`.
    public let overlap: [Int]

    /// A grid of `patch` tiles overlapping by `overlap` (each overlap smaller than the patch).
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` for mismatched lengths or an overlap
    ///   not in `[0, patch)`.
    public init(patch: [Int], overlap: [Int]) throws {
        guard patch.count == overlap.count, (2...3).contains(patch.count),
              zip(patch, overlap).allSatisfy({ $0 > 0 && $1 >= 0 && $1 < $0 }) else {
            throw BatchLoaderError(.invalidConfiguration, "the grid needs a 2-D or 3-D patch and an overlap per axis smaller than it; found patch \(patch), overlap \(overlap)")
        }
        self.patch = patch
        self.overlap = overlap
    }

    /// `[z, y, x]`.
    public func patchShape(in index: SampleIndex) -> [Int] { spatialShape(patch) }

    /// The tile starts along one axis of `extent`.
    static func starts(extent: Int, size: Int, step: Int) -> [Int] {
        guard extent > size else { return [0] }
        var result = Array(stride(from: 0, to: extent - size, by: step))
        result.append(extent - size)
        return result
    }

    /// The tile starts `[z, y, x]` of one source.
    func tileStarts(_ source: SampleSource) -> [[Int]] {
        let shape = spatialShape(patch)
        let steps = zip(spatialShape(patch), patch.count == 2 ? [0] + overlap : overlap).map { max(1, $0 - $1) }
        let e = source.extents
        return zip([e.z, e.y, e.x], zip(shape, steps)).map { Self.starts(extent: $0, size: $1.0, step: $1.1) }
    }

    /// The number of tiles of `source` (over all its time points).
    func tileCount(_ source: SampleSource) -> Int {
        tileStarts(source).reduce(source.extents.t) { $0 * $1.count }
    }

    /// The total number of tiles.
    public func sampleCount(in index: SampleIndex) -> Int { index.sources.reduce(0) { $0 + tileCount($1) } }

    /// Tile `sample` in source order, then t, z, y, x.
    public func request(_ sample: Int, in index: SampleIndex, random: inout SampleRandom) -> PatchRequest {
        var rest = sample
        for (i, source) in index.sources.enumerated() {
            let count = tileCount(source)
            if rest >= count {
                rest -= count
                continue
            }
            let starts = tileStarts(source)
            let x = rest % starts[2].count
            rest /= starts[2].count
            let y = rest % starts[1].count
            rest /= starts[1].count
            let z = rest % starts[0].count
            let t = rest / starts[0].count
            return PatchRequest(source: i, t: t, origin: [starts[0][z], starts[1][y], starts[2][x]], shape: spatialShape(patch))
        }
        preconditionFailure("sample \(sample) is outside the epoch")
    }
}
