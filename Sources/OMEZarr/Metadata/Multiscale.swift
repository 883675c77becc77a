public import MIFACore

/// One dataset (resolution level) of a multiscale image: the array's path and its transformations.
///
/// See https://ngff.openmicroscopy.org/0.5/#multiscale-md.
public struct MultiscaleDataset: Sendable, Hashable {
    /// The array's path relative to the image group, e.g. `0`.
    public var path: String
    /// Exactly one `scale`, optionally followed by one `translation`.
    public var coordinateTransformations: [CoordinateTransformation]

    /// A dataset with a path and its transformations.
    public init(path: String, coordinateTransformations: [CoordinateTransformation]) {
        self.path = path
        self.coordinateTransformations = coordinateTransformations
    }

    /// A dataset with a scale and, when given, a translation.
    public init(path: String, scale: [Double], translation: [Double]? = nil) {
        self.path = path
        var list: [CoordinateTransformation] = [.scale(Scale(scale))]
        if let translation { list.append(.translation(Translation(translation))) }
        self.coordinateTransformations = list
    }

    /// The dataset's `scale` factors, if it has a scale.
    public var scale: [Double]? {
        for case .scale(let scale) in coordinateTransformations { return scale.factors }
        return nil
    }

    /// The dataset's `translation` offsets, if it has one.
    public var translation: [Double]? {
        for case .translation(let translation) in coordinateTransformations { return translation.offsets }
        return nil
    }

    /// The dataset as metadata.
    public var json: JSONValue {
        ["path": .string(path), "coordinateTransformations": .array(coordinateTransformations.map(\.json))]
    }
}

/// The `multiscales` entry of an image: axes, the resolution levels highest first, and optional
/// transformations that apply to every level.
///
/// See https://ngff.openmicroscopy.org/0.4/#multiscale-md and https://ngff.openmicroscopy.org/0.5/#multiscale-md.
public struct Multiscale: Sendable, Hashable {
    /// The image's name.
    public var name: String?
    /// The axes, 2 to 5: time first, then channel (or custom), then 2 or 3 space axes.
    public var axes: [Axis]
    /// The levels, highest resolution first.
    public var datasets: [MultiscaleDataset]
    /// Transformations applied after each dataset's own.
    public var coordinateTransformations: [CoordinateTransformation]?
    /// The downscaling method, e.g. `mean`, `gaussian`.
    public var type: String?
    /// Free-form details of the downscaling.
    public var metadata: JSONValue?

    /// A multiscale description.
    public init(name: String? = nil, axes: [Axis], datasets: [MultiscaleDataset], coordinateTransformations: [CoordinateTransformation]? = nil,
                type: String? = nil, metadata: JSONValue? = nil) {
        self.name = name
        self.axes = axes
        self.datasets = datasets
        self.coordinateTransformations = coordinateTransformations
        self.type = type
        self.metadata = metadata
    }

    /// The transformation from level `index`'s array indices to physical coordinates: the
    /// dataset's transformations, then the multiscale's.
    /// - Throws: ``OMEZarrError`` `.invalidTransformation` when a length differs from the axes count,
    ///   or a factor is zero or not finite; `.missingLevel` for an index without a dataset.
    public func transform(ofLevel index: Int) throws -> AxisAlignedTransform {
        guard datasets.indices.contains(index) else {
            throw OMEZarrError(.missingLevel, "level \(index) does not exist; the image has \(datasets.count) level\(datasets.count == 1 ? "" : "s")")
        }
        var result = try datasets[index].coordinateTransformations.composed(rank: axes.count)
        if let global = coordinateTransformations { result = result.then(try global.composed(rank: axes.count)) }
        guard result.isInvertible else {
            throw OMEZarrError(.invalidTransformation, "level \(index) ('\(datasets[index].path)') maps to physical space with \(result); scale factors must be finite and non-zero")
        }
        return result
    }

    /// The entry as metadata; `version` is written inside it for 0.4 only.
    public func json(version: NGFFVersion) -> JSONValue {
        var object = JSONObject()
        if version == .v04 { object["version"] = .string(version.rawValue) }
        if let name { object["name"] = .string(name) }
        object["axes"] = .array(axes.map(\.json))
        object["datasets"] = .array(datasets.map(\.json))
        if let coordinateTransformations { object["coordinateTransformations"] = .array(coordinateTransformations.map(\.json)) }
        if let type { object["type"] = .string(type) }
        if let metadata { object["metadata"] = metadata }
        return .object(object)
    }

    /// Reads one `multiscales` entry.
    /// - Throws: ``OMEZarrError`` `.invalidMetadata` with the pointer of the first problem;
    ///   `.unsupported` for path-based transformations.
    init(json: JSONValue, at pointer: JSONPointer, file: String?) throws {
        guard let object = json.objectValue else {
            throw OMEZarrError(.invalidMetadata, "a multiscales entry must be an object, found \(json.summary)", file: file, pointer: pointer)
        }
        name = object["name"]?.stringValue
        type = object["type"]?.stringValue
        metadata = object["metadata"]
        guard let axesList = object["axes"]?.arrayValue else {
            throw OMEZarrError(.invalidMetadata, "a multiscales entry needs 'axes', a list of 2 to 5 axes", file: file, pointer: pointer.appending("axes"))
        }
        axes = try axesList.enumerated().map { try Axis(json: $1, at: pointer.appending("axes").appending(index: $0), file: file) }
        guard let datasetList = object["datasets"]?.arrayValue, !datasetList.isEmpty else {
            throw OMEZarrError(.invalidMetadata, "a multiscales entry needs 'datasets', a non-empty list of levels", file: file, pointer: pointer.appending("datasets"))
        }
        datasets = try datasetList.enumerated().map { index, item in
            let here = pointer.appending("datasets").appending(index: index)
            guard let path = item["path"]?.stringValue else {
                throw OMEZarrError(.invalidMetadata, "a dataset needs a string 'path'", file: file, pointer: here.appending("path"))
            }
            guard let transforms = item["coordinateTransformations"] else {
                throw OMEZarrError(.invalidMetadata, "dataset '\(path)' needs 'coordinateTransformations' with one 'scale'", file: file, pointer: here)
            }
            return MultiscaleDataset(path: path, coordinateTransformations: try CoordinateTransformation.list(
                json: transforms, at: here.appending("coordinateTransformations"), file: file))
        }
        if let global = object["coordinateTransformations"] {
            coordinateTransformations = try CoordinateTransformation.list(json: global, at: pointer.appending("coordinateTransformations"), file: file)
        }
    }
}
