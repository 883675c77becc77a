import ArgumentParser
import DatasetPackage
import MIFACore
import Zarr

/// `mifa export <package> --to zip|coco|geojson|croissant|citation|datacite <out> [--version V] [--set SET_ID] [--image IMAGE_ID]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a package (or one version) as a zip, an annotation set as COCO or GeoJSON, a Croissant description or a citation.",
        discussion: """
            zip: the whole package (current version with its history; with --version V, that \
            version's content only, bit for bit) as one zip of stored entries that zarr-python's \
            ZipStore and `mifa zarr info` open in place. coco / geojson: one annotation set (--set, \
            default the only one) with the package's image ids and file names (images/<id>); label \
            sets become one instance mask per label value; --image IMAGE_ID exports one image's \
            objects, read with range requests through the set's index (format 2) without fetching \
            the other images' objects. croissant: an MLCommons Croissant 1.0 \
            JSON-LD description (files with SHA-256, record sets for images and annotations; content \
            URLs relative to the package folder). citation: a CITATION.cff (Citation File Format \
            1.2.0); datacite: DataCite Metadata Schema 4.5 JSON; both name every creator (the study's \
            authors and every credited annotator, the people Croissant names) with their ORCID iD \
            (DataCite also with their roles as contributor types), the license, and related \
            identifiers (publications, the study's links, trained models, previous versions). The package is only read; an existing <out> is \
            never replaced. Exit 0: written; 1: invalid input or damaged package; 2: usage error.
            """)

    @Argument(help: "The package: a folder, a .zip made by `mifa export --to zip`, an http(s):// or an s3://bucket/prefix URL.")
    var package: String

    @Option(name: .customLong("to"), help: ArgumentHelp("The output format: zip, coco, geojson, croissant, citation or datacite.", valueName: "format"))
    var format: String

    @Argument(help: "The output file, or an s3://bucket/prefix/name object (must not exist).")
    var output: String

    @Option(name: .long, help: "Export this version instead of the current one.")
    var version: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("The annotation set to export (coco, geojson); default the only one.", valueName: "SET_ID"))
    var setID: String?

    @Option(name: .customLong("image"), help: ArgumentHelp("Only this image's objects (coco, geojson): read through the set's index without the other images' objects.", valueName: "IMAGE_ID"))
    var imageID: String?

    func validate() throws {
        guard let format = PackageExporter.Format(name: format) else {
            throw ValidationError("--to must be one of \(PackageExporter.Format.all.map(\.name).joined(separator: ", ")); found '\(self.format)'")
        }
        let setFormats = PackageExporter.Format.all.filter(\.writesAnnotationSet).map(\.name).joined(separator: " and ")
        if setID != nil, !format.writesAnnotationSet {
            throw ValidationError("--set applies to \(setFormats) only")
        }
        if imageID != nil, !format.writesAnnotationSet {
            throw ValidationError("--image applies to \(setFormats) only")
        }
    }

    func run() throws {
        let format = PackageExporter.Format(name: format)!
        let bar = ProgressBar(unit: format.progressUnit)
        let summary: PackageExporter.Summary
        switch try PackagePath.target(objectParent(output), command: "export") {
        case .local:
            summary = try PackageExporter(opening: package).export(format, to: output, version: version, setID: setID, image: imageID, progress: bar.update)
        case .objectStorage(_, let store):
            let key = try StoreKey(String(output.split(separator: "/").last!))
            summary = try PackagePath.withWorkFolder { work in
                try PackageExporter(opening: package).export(format, to: store, key: key, work: work, version: version, setID: setID, image: imageID, progress: bar.update)
            }
        }
        bar.finish()
        let what = "\(summary.items) \(summary.counted)\(summary.setID.map { " of set \($0)" } ?? "")"
        print("wrote \(summary.output): version \(summary.version), \(what)")
    }

    /// The URL of the prefix an `s3://bucket/.../name` output goes in (the name is its key there);
    /// a local path or another scheme as it is (`PackagePath.target` judges those).
    /// - Throws: ``InvalidInput`` for an `s3://` URL that names no object (`s3://bucket`, or ending in `/`).
    private func objectParent(_ output: String) throws -> String {
        guard StoreURL.scheme(of: output) == "s3" else { return output }
        let path = output.dropFirst("s3://".count)
        guard let slash = path.lastIndex(of: "/"), path.index(after: slash) < path.endIndex else {
            throw InvalidInput(message: "'\(output)' names no object; give s3://bucket/prefix/name")
        }
        return "s3://" + path[..<slash]
    }
}
