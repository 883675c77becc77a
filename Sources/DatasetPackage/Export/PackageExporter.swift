import Annotations
import Foundation
import MIFACore
import Zarr

/// Writes a package version in another form: one zip file, one annotation set as COCO or GeoJSON,
/// a Croissant description, or a citation (CITATION.cff or DataCite JSON, see ``PackageCitation``). The package is only read; the output is written under a temporary
/// name and renamed, and an existing output is never replaced.
public struct PackageExporter: Sendable {
    /// What to write.
    public enum Format: String, Sendable, CaseIterable {
        /// The whole package (current version, with its history) or one version's content, as a zip
        /// of stored entries that Zarr zip stores read in place.
        case zip
        /// One annotation set as COCO instances (JSON).
        case coco
        /// One annotation set as GeoJSON.
        case geojson
        /// A Croissant 1.0 JSON-LD description.
        case croissant
        /// A `CITATION.cff` (Citation File Format 1.2.0).
        case citation
        /// DataCite Metadata Schema 4.5 JSON.
        case datacite
    }

    /// What was written.
    public struct Summary: Sendable {
        /// The output file.
        public var output: String
        /// The version exported.
        public var version: String
        /// Files in the zip, or objects in the annotation file, or distribution entries of the description.
        public var items: Int
        /// The set exported (coco, geojson).
        public var setID: String?
    }

    /// The package.
    public let package: DatasetPackage

    /// An exporter of `package`.
    public init(package: DatasetPackage) {
        self.package = package
    }

    /// An exporter of the package at `root`, opened as ``DatasetPackage/open(_:recovery:)`` with
    /// ``DatasetPackage/Recovery/ifUnlocked``; a package that cannot be locked (a read-only copy) is
    /// read as it is (every file read is still checked against its digest).
    /// - Throws: ``PackageError`` `.notAPackage`, `.io` for other failures than the lock.
    public init(opening root: String) throws {
        do {
            package = try DatasetPackage.open(root, recovery: .ifUnlocked)
        } catch let error as PackageError where error.kind == .io && PackageFileSystem.kind(of: "\(root)/\(PackageLayout.rootGroup)") == .file {
            package = DatasetPackage(unchecked: root)
        }
    }

    /// Writes `format` to `output`.
    /// - Parameters:
    ///   - format: what to write (zip, COCO, GeoJSON or Croissant).
    ///   - output: the file to write; it must not exist.
    ///   - version: the version to export; `nil` for the current one. A zip of the current version
    ///     holds the whole package, history included; a zip of another version holds its content.
    ///   - setID: the annotation set (coco, geojson); `nil` for the only one.
    ///   - image: only this image's objects (coco, geojson; read without the other images' where
    ///     the set has an index); `nil` for all.
    ///   - progress: called as the work goes with the steps done and the total (zip: files;
    ///     coco, geojson: label images converted).
    /// - Throws: ``PackageError`` `.alreadyExists` when `output` exists, `.invalidArgument` when it
    ///   is inside the package, `.invalidVersion`,
    ///   `.invalidArgument` for a missing or ambiguous set, `.invalidInput` for annotations the
    ///   format cannot hold, `.digestMismatch` / `.missingObject` when the package is damaged, `.io`.
    @discardableResult
    public func export(_ format: Format, to output: String, version: String? = nil, setID: String? = nil, image: String? = nil, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Summary {
        guard !PackageFileSystem.exists(output) else {
            throw PackageError(.alreadyExists, "'\(output)' already exists; give a new file name", context: ErrorContext(file: output))
        }
        // A package read in place (zip, URL) cannot be written into; a folder can, so refuse that.
        if let root = package.reader.folder {
            let folder = URL(fileURLWithPath: root).resolvingSymlinksInPath().standardizedFileURL.path
            let parent = URL(fileURLWithPath: PackageFileSystem.parent(of: output)).resolvingSymlinksInPath().standardizedFileURL.path
            guard parent != folder, !parent.hasPrefix(folder + "/") else {
                throw PackageError(.invalidArgument, "'\(output)' is inside the package; write the export outside the package folder so the package stays unchanged", context: ErrorContext(file: output))
            }
        }
        let snapshot = try PackageSnapshot(package: package, version: version)
        switch format {
        case .zip:
            let count = try writeZip(snapshot, history: version == nil || version == snapshot.manifest.version, to: output, progress: progress)
            return Summary(output: output, version: snapshot.version, items: count)
        case .coco, .geojson:
            let set = try AnnotationSetExport(snapshot: snapshot, setID: setID)
            let document = try set.document(image: image, progress: progress)
            let bytes: [UInt8]
            do {
                bytes = format == .coco ? try COCOWriter.encode(document, options: COCOWriteOptions(masks: .polygons)) : try GeoJSONWriter.encode(document)
            } catch let error as AnnotationError {
                throw PackageError(.invalidInput, "annotation set \(set.setID) cannot be written as \(format.rawValue): \(error.message)", context: error.context, underlying: error)
            }
            try write(bytes, to: output)
            return Summary(output: output, version: snapshot.version, items: document.annotations.count, setID: set.setID)
        case .croissant:
            // A folder or zip is named relative to the description; a URL as it is.
            let packageFolder = PackageFileSystem.canonicalPath(package.root) ?? package.root
            let outputFolder = PackageFileSystem.canonicalPath(PackageFileSystem.parent(of: output)) ?? PackageFileSystem.parent(of: output)
            let remote = StoreURL.isRemote(package.root)
            let location = remote ? package.root : Self.relativePath(from: outputFolder, to: packageFolder)
            let document = try CroissantExport.document(snapshot, location: location, url: remote ? package.root : URL(fileURLWithPath: packageFolder).absoluteString)
            try write(try CanonicalJSON.encode(document), to: output)
            return Summary(output: output, version: snapshot.version, items: document["distribution"]?.arrayValue?.count ?? 0)
        case .citation, .datacite:
            let citation = try PackageCitation(snapshot)
            let bytes = format == .citation ? Array(citation.cff().utf8) : try CanonicalJSON.encode(citation.dataCite())
            try write(bytes, to: output)
            return Summary(output: output, version: snapshot.version, items: citation.creators.count)
        }
    }

    /// The path of `target` as seen from `folder` (both absolute): `..` up to their common folder, then down.
    static func relativePath(from folder: String, to target: String) -> String {
        let from = folder.split(separator: "/"), to = target.split(separator: "/")
        var common = 0
        while common < min(from.count, to.count), from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)).joined(separator: "/")
    }

    /// Writes the snapshot's content (and, with `history`, manifest.json, the version records of
    /// its lineage and the objects they refer to) into a zip file. Everything comes from the
    /// snapshot, so a version committed meanwhile never mixes in.
    private func writeZip(_ snapshot: PackageSnapshot, history: Bool, to output: String, progress: (Int, Int) -> Void) throws -> Int {
        enum Source { case content, bytes([UInt8]), object(SHA256Digest) }
        let writer = try ZipWriter(path: output)
        do {
            var entries = snapshot.fileList.paths.map { (name: $0, source: Source.content) }
            if history {
                let (records, objects) = try snapshot.history()
                entries.append((PackageLayout.manifest, .bytes(snapshot.manifestBytes)))
                entries += records.map { (PackageLayout.versionRecord($0.version), .bytes($0.bytes)) }
                entries += objects.map { (PackageLayout.object($0), .object($0)) }
                entries.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            }
            for (done, (name, source)) in entries.enumerated() {
                defer { progress(done + 1, entries.count) }
                let path = package.path(name)
                switch source {
                case .content:
                    // Streamed from the tree when it holds this version's content; else from the object store.
                    let entry = snapshot.fileList.files[name]!
                    let streamed = package.reader.folder != nil && PackageFileSystem.kind(of: path) == .file ? try writer.add(name, fileAt: path, expected: entry) : false
                    if !streamed { try writer.add(name, snapshot.contents(of: name)) }
                case .bytes(let bytes):
                    try writer.add(name, bytes)
                case .object(let digest) where package.reader.folder == nil:
                    try writer.add(name, package.objects.read(digest))
                case .object(let digest):
                    guard try writer.add(name, fileAt: path, expected: ManifestEntry(sha256: digest, bytes: PackageFileSystem.size(of: path))) else {
                        throw PackageError(.digestMismatch, "the stored object \(name) does not have the content its name promises; run `mifa audit`", context: ErrorContext(file: name))
                    }
                }
            }
            try writer.finish()
            return entries.count
        } catch {
            writer.abandon()
            throw error
        }
    }
}
