import ArgumentParser
import DatasetPackage
import MIFACore

/// `mifa pack <source-dir> <package> --metadata <mifa.yaml|mifa.json> [--file-list files.tsv] [--version V] [--changes TEXT] [--timestamp TIME] [--json]`.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Make a MIFA package from a folder of images and annotations, a metadata file and an optional file list.",
        discussion: """
            Images (TIFF, PNG, .npy, OME-Zarr folders) become OME-Zarr 0.5 under images/<image_id>/ \
            (pyramid for images over 256 pixels, 256x256 chunks, zstd). Masks (PNG/TIFF label images) \
            become labels of their image, images/<image_id>/labels/<set_id>/. COCO, GeoJSON (QuPath \
            too), napari CSV, CTC and YOLO annotations become annotations/<set_id>/annotations.geojson \
            with each object's image_id set to the package image. The i-th annotation set of the \
            metadata is set<i>. annotations/files.json records where each source file went and the \
            file list's other columns (attributes). mifa.json is the normalised metadata with images \
            listed by package id and the version module of the sheet kept (its timestamp and changes; \
            --version, --changes and --timestamp override them; what the sheet lacks is filled in).

            Which file is what: a file-list row with a 'Source image' or 'Annotation type' is an \
            annotation, one with neither an image (headers ignore case; '_' = ' '); files named by \
            a set's file_metadata annotation_id are annotations of that set. An annotation's source \
            image is the file list's 'Source image', else file_metadata's source_image_id, else per \
            the set's annotation_source_indicator: file_name_exact_match (the default) pairs equal \
            names without extension (img_01.tif <- img_01.geojson); file_name_pattern pairs an image \
            name followed by '_', '-' or '.' (img_01.tif <- img_01_mask.png; such rasters are masks). A raster in a masks/ (labels/, gt/) \
            folder with the name of an image outside it is that image's mask (masks/IM1.tif for images/IM1.tif). \
            A COCO, GeoJSON or YOLO source listing several images is matched image by image by file name; \
            a CTC folder's frames all belong to its one source image. \
            napari CSV ids are the file's index column, which restarts in every file: they become \
            <file stem>:<index>. A napari Shapes CSV is read as its shapes. \
            What cannot be matched is listed and left out, never guessed; a declared annotation set \
            that gets nothing from the source is an error naming the set and the files pack cannot read.

            The metadata must validate (every error is listed). Missing files named by the file list, \
            unreadable images, masks that do not fit their image, two annotations with one id: \
            exit 1 and nothing is written. The package appears in one rename when complete; to an \
            s3://bucket/prefix (an empty prefix), it is made in a local work folder, uploaded under \
            .mifa-transaction/ and committed with one conditional write, so it appears whole or not at all. \
            A progress bar is drawn on standard error when it is a terminal.
            """)

    @Argument(help: "The folder with the images and annotations.")
    var source: String

    @Argument(help: "The package to create: a folder (must not exist, or be empty) or an s3://bucket/prefix URL (must hold no objects).")
    var package: String

    @Option(help: ArgumentHelp("The MIFA metadata (YAML as curators write it, or JSON).", valueName: "mifa.yaml|mifa.json"))
    var metadata: String

    @Option(name: .customLong("file-list"), help: ArgumentHelp("A BioImage Archive style file list: TSV or CSV with Files, Source image, Annotation type and attribute columns.", valueName: "files.tsv"))
    var fileList: String?

    @Option(help: "The first version's id (default: the metadata's version, else 1).")
    var version: String?

    @Option(help: "What the first version is (default: the metadata's version.changes, else 'Initial version').")
    var changes: String?

    @Option(help: ArgumentHelp("The first version's time stamp, RFC 3339 with offset (default: the metadata's version.timestamp, else now).", valueName: "TIME"))
    var timestamp: String?

    @Flag(help: "Print a JSON summary: package, version, images, annotation sets, objects, files, bytes, unmatched items.")
    var json = false

    @OptionGroup var concurrency: ZarrConcurrencyOptions

    func run() throws {
        let source = try PackagePath.local(source, command: "pack")
        let bar = ProgressBar(unit: "images")
        let ingest = { (folder: String) throws -> IngestSummary in
            var ingest = PackageIngest(source: source, package: folder, metadata: metadata, fileList: fileList, version: version, changes: changes)
            ingest.timestamp = timestamp
            ingest.imageOptions.concurrency = concurrency.threads
            ingest.progress = bar.update
            return try ingest.run()
        }
        var summary: IngestSummary
        switch try PackagePath.target(package, command: "pack") {
        case .local(let folder):
            summary = try ingest(folder)
        case .objectStorage(let url, let store):
            // Made in a local work folder, then published with the commit protocol (StoreTransaction).
            summary = try PackagePath.withWorkFolder { work in
                var made: IngestSummary?
                try StoreTransaction.create(in: store, work: work) { made = try ingest($0) }
                return made!
            }
            summary.package = url
        }
        bar.finish()
        if json {
            print(try CanonicalJSON.string(summary), terminator: "")
        } else {
            print("\(summary.package): version \(summary.version), \(summary.images) images, \(summary.labelImages) label images, annotation sets \(summary.annotationSets.isEmpty ? "none" : summary.annotationSets.joined(separator: ", ")), \(summary.objects) objects, \(summary.files) files, \(summary.bytes) bytes")
        }
        for warning in summary.warnings { printError("mifa: warning: \(warning)") }
        for item in summary.unmatched { printError("mifa: unmatched: \(item)") }
        if !summary.ignored.isEmpty {
            // Files left out are said on standard error too, not only in --json.
            let shown = summary.ignored.prefix(10).joined(separator: ", ") + (summary.ignored.count > 10 ? ", ... (\(summary.ignored.count - 10) more; --json lists all)" : "")
            printError("mifa: not packed (\(summary.ignored.count) file\(summary.ignored.count == 1 ? "" : "s") that are not images or annotations pack reads): \(shown)")
        }
    }
}
