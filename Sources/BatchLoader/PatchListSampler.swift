/// A fixed list of patches: sample `i` is the `i`-th request (the order still follows the
/// loader's shuffle). For reading exactly the patches another tool or an earlier run chose.
public struct PatchListSampler: PatchSampler {
    /// The patches, all of one shape.
    public let requests: [PatchRequest]

    /// A sampler over `requests`.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when the list is empty, the shapes
    ///   differ, or a request names a source or time point `index` does not have.
    public init(requests: [PatchRequest], index: SampleIndex) throws {
        guard let first = requests.first else {
            throw BatchLoaderError(.invalidConfiguration, "a patch list needs at least one patch")
        }
        for (i, r) in requests.enumerated() {
            guard r.shape == first.shape, r.shape.count == 3, r.origin.count == 3, r.shape.allSatisfy({ $0 >= 1 }) else {
                throw BatchLoaderError(.invalidConfiguration, "patch \(i) has origin \(r.origin) and shape \(r.shape); every patch needs 3 coordinates and the shape \(first.shape) of the first")
            }
            guard index.sources.indices.contains(r.source), (0..<index.sources[r.source].extents.t).contains(r.t) else {
                throw BatchLoaderError(.invalidConfiguration, "patch \(i) names image \(r.source) at time \(r.t); there are \(index.sources.count) images")
            }
        }
        self.requests = requests
    }

    /// The shape of the patches.
    public func patchShape(in index: SampleIndex) -> [Int] { requests[0].shape }

    /// The number of patches.
    public func sampleCount(in index: SampleIndex) -> Int { requests.count }

    /// The `sample`-th patch.
    public func request(_ sample: Int, in index: SampleIndex, random: inout SampleRandom) -> PatchRequest { requests[sample] }
}
