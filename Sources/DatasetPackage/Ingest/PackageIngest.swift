import Annotations
import MIFACore
import MIFAModel
public import OMEZarr
import RasterIO
import Zarr

/// `mifa pack`: makes a new package from a folder of images and annotations, a metadata file and
/// an optional file list (see `IngestPlan` for how files are matched).
///
/// Everything is read and checked first (metadata, file list, which file is what, image headers,
/// vector annotations); then ``DatasetPackage/create(at:scanner:build:makeRecord:)`` writes the
/// images one at a time (each followed by its label images), the annotation sets, the file index
/// and `mifa.json` into a staging folder and renames it into place. Any error leaves no package.
public struct PackageIngest {
    /// The source folder.
    public var source: String
    /// The package folder to create.
    public var package: String
    /// The metadata file (`mifa.yaml` or `mifa.json`).
    public var metadata: String
    /// The file list (TSV or CSV), if any.
    public var fileList: String?
    /// The first version's id; `nil` takes the metadata's, else `1`.
    public var version: String?
    /// The first version's changes text; `nil` takes the metadata's `version.changes`, else `Initial version`.
    public var changes: String?
    /// The first version's time stamp (RFC 3339 with offset); `nil` takes the metadata's
    /// `version.timestamp`, else the pack time (``PackageClock/now()``).
    public var timestamp: String?
    /// How images are laid out: 0.5, automatic pyramid, 256x256 chunks, zstd level 3 by default.
    public var imageOptions = OMEZarrWriteOptions()
    /// Called with (0, total) before the first image and with (done, total) after each image (with its labels).
    public var progress: ((Int, Int) -> Void)?

    /// An ingest with the defaults.
    public init(source: String, package: String, metadata: String, fileList: String? = nil, version: String? = nil, changes: String? = nil) {
        self.source = source
        self.package = package
        self.metadata = metadata
        self.fileList = fileList
        self.version = version
        self.changes = changes
    }

    /// Makes the package.
    /// - Returns: what was made.
    /// - Throws: ``PackageError`` `.invalidMetadata` (every metadata error listed), `.invalidInput`
    ///   (every matching problem listed: missing files, images that cannot be read, masks that do not
    ///   fit, annotations sharing an id), `.alreadyExists`, `.invalidVersion`, `.io`. Nothing is
    ///   written then.
    public func run() throws -> IngestSummary {
        let (document, warnings, versionID, timestamp, changesText) = try IngestMetadata.load(
            path: metadata, version: version, changes: changes, timestamp: timestamp, now: PackageClock.now())
        let list = try fileList.map { try SourceFileList(contentsOf: $0) }
        let root = source.count > 1 && source.hasSuffix("/") ? String(source.dropLast()) : source
        let excluded = Set([metadata, fileList].compactMap { $0 }.map(SourceEntry.canonical))
        let (entries, ignored) = try SourceEntry.scan(root, excluding: excluded)
        var planner = IngestPlanner(entries: entries, ignored: ignored, document: document, fileList: list)
        let plan = try planner.run()

        // Open every image (headers) and read every vector file before writing anything.
        var problems: [String] = []
        var sources: [String: ImageSource] = [:]
        for image in plan.images {
            do {
                sources[image.id] = try ImageSource(path: "\(root)/\(image.entry.path)", kind: image.entry.kind)
            } catch let error as any MIFAError {
                problems.append("\(image.entry.path): \(error.message)")
            }
        }
        // Masks: readable, and as wide and high as their image (the full shape is checked when written).
        for label in plan.labels {
            guard let image = sources[label.imageID] else { continue }
            do {
                let size = try ImageSize.of(file: "\(root)/\(label.entry.path)")
                if size.width != image.width || size.height != image.height {
                    problems.append("\(label.entry.path): the mask is \(size.width)x\(size.height) but its image '\(label.imageID)' is \(image.width)x\(image.height); a mask must match its image")
                }
            } catch let error as any MIFAError {
                problems.append("\(label.entry.path): cannot read the mask: \(error.message)")
            }
        }
        let imageInfo = Dictionary(plan.images.compactMap { image in sources[image.id].map { (image.id, (image.entry, $0.height, $0.width)) } },
                                   uniquingKeysWith: { first, _ in first })
        var vectors = VectorSetBuilder(root: root, images: imageInfo, resolve: { planner.resolveEntry($0) })
        if problems.isEmpty { for file in plan.vectorFiles { vectors.add(file) } }
        problems += vectors.problems
        guard problems.isEmpty else {
            throw PackageError(.invalidInput, "the source cannot be packed:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") + "\nnothing was written")
        }
        let setDocuments = vectors.finished()
        let packagedMetadata = IngestMetadata.packaged(document, plan: plan)
        let credited = document.creditedAnnotators
        var labelObjects = 0
        var labelSets = Set<String>()
        var index: [IngestedFile] = []
        let options = imageOptions
        let created = try DatasetPackage.create(at: package, build: { staging in
            let store = try DirectoryStore(root: staging)
            // images/ is a plain Zarr group, so that Zarr tools can walk root -> images -> <image_id>.
            _ = try ZarrGroup.create(store, path: PackageLayout.images, format: .v3)
            progress?(0, plan.images.count)
            for (done, image) in plan.images.enumerated() {
                let written = try sources[image.id]!.write(to: store, imagePath: PackageLayout.image(image.id), options: options)
                index.append(IngestedFile(source: image.entry.path, role: "image", path: PackageLayout.image(image.id), imageIDs: [image.id],
                                          attributes: Self.attributes(image.attributes)))
                for label in plan.labels where label.imageID == image.id {
                    labelObjects += try Self.writeLabel(label, root: root, on: written, source: sources[image.id]!, options: options)
                    labelSets.insert(label.setID)
                    index.append(IngestedFile(source: label.entry.path, role: "label", path: PackageLayout.label(label.setID, of: image.id), imageIDs: [image.id],
                                              setID: label.setID, annotationType: label.annotationType, attributes: Self.attributes(label.attributes)))
                }
                progress?(done + 1, plan.images.count)
            }
            for (setID, setDocument) in setDocuments.sorted(by: { $0.key < $1.key }) {
                try PackageFileSystem.createDirectories("\(staging)/\(PackageLayout.annotationSet(setID))")
                let encoded = try AnnotationIndex.encode(setDocument, file: PackageLayout.annotationFile(setID))
                try AtomicFile.write(encoded.geojson, to: "\(staging)/\(PackageLayout.annotationFile(setID))")
                try AtomicFile.write(encoded.index, to: "\(staging)/\(PackageLayout.annotationIndex(setID))")
            }
            for file in plan.vectorFiles where vectors.imagesOfFile[file.entry.path] != nil {
                index.append(IngestedFile(source: file.entry.path, role: "annotations", path: PackageLayout.annotationFile(file.setID),
                                          imageIDs: vectors.imagesOfFile[file.entry.path] ?? [], setID: file.setID, annotationType: file.annotationType,
                                          attributes: Self.attributes(file.attributes)))
            }
            index.sort { $0.source.utf8.lexicographicallyPrecedes($1.source.utf8) }
            try PackageFileSystem.createDirectories("\(staging)/\(PackageLayout.annotations)")
            try AtomicFile.write(try CanonicalJSON.encode(IngestedFileIndex(files: index)), to: "\(staging)/\(IngestedFileIndex.path)")
            try AtomicFile.write(try packagedMetadata.canonicalJSON(), to: "\(staging)/\(PackageLayout.metadata)")
        }, makeRecord: { context in
            VersionRecord(
                version: versionID, timestamp: timestamp, changes: changesText, previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0, creditedAnnotators: credited,
                changeSummary: ChangeSummary(files: context.fileChanges))
        })
        let manifest = try created.manifest()
        return IngestSummary(
            package: package, version: versionID, images: plan.images.count,
            annotationSets: labelSets.union(setDocuments.keys).sorted(), labelImages: plan.labels.count,
            objects: labelObjects + vectors.objectCounts.values.reduce(0, +), files: manifest.fileList.files.count,
            bytes: manifest.fileList.files.values.reduce(0) { $0 + $1.bytes },
            unmatched: plan.unmatched + vectors.unmatched, ignored: plan.ignored, warnings: warnings.map(\.description))
    }

    /// Reads a mask, checks it fits the image, writes it as `labels/<set>` and returns its object count.
    static func writeLabel(_ label: IngestPlan.Label, root: String, on image: OMEZarrImage, source: ImageSource, options: OMEZarrWriteOptions) throws -> Int {
        let file = "\(root)/\(label.entry.path)"
        do {
            let raster = try RasterFile.read(path: file)
            let array = try PixelPlanes.labelArray(raster.array, file: label.entry.path)
            guard array.shape == source.labelShape else {
                throw PackageError(.invalidInput, "the mask has shape \(array.shape) (axes \(raster.axes)) but its image '\(label.imageID)' needs \(source.labelShape) (the image's extents without channels)",
                                   context: ErrorContext(file: label.entry.path, shape: array.shape))
            }
            var labelOptions = options
            labelOptions.reduction = .mode
            try image.addLabel(name: label.setID, array, options: labelOptions)
            return PixelPlanes.objectCount(array)
        } catch let error as PackageError {
            throw error
        } catch let error as any MIFAError {
            throw PackageError(.invalidInput, "cannot write the mask as a label image: \(error.message)", context: ErrorContext(file: label.entry.path), underlying: error)
        }
    }

    static func attributes(_ list: [SourceFileList.Attribute]) -> [String: String] {
        Dictionary(list.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}
