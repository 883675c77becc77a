/// An error from the foundation layer: array shapes, regions, file writes.
public struct CoreError: MIFAError {
    /// What went wrong, as a stable code.
    public enum Code: String, Sendable {
        /// A shape, stride or element count that does not fit the array.
        case shapeMismatch = "shape-mismatch"
        /// A region that is malformed or reaches outside the array.
        case invalidRegion = "invalid-region"
        /// A file could not be read, written, synced or renamed.
        case io = "io"
        /// Text that should be JSON is not.
        case invalidJSON = "invalid-json"
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

    /// A core error with its code, message and optional place and cause.
    public init(_ kind: Code, _ message: String, context: ErrorContext = ErrorContext(), underlying: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.underlying = underlying
    }
}
