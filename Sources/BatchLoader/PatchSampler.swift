/// Decides what each sample of an epoch reads. A sampler is a pure function: the request of a
/// sample depends only on the index, the sample's number and its random stream, which is a pure
/// function of `(seed, epoch, sample)`; so sampling is reproducible on any number of threads.
public protocol PatchSampler: Sendable {
    /// The spatial shape `[z, y, x]` of every patch (z is 1 for 2-D patches).
    func patchShape(in index: SampleIndex) -> [Int]
    /// How many samples one epoch has.
    func sampleCount(in index: SampleIndex) -> Int
    /// The request of sample `sample` (in `[0, sampleCount)`), drawing from `random`.
    func request(_ sample: Int, in index: SampleIndex, random: inout SampleRandom) -> PatchRequest
}

/// The spatial patch shape `[z, y, x]` from a user's `[y, x]` or `[z, y, x]`.
func spatialShape(_ patch: [Int]) -> [Int] {
    patch.count == 2 ? [1] + patch : patch
}

/// Chooses a source with probability proportional to its weight.
func chooseSource(_ index: SampleIndex, _ random: inout SampleRandom) -> Int {
    let total = index.weights.reduce(0, +)
    var point = Double.random(in: 0..<total, using: &random)
    for (i, weight) in index.weights.enumerated() {
        if point < weight { return i }
        point -= weight
    }
    return index.weights.count - 1
}

/// Random patches, uniform over positions: a source by weight, then a time point, a z and an
/// origin uniformly among the positions where the patch fits (origin 0 along an axis the patch
/// does not fit in; the outside reads as zeros).
public struct UniformPatchSampler: PatchSampler {
    /// The patch extent `[y, x]` (2-D patches, from 2-D or 3-D images) or `[z, y, x]`.
    public let patch: [Int]
    /// How many samples one epoch has.
    public let samplesPerEpoch: Int

    /// Random patches of `patch`, `samplesPerEpoch` per epoch.
    public init(patch: [Int], samplesPerEpoch: Int) {
        self.patch = patch
        self.samplesPerEpoch = samplesPerEpoch
    }

    /// `[z, y, x]`.
    public func patchShape(in index: SampleIndex) -> [Int] { spatialShape(patch) }

    /// ``samplesPerEpoch``.
    public func sampleCount(in index: SampleIndex) -> Int { samplesPerEpoch }

    /// A random box of a weighted random source.
    public func request(_ sample: Int, in index: SampleIndex, random: inout SampleRandom) -> PatchRequest {
        let source = chooseSource(index, &random)
        let e = index.sources[source].extents
        let shape = spatialShape(patch)
        let t = Int.random(in: 0..<e.t, using: &random)
        let origin = zip([e.z, e.y, e.x], shape).map { extent, size in
            extent > size ? Int.random(in: 0...(extent - size), using: &random) : 0
        }
        return PatchRequest(source: source, t: t, origin: origin, shape: shape)
    }
}

/// Every image whole: one sample per source and time point, all in the shape of the largest
/// (smaller images are padded with zeros at the far end).
public struct WholeImageSampler: PatchSampler {
    /// Whole images; 3-D images are read as volumes.
    public init() {}

    /// The largest `[z, y, x]` of the sources.
    public func patchShape(in index: SampleIndex) -> [Int] {
        index.sources.reduce([1, 1, 1]) { shape, source in
            let e = source.extents
            return [max(shape[0], e.z), max(shape[1], e.y), max(shape[2], e.x)]
        }
    }

    /// The number of (source, time point) pairs.
    public func sampleCount(in index: SampleIndex) -> Int { index.sources.reduce(0) { $0 + $1.extents.t } }

    /// The whole of the sample's image and time point.
    public func request(_ sample: Int, in index: SampleIndex, random: inout SampleRandom) -> PatchRequest {
        var rest = sample
        for (i, source) in index.sources.enumerated() {
            if rest < source.extents.t {
                return PatchRequest(source: i, t: rest, origin: [0, 0, 0], shape: patchShape(in: index))
            }
            rest -= source.extents.t
        }
        preconditionFailure("sample \(sample) is outside the epoch")
    }
}
