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
    /// where the image has it (see ``imagesWithoutLabel`` for the others); images at `http(s)://`
    /// URLs are read within `http`.
    /// - Throws: `OMEZarrError` when an image cannot be opened; ``BatchLoaderError``
    ///   `.invalidConfiguration` when no image has a label image `labelName` (naming the labels they
    ///   have), and as ``init(sources:weights:)``.
    public init(paths: [String], level: Int = 0, labelName: String? = nil, http: HTTPLimits = .default) throws {
        var sources: [SampleSource] = []
        var found: Set<String> = []
        for path in paths {
            let image = try OMEZarrImage.open(path: path, http: http)
            let names = labelName == nil ? [] : try image.labelNames()
            found.formUnion(names)
            let hasLabel = labelName.map(names.contains) ?? false
            sources.append(try SampleSource(image: image, level: level, labelName: hasLabel ? labelName : nil, name: path))
        }
        if let labelName { try Self.requireLabel(labelName, in: sources, labels: found, vectorSets: []) }
        try self.init(sources: sources)
    }

    /// Checks that at least one of `sources` has the label image `name` (a loader of images, or of a
    /// package: `labels` are the label images found, `vectorSets` the package's vector sets).
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` naming the label images there are
    ///   (`labels`), and saying so when `name` is one of the vector annotation sets `vectorSets`.
    public static func requireLabel(_ name: String, in sources: [SampleSource], labels: Set<String>, vectorSets: Set<String>) throws {
        guard !sources.contains(where: { $0.label != nil }) else { return }
        let have = labels.isEmpty ? "no image has any label image" : "the label images are \(labels.sorted().joined(separator: ", "))"
        if vectorSets.contains(name) {
            throw BatchLoaderError(.invalidConfiguration, "'\(name)' is a vector annotation set (boxes, points, polygons), not a label image, so it has no masks; select it as an annotation set (mifa bench --set \(name)) to get its shapes with each patch; \(have)")
        }
        throw BatchLoaderError(.invalidConfiguration, "no image has a label image '\(name)', so there would be no masks; \(have)")
    }

    /// The names of the sources that have no label image while others do: their masks are all
    /// background (0). Empty when every source, or none, has labels.
    public var imagesWithoutLabel: [String] {
        hasLabels ? sources.filter { $0.label == nil }.map(\.name) : []
    }

    /// The vector annotations no patch carries (lines and other kinds without a box, point or
    /// polygon), per source name; sources without any are left out.
    public var annotationsNotCarried: [(source: String, count: Int)] {
        sources.compactMap { source in source.annotations.flatMap { $0.skipped > 0 ? (source.name, $0.skipped) : nil } }
    }

    /// The names of the sources smaller than the spatial patch `shape` (`[y, x]` or `[z, y, x]`)
    /// along some axis, whose patches are padded with zeros there.
    public func imagesSmaller(than shape: [Int]) -> [String] {
        let s = shape.count == 2 ? [1] + shape : shape
        return sources.filter { source in
            let e = source.extents
            return e.z < s[0] || e.y < s[1] || e.x < s[2]
        }.map(\.name)
    }

    /// The number of channels every source has (1 for images without a c axis).
    public var channelCount: Int { sources[0].extents.c }

    /// Whether any source has labels.
    public var hasLabels: Bool { sources.contains { $0.label != nil } }
}
