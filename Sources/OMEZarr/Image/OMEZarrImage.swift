public import MIFACore
public import Zarr

/// A multiscale OME-Zarr image (NGFF 0.4 or 0.5), or a label image, opened for reading.
///
/// Opening checks everything before any pixel is read: the metadata against the schema rules
/// (``NGFFValidator``), that every level's array exists and has one dimension per axis, that every
/// level's transformations have one value per axis with finite non-zero scales, and, for 0.5, that
/// the arrays' `dimension_names` agree with the axes. Levels are listed with their shape, chunks and
/// physical pixel size; regions are read in pixel or physical coordinates (``read(level:region:concurrency:maxBytes:)``,
/// ``read(level:physical:concurrency:)``) and mapped between levels with ``AxisAlignedTransform``s.
/// See https://ngff.openmicroscopy.org/0.4/#multiscale-md and https://ngff.openmicroscopy.org/0.5/#multiscale-md.
public struct OMEZarrImage: Sendable {
    /// The store holding the image.
    public let store: any ZarrStore
    /// The image group's path in the store (`""` for the root).
    public let path: String
    /// The group's OME-NGFF metadata.
    public let group: NGFFGroupMetadata
    /// Which `multiscales` entry this is (almost always 0).
    public let multiscaleIndex: Int
    /// The multiscale description.
    public let multiscale: Multiscale
    /// The levels, highest resolution first.
    public let levels: [OMEZarrLevel]
    /// The rendering metadata, when present.
    public let omero: OmeroMetadata?
    /// The `image-label` metadata, when this is a label image.
    public let imageLabel: ImageLabelMetadata?
    /// Warnings found while opening (errors throw instead).
    public let warnings: [NGFFIssue]

    /// The version.
    public var version: NGFFVersion { group.version }
    /// The axes.
    public var axes: [Axis] { multiscale.axes }
    /// Number of axes.
    public var rank: Int { multiscale.axes.count }
    /// The shape of the highest resolution.
    public var shape: [Int] { levels[0].shape }
    /// Whether the group carries `image-label` metadata.
    public var isLabelImage: Bool { imageLabel != nil }

    /// The position of the axis named `name`, if any.
    public func axisIndex(_ name: String) -> Int? { axes.firstIndex { $0.name == name } }

    /// Opens the image at `path` in `store`.
    /// - Parameters:
    ///   - store: the store holding the image.
    ///   - path: the image group's path inside the store; the root by default.
    ///   - multiscale: which `multiscales` entry to open.
    /// - Throws: ``OMEZarrError``: `.notOMEZarr` when the group is no multiscale image (the message
    ///   says what it is instead: plate, well, bioformats2raw container, labels group);
    ///   `.invalidMetadata` with the JSON pointer of the first schema error; `.missingLevel` naming a
    ///   dataset without an array; `.axesMismatch` when an array's rank or dimension names disagree
    ///   with the axes; `.invalidTransformation` for transformations of the wrong length or with a
    ///   zero or non-finite scale; `.unsupported` for other NGFF versions; `.storage` for store and
    ///   Zarr errors.
    public static func open(_ store: any ZarrStore, path: String = "", multiscale: Int = 0) throws -> OMEZarrImage {
        let display = path.isEmpty ? store.location : "\(store.location)/\(path)"
        guard let group = try NGFFGroupMetadata.read(store, path: path) else {
            throw OMEZarrError(.notOMEZarr, "\(display) has no OME-NGFF metadata; an OME-Zarr image has 'multiscales' in its group attributes (under 'ome' for 0.5)",
                               context: ErrorContext(file: display))
        }
        guard group.metadata.contains(key: "multiscales") else {
            throw OMEZarrError(.notOMEZarr, "\(display) is \(describe(group)), not a multiscale image; \(hint(group))", context: ErrorContext(file: group.file))
        }
        var warnings: [NGFFIssue] = []
        let imageReport = group.validate(as: .image)
        try imageReport.check(file: group.file)
        warnings += imageReport.warnings
        var imageLabel: ImageLabelMetadata?
        if let label = group.metadata["image-label"] {
            let labelReport = group.validate(as: .label)
            try labelReport.check(file: group.file)
            warnings += labelReport.warnings
            imageLabel = ImageLabelMetadata(json: label)
        }
        let list = group.metadata["multiscales"]?.arrayValue ?? []
        guard list.indices.contains(multiscale) else {
            throw OMEZarrError(.invalidArgument, "multiscales entry \(multiscale) does not exist; the image has \(list.count)", context: ErrorContext(file: group.file))
        }
        let pointer = group.metadataPointer.appending("multiscales").appending(index: multiscale)
        let description = try Multiscale(json: list[multiscale], at: pointer, file: group.file)
        let levels = try openLevels(store, path: path, group: group, multiscale: description, pointer: pointer, warnings: &warnings)
        return OMEZarrImage(store: store, path: path, group: group, multiscaleIndex: multiscale, multiscale: description, levels: levels,
                            omero: group.metadata["omero"].flatMap(OmeroMetadata.init(json:)), imageLabel: imageLabel, warnings: warnings)
    }

    /// Opens the image in a directory (`image.zarr`), a zip file (`image.ozx`, read-only) or at an
    /// `http://`, `https://` or `s3://` URL (read-only, with range requests held to `http`).
    /// - Parameters:
    ///   - path: the directory, zip file or URL.
    ///   - http: the bounds on every request when `path` is a URL (`HTTPLimits.default` unless given).
    /// - Throws: as ``open(_:path:multiscale:)``.
    public static func open(path: String, http: HTTPLimits = .default) throws -> OMEZarrImage {
        let store: any ZarrStore = try OMEZarrError.wrapping("cannot open '\(path)'") {
            if let store = try StoreURL.openRemote(path, http: http) { return store }
            if ZipStore.isZipLocation(path) { return try ZipStore(path: path) }
            return try DirectoryStore(root: path, readOnly: true)
        }
        return try open(store)
    }

    /// Opens and checks every level's array.
    private static func openLevels(_ store: any ZarrStore, path: String, group: NGFFGroupMetadata, multiscale: Multiscale,
                                   pointer: JSONPointer, warnings: inout [NGFFIssue]) throws -> [OMEZarrLevel] {
        var levels: [OMEZarrLevel] = []
        let rank = multiscale.axes.count
        let names = multiscale.axes.map(\.name)
        for (index, dataset) in multiscale.datasets.enumerated() {
            let here = pointer.appending("datasets").appending(index: index)
            let arrayPath = path.isEmpty ? dataset.path : "\(path)/\(dataset.path)"
            let array: ZarrArray
            do {
                array = try ZarrArray.open(store, path: arrayPath)
            } catch let error as ZarrError where error.kind == .notFound || error.kind == .invalidKey {
                throw OMEZarrError(.missingLevel, "level \(index) ('\(dataset.path)') is listed in multiscales but there is no Zarr array at \(store.location)/\(arrayPath); write the level or remove it from 'datasets'",
                                   context: ErrorContext(file: group.file, pointer: here.appending("path").description), underlying: error)
            } catch let error as ZarrError {
                throw OMEZarrError(.storage, "level \(index) ('\(dataset.path)'): \(error.message)", context: error.context, underlying: error)
            }
            guard !array.dataType.isVariableLength else {
                throw OMEZarrError(.unsupported, "level \(index) ('\(dataset.path)') at \(store.location)/\(arrayPath) holds \(array.dataType) elements: strings are not pixels, and an image's levels hold numbers; read the array with `mifa zarr export` instead",
                                   context: ErrorContext(file: group.file, pointer: here.appending("path").description))
            }
            guard array.rank == rank else {
                throw OMEZarrError(.axesMismatch, "level \(index) ('\(dataset.path)') has \(array.rank) dimensions \(array.shape) but the image declares \(rank) axes \(names); give one axis per array dimension",
                                   context: ErrorContext(file: group.file, pointer: pointer.appending("axes").description, shape: array.shape))
            }
            if let dimensionNames = array.metadata.dimensionNames, dimensionNames.contains(where: { $0 != nil }),
               dimensionNames.map({ $0 ?? "" }) != names {
                throw OMEZarrError(.axesMismatch, "level \(index) ('\(dataset.path)') has dimension_names \(dimensionNames.map { $0 ?? "null" }) but the axes are \(names); they must agree",
                                   context: ErrorContext(file: group.file, pointer: pointer.appending("axes").description, shape: array.shape))
            }
            if group.version == .v05 && array.metadata.dimensionNames == nil {
                warnings.append(NGFFIssue(.warning, .dimensionNamesMissing, at: here, "the array of level \(index) has no dimension_names; OME-NGFF 0.5 arrays should name their dimensions after the axes"))
            }
            let transform: AxisAlignedTransform
            do {
                transform = try multiscale.transform(ofLevel: index)
            } catch var error as OMEZarrError {
                error.context = ErrorContext(file: group.file, pointer: here.appending("coordinateTransformations").description)
                error.message = "level \(index) ('\(dataset.path)'): \(error.message)"
                throw error
            }
            if let previous = levels.last, zip(previous.shape, array.shape).contains(where: { $0 < $1 }) {
                warnings.append(NGFFIssue(.warning, .levelOrder, at: here, "level \(index) \(array.shape) is larger than level \(index - 1) \(previous.shape) along some axis; levels should go from the highest resolution to the lowest"))
            }
            if let first = levels.first, first.array.dataType != array.dataType {
                warnings.append(NGFFIssue(.warning, .levelDataType, at: here, "level \(index) holds \(array.dataType) but level 0 holds \(first.array.dataType)"))
            }
            levels.append(OMEZarrLevel(index: index, path: dataset.path, array: array, transform: transform))
        }
        return levels
    }

    /// A short description of what a non-image group is.
    static func describe(_ group: NGFFGroupMetadata) -> String {
        if group.labelNames != nil { return "a labels group" }
        switch group.kinds.first {
        case .plate?: return "an HCS plate"
        case .well?: return "an HCS well"
        case .bioformats2raw?: return "a bioformats2raw container"
        case .series?: return "the OME series group of a bioformats2raw container"
        case .label?: return "an image-label group without multiscales"
        default: return "an OME-NGFF group"
        }
    }

    /// What to open instead.
    static func hint(_ group: NGFFGroupMetadata) -> String {
        if let names = group.labelNames { return "open one of its label images: \(names.prefix(5).joined(separator: ", "))" }
        switch group.kinds.first {
        case .plate?: return "open a field of a well, e.g. <plate>/A/1/0 (see OMEZarrPlate)"
        case .well?: return "open one of its fields, e.g. <well>/0"
        case .bioformats2raw?, .series?: return "open one of its series, e.g. <container>/0"
        default: return "it has no 'multiscales'"
        }
    }

    /// The level at `index`.
    /// - Throws: ``OMEZarrError`` `.missingLevel` for an index outside the pyramid.
    public func level(_ index: Int) throws -> OMEZarrLevel {
        guard levels.indices.contains(index) else {
            throw OMEZarrError(.missingLevel, "level \(index) does not exist; the image has levels 0...\(levels.count - 1)",
                               context: ErrorContext(file: group.file))
        }
        return levels[index]
    }
}
