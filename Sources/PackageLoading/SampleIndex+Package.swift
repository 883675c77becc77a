import Annotations
public import BatchLoader
public import DatasetPackage
import MIFACore
import MIFAModel
import OMEZarr
public import Zarr

extension SampleIndex {
    /// The sources of one input (`mifa bench`'s inputs, the C ABI's loader sources): a MIFA package's
    /// images (named by their image ids, with the label image of `label` and the vector annotations
    /// of `annotationSets`, `nil`: every set; with `splits`, the images in those splits), or the
    /// OME-Zarr images of `input` (named by their paths, with the label image `label` where they
    /// have it; annotation sets and splits need a package). Images at URLs are read within `http`.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when `input` is none of these or
    ///   annotation sets are asked of images; and as ``sources(of:level:labelSet:annotationSets:splits:)``
    ///   and ``init(paths:level:labelName:http:)``.
    public static func sources(input: String, level: Int = 0, label: String? = nil,
                               annotationSets: [String]? = nil, splits: [String]? = nil,
                               http: HTTPLimits = .default) throws -> (kind: InputKind, sources: [SampleSource]) {
        // A package is read as one however damaged, so its own error is reported; its zarr.json is read once.
        if let package = try DatasetPackage.openIfPackage(input, recovery: .ifUnlocked, http: http) {
            return (.package, try sources(of: package, level: level, labelSet: label, annotationSets: annotationSets, splits: splits))
        }
        if let splits, !splits.isEmpty {
            throw BatchLoaderError(.invalidConfiguration, "a split (\(splits.joined(separator: ", "))) chooses the images of a MIFA package by the split its mifa.json gives them; this input is not a package, so give only the images of the split you mean",
                                   context: ErrorContext(file: input))
        }
        if let annotationSets, !annotationSets.isEmpty {
            throw BatchLoaderError(.invalidConfiguration, "vector annotation sets (\(annotationSets.joined(separator: ", "))) are read from MIFA packages; this input is not one",
                                   context: ErrorContext(file: input))
        }
        let (kind, paths) = try imagePaths(input, http: http)
        return (kind, try SampleIndex(paths: paths, level: level, labelName: label, http: http).sources)
    }

    /// The images of the MIFA package at `root` as sample sources, each with the label image of
    /// `labelSet` (where the image has one) and the vector annotations of `annotationSets`
    /// (`annotations/<set>/annotations.geojson`; `nil`: every vector set of the package) in its
    /// spatial index, so that patches carry their boxes, points and polygons (each with its
    /// ``AnnotationOrigin``: the set and the id in it). Sources are named after their image ids.
    /// With `splits`, only the images whose `split` in mifa.json is one of them; then only those
    /// images' objects are read from a set with an index (package format 2, one range read each).
    /// - Throws: `PackageError` when `root` is not a package or a set does not exist,
    ///   ``BatchLoaderError`` `.invalidConfiguration` when `splits` names a split no image is in
    ///   (or the package has none), or an object of a selected set names no image or an image the
    ///   package does not have (it is refused, not dropped), `MetadataError` when mifa.json cannot be read for the splits,
    ///   ``BatchLoaderError`` `.invalidConfiguration` when no image has the label image `labelSet`
    ///   (saying so when it is a vector annotation set), `AnnotationError` when an annotation file cannot be read, `OMEZarrError` when an image
    ///   cannot be opened.
    public static func sources(package root: String, level: Int = 0, labelSet: String? = nil, annotationSets: [String]? = nil,
                               splits: [String]? = nil, http: HTTPLimits = .default) throws -> [SampleSource] {
        try sources(of: DatasetPackage.open(root, recovery: .ifUnlocked, http: http), level: level, labelSet: labelSet, annotationSets: annotationSets, splits: splits)
    }

    /// The sources of the opened `package`, as ``sources(package:level:labelSet:annotationSets:splits:http:)``.
    /// Its manifest is read once, and its images are opened from the root group's consolidated
    /// metadata when it is current (see `DatasetPackage.imageStore(manifest:)`): opening the images
    /// of a package at a URL then costs no request per image.
    /// - Throws: as ``sources(package:level:labelSet:annotationSets:splits:http:)``.
    public static func sources(of package: DatasetPackage, level: Int = 0, labelSet: String? = nil, annotationSets: [String]? = nil,
                               splits: [String]? = nil) throws -> [SampleSource] {
        let root = package.root
        let snapshot = try PackageSnapshot(package: package)
        let (allImageIDs, vectorSets) = (snapshot.imageIDs, snapshot.vectorSets)
        var imageIDs = allImageIDs
        if let splits {
            let splitOf = try Self.splits(of: package)
            let declared = Set(splitOf.values)
            guard !declared.isEmpty else {
                throw BatchLoaderError(.invalidConfiguration, "the package declares no splits (no image of its mifa.json has a split), so split \(splits.map { "'\($0)'" }.joined(separator: ", ")) selects nothing; pack it with a Split column in the file list (or images[].split in the metadata), or read every image without choosing a split",
                                       context: ErrorContext(file: root))
            }
            if let unknown = splits.first(where: { !declared.contains($0) }) {
                throw BatchLoaderError(.invalidConfiguration, "no image of the package is in split '\(unknown)'; its splits are \(declared.sorted().joined(separator: ", "))",
                                       context: ErrorContext(file: root))
            }
            imageIDs = imageIDs.filter { splitOf[$0].map(splits.contains) ?? false }
        }
        let knownSets = Set(vectorSets)
        var annotationsByImage: [String: [Annotation]] = [:]
        var originsByImage: [String: [AnnotationOrigin]] = [:]
        for setID in annotationSets ?? knownSets.sorted() {
            guard knownSets.contains(setID) else {
                throw PackageError(.invalidArgument, "the package has no vector annotation set '\(setID)'; it has \(knownSets.isEmpty ? "none" : knownSets.sorted().joined(separator: ", "))", context: ErrorContext(file: root))
            }
            // Some images chosen (a split) and an indexed set: read only their objects (see VectorSetReader).
            if imageIDs.count < allImageIDs.count, snapshot.fileList.files[PackageLayout.annotationIndex(setID)] != nil {
                let set = try VectorSetReader(snapshot: snapshot, set: setID)
                if let unknown = set.imageIDs.first(where: { !Set(allImageIDs).contains($0) }) {
                    throw BatchLoaderError(.invalidConfiguration, "annotation set '\(setID)' has objects on the source image '\(unknown)', which the package does not have; correct their image_id (mifa audit lists them), or leave the set out",
                                           context: ErrorContext(file: package.path(PackageLayout.annotationIndex(setID)), pointer: "/images"))
                }
                for imageID in imageIDs {
                    let objects = try set.annotations(of: imageID).annotations
                    annotationsByImage[imageID, default: []] += objects
                    originsByImage[imageID, default: []] += objects.map { AnnotationOrigin(set: setID, id: $0.id) }
                }
                continue
            }
            let file = PackageLayout.annotationFile(setID)
            let document = try GeoJSONReader.read(bytes: package.reader.read(file), file: package.path(file)).document
            let packaged = Set(allImageIDs)
            for (k, annotation) in document.annotations.enumerated() {
                // An object the loader cannot place is refused, not dropped: `mifa audit` names them all.
                guard let imageID = annotation.imageID.map(String.init(describing:)) ?? (document.images.count == 1 ? String(describing: document.images[0].id) : nil) else {
                    throw BatchLoaderError(.invalidConfiguration, "feature \(k) of annotation set '\(setID)' names no source image and the set has several images, so its patches cannot be known; give each feature an image_id (mifa audit lists them), or leave the set out",
                                           context: ErrorContext(file: package.path(PackageLayout.annotationFile(setID)), pointer: "/features/\(k)/properties"))
                }
                guard packaged.contains(imageID) else {
                    throw BatchLoaderError(.invalidConfiguration, "feature \(k) of annotation set '\(setID)' names the source image '\(imageID)', which the package does not have; correct its image_id (mifa audit lists them), or leave the set out",
                                           context: ErrorContext(file: package.path(PackageLayout.annotationFile(setID)), pointer: "/features/\(k)/properties/image_id"))
                }
                annotationsByImage[imageID, default: []].append(annotation)
                originsByImage[imageID, default: []].append(AnnotationOrigin(set: setID, id: annotation.id))
            }
        }
        var labels: Set<String> = []
        let store = try package.imageStore(manifest: snapshot.manifest)
        let sources = try imageIDs.map { imageID in
            let image = try OMEZarrImage.open(store, path: PackageLayout.image(imageID))
            let names = labelSet == nil ? [] : try image.labelNames()
            labels.formUnion(names)
            let hasLabel = labelSet.map(names.contains) ?? false
            let source = try SampleSource(image: image, level: level, labelName: hasLabel ? labelSet : nil, name: imageID)
            return annotationsByImage[imageID].map { source.withAnnotations($0, origins: originsByImage[imageID]) } ?? source
        }
        if let labelSet { try requireLabel(labelSet, in: sources, labels: labels, vectorSets: knownSets) }
        return sources
    }

    /// The split of each image of the package that has one (image id -> split), from mifa.json.
    /// - Throws: `PackageError` when `root` is not a package, `MetadataError` when its mifa.json
    ///   cannot be read.
    public static func splits(package root: String) throws -> [String: String] {
        try splits(of: DatasetPackage.open(root, recovery: .ifUnlocked))
    }

    /// The splits of `package`, as ``splits(package:)``.
    /// - Throws: as ``splits(package:)``.
    static func splits(of package: DatasetPackage) throws -> [String: String] {
        let bytes = try package.reader.read(PackageLayout.metadata, limit: MetadataReader.maximumFileBytes)
        let document = try MetadataReader.read(bytes: bytes, format: .json, file: package.path(PackageLayout.metadata)).document
        var result: [String: String] = [:]
        for image in document.images ?? [] {
            if let id = image.id, let split = image.split { result[id] = split }
        }
        return result
    }
}
