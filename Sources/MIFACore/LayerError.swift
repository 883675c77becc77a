/// The stable codes of one layer's errors: an enum whose raw values are the codes' text, such as
/// `truncated-file` or `invalid-region`.
public protocol ErrorCode: RawRepresentable, Sendable, Hashable where RawValue == String {}

/// An error of one layer, told apart by its code type: `CoreError`, `ZarrError`, `OMEZarrError`,
/// `MetadataError`, `AnnotationError`, `PackageError` and `BatchLoaderError` are this struct with
/// their layer's ``ErrorCode`` enum, so each layer's errors are a type of their own (catchable
/// apart) while sharing one implementation.
public struct LayerError<C: ErrorCode>: MIFAError {
    /// The layer's code enum (`CoreError.Code` is `CoreErrorCode`, and so on).
    public typealias Code = C

    /// The code as an enum.
    public var kind: Code
    /// What was expected, what was found, and how to fix it.
    public var message: String
    /// Where the problem was found.
    public var context: ErrorContext
    /// The lower-level error, if any.
    public var underlying: (any Error & Sendable)?

    /// The stable code string.
    public var code: String { kind.rawValue }

    /// An error with its code, message and optional place and cause.
    public init(_ kind: Code, _ message: String, context: ErrorContext = ErrorContext(), underlying: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.underlying = underlying
    }
}
