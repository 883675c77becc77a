import MIFACore
import Zarr

/// The whole package (current version, with its history) or one version's content, as a zip of
/// stored entries that Zarr zip stores read in place.
struct ZipExportFormat: PackageExportFormatHandler {
    let name = "zip"
    let progressUnit = "files"

    func export(_ snapshot: PackageSnapshot, of exporter: PackageExporter, to output: String, request: PackageExporter.Request, progress: (Int, Int) -> Void) throws -> PackageExporter.Summary {
        let history = request.version == nil || request.version == snapshot.manifest.version
        let count = try exporter.writeZip(snapshot, history: history, to: output, progress: progress)
        return PackageExporter.Summary(output: output, version: snapshot.version, items: count, counted: "files")
    }
}

extension PackageExporter.Format {
    /// The whole package (current version, with its history) or one version's content, as a zip
    /// of stored entries that Zarr zip stores read in place.
    public static let zip = PackageExporter.Format(ZipExportFormat())
}

extension PackageExporter {
    /// Writes the snapshot's content (and, with `history`, manifest.json, the version records of
    /// its lineage and the objects they refer to) into a zip file. Everything comes from the
    /// snapshot, so a version committed meanwhile never mixes in.
    func writeZip(_ snapshot: PackageSnapshot, history: Bool, to output: String, progress: (Int, Int) -> Void) throws -> Int {
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
                    let streamed = package.reader.folder != nil && FileSystem.kind(of: path) == .file ? try writer.add(name, fileAt: path, expected: entry) : false
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
