public import MIFACore

/// A metadata file that cannot be read at all: unreadable, not UTF-8, malformed JSON or YAML, or
/// beyond the reader's limits. (Problems inside a well-formed document are ``ValidationIssue``s.)
public typealias MetadataError = LayerError<MetadataErrorCode>

/// The codes of ``MetadataError``: what went wrong, as a stable code.
public enum MetadataErrorCode: String, ErrorCode, CaseIterable {
    /// The file could not be opened or read.
    case unreadable = "unreadable-file"
    /// The bytes are not valid UTF-8.
    case invalidEncoding = "invalid-encoding"
    /// The text is not valid JSON.
    case invalidJSON = "invalid-json"
    /// The text is not valid YAML (or uses YAML features MIFAKit does not read).
    case invalidYAML = "invalid-yaml"
    /// The file holds no document.
    case emptyDocument = "empty-document"
    /// The file or its expansion is larger than the reader accepts.
    case tooLarge = "too-large"
}
