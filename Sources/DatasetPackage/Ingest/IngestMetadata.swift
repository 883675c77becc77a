import MIFACore
import MIFAModel

/// The metadata of a new package: the curator's file read with ``MIFAModel/MetadataReader``, its
/// version module set to the package's first version, normalised and validated.
enum IngestMetadata {
    /// Reads `path` (YAML or JSON), sets `version` = {version, timestamp, changes, previous_version
    /// kept from the file}, and validates.
    /// - Parameters:
    ///   - version: the version id; `nil` takes the file's `version.version`, else `1`.
    ///   - changes: the changes text; `nil` gives `Initial version`.
    ///   - timestamp: the version's time stamp.
    /// - Returns: the normalised document and the warnings.
    /// - Throws: ``PackageError`` `.invalidMetadata` listing every error with its line; `.invalidVersion`
    ///   for a version id that is not a safe name; what ``MetadataReader`` throws for unreadable files.
    static func load(path: String, version: String?, changes: String?, timestamp: String) throws -> (document: MIFADocument, warnings: [ValidationIssue], version: String) {
        let bytes = try PackageFileSystem.read(path, limit: MetadataReader.maximumFileBytes, followingLinks: true)
        let format = MetadataFormat.implied(byPath: path) ?? MetadataFormat.sniffed(from: bytes)
        let (parsed, positions) = try MetadataReader.parse(bytes: bytes, format: format, file: path)
        guard case .object(var root) = parsed else {
            throw PackageError(.invalidMetadata, "the metadata must be a mapping with study, images, annotations and version", context: ErrorContext(file: path))
        }
        var module = root["version"]?.objectValue ?? JSONObject()
        let id = version ?? module["version"]?.stringValue ?? "1"
        guard PackageLayout.isSafeName(id) else {
            throw PackageError(.invalidVersion, "'\(id)' cannot be a version id: use 1-128 letters, digits, '.', '_' or '-', not starting with '.' or '-'" + (version == nil ? " (give --version)" : ""), context: ErrorContext(file: path, pointer: "/version/version"))
        }
        module["version"] = .string(id)
        module["timestamp"] = .string(timestamp)
        module["changes"] = .string(changes ?? "Initial version")
        root["version"] = .object(module)
        let loaded = MetadataReader.load(.object(root), positions: positions, format: format, file: path)
        guard loaded.kind == .combined else {
            throw PackageError(.invalidMetadata, "the metadata holds only the \(loaded.kind.rawValue) module; `mifa pack` needs study, annotations (and images, version) in one file", context: ErrorContext(file: path))
        }
        let errors = loaded.report.issues(.error)
        guard errors.isEmpty else {
            let list = errors.map { "  - \($0)" }.joined(separator: "\n")
            throw PackageError(.invalidMetadata, "the metadata does not validate (\(errors.count) error\(errors.count == 1 ? "" : "s")):\n\(list)\nnothing was written; fix the metadata and pack again", context: ErrorContext(file: path))
        }
        return (loaded.document, loaded.report.issues(.warning), id)
    }

    /// The document as stored in the package: images listed with their package ids, paths and
    /// splits (keeping every REMBI field the metadata gave), and each `file_metadata` `source_image_id` that
    /// was matched replaced by the package image id.
    static func packaged(_ document: MIFADocument, plan: IngestPlan) -> MIFADocument {
        var result = document
        let metadataImages = document.images ?? []
        result.images = plan.images.map { image in
            var record = image.metadataIndex.map { metadataImages[$0] } ?? ImageMetadata()
            record.id = image.id
            record.path = PackageLayout.image(image.id)
            record.split = image.split
            return record
        }
        if result.images?.isEmpty == true && document.images == nil { result.images = nil }
        for (key, imageID) in plan.resolvedFileMetadata {
            result.annotations?[key.set].fileMetadata?[key.index].sourceImageID = imageID
        }
        return result
    }
}
