public import Annotations
import MIFACore
import OMEZarr
import Zarr

/// One annotation set of a package version as an `AnnotationDocument` whose images are the
/// package's: image ids as in the package, file names `images/<id>` and sizes from the OME-Zarr
/// metadata. A vector set is read from its normalised GeoJSON; a label set (images/*/labels/<set>)
/// becomes one instance mask per label value of each 2-D label image.
public struct AnnotationSetExport: Sendable {
    /// The snapshot read from.
    public let snapshot: PackageSnapshot
    /// The set id.
    public let setID: String

    /// The set `setID` of `snapshot`, or its only set when `setID` is `nil`.
    /// - Throws: ``PackageError`` `.invalidArgument` when the set does not exist, or when no set is
    ///   given and the package has none or several.
    public init(snapshot: PackageSnapshot, setID: String?) throws {
        let sets = Set(snapshot.vectorSets).union(snapshot.labelSets.keys).sorted()
        if let setID {
            guard sets.contains(setID) else {
                throw PackageError(.invalidArgument, "version \(snapshot.version) has no annotation set '\(setID)'; it has \(sets.isEmpty ? "none" : sets.joined(separator: ", "))", context: ErrorContext(file: snapshot.package.root))
            }
            self.setID = setID
        } else {
            guard sets.count == 1 else {
                throw PackageError(.invalidArgument, sets.isEmpty
                    ? "version \(snapshot.version) has no annotation set to export"
                    : "version \(snapshot.version) has \(sets.count) annotation sets (\(sets.joined(separator: ", "))); choose one with --set", context: ErrorContext(file: snapshot.package.root))
            }
            self.setID = sets[0]
        }
        self.snapshot = snapshot
    }

    /// The set as a document with the package's images.
    /// - Parameters:
    ///   - image: only this image's objects (a vector set's read through its index, without the
    ///     other images' objects: see ``VectorSetReader``); `nil` for every image.
    ///   - progress: called after each label image is converted, with those done and the total.
    /// - Throws: ``PackageError`` `.invalidArgument` for an image the version does not have,
    ///   `.invalidInput` when the set's files cannot be read as annotations, `.malformed` for a
    ///   damaged index, what reading the snapshot throws.
    public func document(image: String? = nil, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> AnnotationDocument {
        var document = AnnotationDocument()
        let images = snapshot.imageIDs
        let file = PackageLayout.annotationFile(setID)
        if let image {
            guard images.contains(image) else {
                throw PackageError(.invalidArgument, "version \(snapshot.version) has no image '\(image)'; it has \(images.isEmpty ? "none" : images.joined(separator: ", "))",
                                   context: ErrorContext(file: snapshot.package.root))
            }
            if snapshot.fileList.files[file] != nil { document = try VectorSetReader(snapshot: snapshot, set: setID).annotations(of: image) }
        } else if snapshot.fileList.files[file] != nil {
            do {
                document = try GeoJSONReader.read(bytes: snapshot.contents(of: file), file: file).document
            } catch let error as AnnotationError {
                throw PackageError(.invalidInput, error.message, context: error.context, underlying: error)
            }
            let only: Identifier? = document.images.count == 1 ? document.images[0].id : images.count == 1 ? .string(images[0]) : nil
            for index in document.annotations.indices where document.annotations[index].imageID == nil {
                document.annotations[index].imageID = only
            }
        }
        let labelled = (snapshot.labelSets[setID] ?? []).sorted().filter { image == nil || $0 == image }
        for (done, image) in labelled.enumerated() {
            document.annotations += try labelAnnotations(image: image, startingAt: document.annotations.count)
            progress(done + 1, labelled.count)
        }
        for index in document.annotations.indices {
            document.annotations[index].imageID = document.annotations[index].imageID.map { Identifier.string($0.description) }
        }
        let used = Set(document.annotations.compactMap { $0.imageID?.description })
        document.images = images.filter(used.contains).map { id in
            let size = snapshot.imageSize(id)
            return ImageReference(id: .string(id), fileName: PackageLayout.image(id), width: size?.width, height: size?.height)
        }
        return document
    }

    /// One instance mask per label value of `images/<image>/labels/<set>` (2-D label images only).
    private func labelAnnotations(image: String, startingAt first: Int) throws -> [Annotation] {
        let prefix = "\(PackageLayout.label(setID, of: image))/"
        let store = MemoryStore()
        do {
            for path in snapshot.fileList.paths where path.hasPrefix(prefix) {
                try store.set(StoreKey(String(path.dropFirst(prefix.count))), snapshot.contents(of: path))
            }
            let labels = try OMEZarrImage.open(store)
            let pixels = try labels.read(level: 0)
            guard pixels.shape.count >= 2, pixels.shape.dropLast(2).allSatisfy({ $0 == 1 }) else {
                throw PackageError(.invalidInput, "the label image \(prefix) has shape \(pixels.shape); only 2-D label images (other axes of extent 1) can be exported as objects", context: ErrorContext(file: prefix))
            }
            let plane = try pixels.bytes().withUnsafeBytes { try AnyNDArray(dataType: pixels.dataType, shape: Array(pixels.shape.suffix(2)), bytes: $0, order: pixels.order) }
            var annotations = try LabelImage(plane).annotations(kind: .instance, imageID: .string(image))
            for index in annotations.indices where annotations[index].id == nil {
                annotations[index].id = .int(Int64(first + index + 1))
            }
            return annotations
        } catch let error as PackageError {
            throw error
        } catch let error as any MIFAError {
            throw PackageError(.invalidInput, "the label image \(prefix) cannot be read: \(error.message)", context: ErrorContext(file: prefix), underlying: error)
        }
    }
}

/// One annotation set written as an annotation file (COCO with polygon masks, or GeoJSON), with
/// the package's image ids and file names.
struct AnnotationSetExportFormat: PackageExportFormatHandler {
    let name: String
    let writesAnnotationSet = true
    let progressUnit = "label images"
    /// The file's bytes of a document.
    let encode: @Sendable (AnnotationDocument) throws -> [UInt8]

    func export(_ snapshot: PackageSnapshot, of exporter: PackageExporter, to output: String, request: PackageExporter.Request, progress: (Int, Int) -> Void) throws -> PackageExporter.Summary {
        let set = try AnnotationSetExport(snapshot: snapshot, setID: request.setID)
        let document = try set.document(image: request.image, progress: progress)
        let bytes: [UInt8]
        do {
            bytes = try encode(document)
        } catch let error as AnnotationError {
            throw PackageError(.invalidInput, "annotation set \(set.setID) cannot be written as \(name): \(error.message)", context: error.context, underlying: error)
        }
        try write(bytes, to: output)
        return PackageExporter.Summary(output: output, version: snapshot.version, items: document.annotations.count, counted: "objects", setID: set.setID)
    }
}

extension PackageExporter.Format {
    /// One annotation set as COCO instances (JSON).
    public static let coco = PackageExporter.Format(AnnotationSetExportFormat(name: "coco") { try COCOWriter.encode($0, options: COCOWriteOptions(masks: .polygons)) })
    /// One annotation set as GeoJSON.
    public static let geojson = PackageExporter.Format(AnnotationSetExportFormat(name: "geojson") { try GeoJSONWriter.encode($0) })
}
