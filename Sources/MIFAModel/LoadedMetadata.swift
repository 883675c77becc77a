public import MIFACore

/// A metadata document as read: normalised, with every issue found, and the original tree.
public struct LoadedMetadata: Sendable {
    /// The file it came from, if any.
    public var file: String?
    /// The format it was read as.
    public var format: MetadataFormat
    /// What the document holds (all four modules, or one module alone).
    public var kind: MIFADocument.Kind
    /// The normalised document (canonical forms; unknown members and wrongly typed values left out).
    public var document: MIFADocument
    /// Every error, warning and normalisation note.
    public var report: ValidationReport
    /// The document as written, as JSON values.
    public var source: JSONValue

    /// The normalised document as canonical JSON (see `CanonicalJSON`): a whole `mifa.json` for a
    /// combined document, or the module's own fields for a single-module document.
    /// - Throws: `EncodingError` (not expected: the model holds only text).
    public func normalizedJSON() throws -> [UInt8] {
        try document.canonicalJSON(kind: kind)
    }
}

extension MIFADocument {
    /// The document as canonical JSON (pretty-printed, keys sorted, trailing newline). For a
    /// single-module `kind` only that module is written, with its fields at the top level.
    /// - Throws: `EncodingError` (not expected: the model holds only text).
    public func canonicalJSON(kind: Kind = .combined) throws -> [UInt8] {
        switch kind {
        case .combined: return try CanonicalJSON.encode(self)
        case .study: return try CanonicalJSON.encode(study ?? Study())
        case .annotations: return try CanonicalJSON.encode(annotations?.first ?? AnnotationSet())
        case .version: return try CanonicalJSON.encode(version ?? VersionMetadata())
        }
    }

    /// Validates a document built in code (no normalisation; pointers address the canonical JSON
    /// of `kind`).
    public func validate(as kind: Kind = .combined) -> ValidationReport {
        var validator = MetadataValidator(kind: kind)
        validator.validate(self)
        return ValidationReport(issues: validator.issues)
    }
}
