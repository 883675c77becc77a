import OMEZarr
public import Zarr

/// What can be sampled: a list of sources (images at a level, with their labels), each with the
/// weight it gets when samplers mix datasets.
public struct SampleIndex: Sendable {
    /// The sources, in a fixed order (the order is part of what makes sampling reproducible).
    public let sources: [SampleSource]
    /// The relative weight of each source (all 1 unless given).
    public let weights: [Double]

    /// An index over `sources` with optional weights.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when there are no sources, the weights
    ///   do not match or are not positive, or the sources disagree on channels or label type.
    public init(sources: [SampleSource], weights: [Double]? = nil) throws {
        guard !sources.isEmpty else {
            throw BatchLoaderError(.invalidConfiguration, "a sample index needs at least one image")
        }
        let weights = weights ?? [Double](repeating: 1, count: sources.count)
        guard weights.count == sources.count, weights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw BatchLoaderError(.invalidConfiguration, "give one finite positive weight per source (\(sources.count)); found \(weights)")
        }
        let channels = Set(sources.map { $0.extents.c })
        guard channels.count == 1 else {
            throw BatchLoaderError(.invalidConfiguration, "all images must have the same number of channels; found \(channels.sorted())")
        }
        let labelTypes = Set(sources.compactMap(\.labelDataType))
        guard labelTypes.count <= 1 else {
            throw BatchLoaderError(.invalidConfiguration, "all label images must have the same type; found \(labelTypes.map(\.rawValue).sorted())")
        }
        self.sources = sources
        self.weights = weights
    }

    /// An index mixing datasets: samplers choose a dataset with probability proportional to its
    /// weight, then one of its sources uniformly (each source gets `weight / sources.count`). The
    /// sources keep the order given, dataset after dataset.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when a dataset is empty, and as
    ///   ``init(sources:weights:)``.
    public init(datasets: [(sources: [SampleSource], weight: Double)]) throws {
        guard datasets.allSatisfy({ !$0.sources.isEmpty }) else {
            throw BatchLoaderError(.invalidConfiguration, "every dataset needs at least one image")
        }
        try self.init(sources: datasets.flatMap(\.sources),
                      weights: datasets.flatMap { d in [Double](repeating: d.weight / Double(d.sources.count), count: d.sources.count) })
    }

    /// An index over the OME-Zarr images at `paths`, each at `level`, with the label `labelName`
    /// where the image has it; images at `http(s)://` URLs are read within `http`.
    /// - Throws: `OMEZarrError` when an image cannot be opened; ``BatchLoaderError`` as ``init(sources:weights:)``.
    public init(paths: [String], level: Int = 0, labelName: String? = nil, http: HTTPLimits = .default) throws {
        var sources: [SampleSource] = []
        for path in paths {
            let image = try OMEZarrImage.open(path: path, http: http)
            let hasLabel = try labelName.map { try image.labelNames().contains($0) } ?? false
            sources.append(try SampleSource(image: image, level: level, labelName: hasLabel ? labelName : nil, name: path))
        }
        try self.init(sources: sources)
    }

    /// The number of channels every source has (1 for images without a c axis).
    public var channelCount: Int { sources[0].extents.c }

    /// Whether any source has labels.
    public var hasLabels: Bool { sources.contains { $0.label != nil } }
}
