import MIFACore
import MIFAModel

/// The metadata of a new package: the curator's file read with ``MIFAModel/MetadataReader``, its
/// version module completed for the package's first version, normalised and validated.
///
/// The sheet's own `version` block is the curator's record and is kept: `version.timestamp` (which
/// `mifa validate` requires) and `version.changes` stay as written unless the command overrides them;
/// only what the sheet lacks is filled in (the pack time, `Initial version`).
enum IngestMetadata {
    /// Reads `path` (YAML or JSON), completes `version` = {version, timestamp, changes,
    /// previous_version kept from the file}, and validates.
    /// - Parameters:
    ///   - version: the version id; `nil` takes the file's `version.version`, else `1`.
    ///   - changes: the changes text; `nil` takes the file's `version.changes`, else `Initial version`.
    ///   - timestamp: the version's time stamp; `nil` takes the file's `version.timestamp`, else `now`.
    ///   - now: the pack time, used when neither the command nor the file gives a time stamp.
    /// - Returns: the normalised document, the warnings, and the version id, time stamp and changes
    ///   text the package records.
    /// - Throws: ``PackageError`` `.invalidMetadata` listing every error with its line; `.invalidVersion`
    ///   for a version id that is not a safe name; what ``MetadataReader`` throws for unreadable files.
    static func load(path: String, version: String?, changes: String?, timestamp: String?, now: String) throws
        -> (document: MIFADocument, warnings: [ValidationIssue], version: String, timestamp: String, changes: String)
    {
        let bytes = try PackageFileSystem.read(path, limit: MetadataReader.maximumFileBytes, followingLinks: true)
        let format = MetadataFormat.implied(byPath: path) ?? MetadataFormat.sniffed(from: bytes)
        let (parsed, positions) = try MetadataReader.parse(bytes: bytes, format: format, file: path)
        guard case .object(var root) = parsed else {
            throw PackageError(.invalidMetadata, "the metadata must be a mapping with study, images, annotations and version", context: ErrorContext(file: path))
        }
        var module = root["version"]?.objectValue ?? JSONObject()
        let id = version ?? module["version"]?.stringValue ?? "1"
        guard SafeName.isSafe(id) else {
            throw PackageError(.invalidVersion, "'\(id)' cannot be a version id: use 1-128 letters, digits, '.', '_' or '-', not starting with '.' or '-'" + (version == nil ? " (give --version)" : ""), context: ErrorContext(file: path, pointer: "/version/version"))
        }
        // The sheet's own text, when it is text; anything else is left for the validator to report.
        let sheetTimestamp = module["timestamp"]?.stringValue.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        let sheetChanges = module["changes"]?.stringValue.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        let stamp = timestamp ?? sheetTimestamp ?? now
        let text = changes ?? sheetChanges ?? "Initial version"
        module["version"] = .string(id)
        switch module["timestamp"] {
        case nil, .null?, .string?: module["timestamp"] = .string(stamp)
        default: if timestamp != nil { module["timestamp"] = .string(stamp) }  // not text: the validator reports it unless overridden
        }
        module["changes"] = .string(text)
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
        let stored = loaded.document.version?.timestamp ?? stamp
        guard PackageClock.date(stored) != nil else {
            throw PackageError(.invalidMetadata, "the version time stamp '\(stored)' is not an RFC 3339 date-time with offset, e.g. 2026-03-10T09:00:00+00:00; correct version.timestamp or give --timestamp",
                               context: ErrorContext(file: path, pointer: "/version/timestamp"))
        }
        return (loaded.document, loaded.report.issues(.warning), id, stored, text)
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
