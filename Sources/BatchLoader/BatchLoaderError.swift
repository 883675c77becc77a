public import MIFACore

/// An error of the batch loader: a stable code, a message that says how to fix it, where it
/// happened (the chunk key, the image) and the underlying error.
public struct BatchLoaderError: MIFAError {
    /// What went wrong, as a stable code.
    public enum Code: String, Sendable {
        /// A setting is out of range or contradicts another one.
        case invalidConfiguration = "invalid-configuration"
        /// An image cannot be sampled (too few axes, no pixels, unsupported type).
        case unsupportedImage = "unsupported-image"
        /// A chunk could not be read or decoded; the context names its key.
        case chunkFailed = "chunk-failed"
        /// The memory budget is too small for the settings.
        case budgetTooSmall = "budget-too-small"
        /// The loader was cancelled.
        case cancelled = "cancelled"
        /// A checkpoint does not belong to this loader.
        case invalidCheckpoint = "invalid-checkpoint"
    }

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

    /// A loader error with its code, message and optional place and cause.
    public init(_ kind: Code, _ message: String, context: ErrorContext = ErrorContext(), underlying: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.underlying = underlying
    }
}
