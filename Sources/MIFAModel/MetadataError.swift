public import MIFACore

/// A metadata file that cannot be read at all: unreadable, not UTF-8, malformed JSON or YAML, or
/// beyond the reader's limits. (Problems inside a well-formed document are ``ValidationIssue``s.)
public struct MetadataError: MIFAError {
    /// What went wrong, as a stable code.
    public enum Code: String, Sendable {
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

    /// The code as an enum.
    public var kind: Code
    /// What was expected, what was found, and how to fix it.
    public var message: String
    /// The file, line and column.
    public var context: ErrorContext
    /// The lower-level error, if any.
    public var underlying: (any Error & Sendable)?

    /// The stable code string.
    public var code: String { kind.rawValue }

    /// A metadata error with its code, message and place.
    public init(_ kind: Code, _ message: String, context: ErrorContext = ErrorContext(), underlying: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.underlying = underlying
    }
}
