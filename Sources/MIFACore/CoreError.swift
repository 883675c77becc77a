/// An error from the foundation layer: array shapes, regions, file reads and writes.
public typealias CoreError = LayerError<CoreErrorCode>

/// The codes of ``CoreError``: what went wrong, as a stable code.
public enum CoreErrorCode: String, ErrorCode, CaseIterable {
    /// A shape, stride or element count that does not fit the array.
    case shapeMismatch = "shape-mismatch"
    /// A region that is malformed or reaches outside the array.
    case invalidRegion = "invalid-region"
    /// A file could not be read, written, synced or renamed.
    case io = "io"
    /// Text that should be JSON is not.
    case invalidJSON = "invalid-json"
    /// A path names a symbolic link (where links are not followed), a folder, FIFO, device or socket.
    case notRegularFile = "not-regular-file"
    /// A file is larger than the limit for what it holds.
    case tooLarge = "too-large"
    /// A CSV or TSV table that is not UTF-8 text or has a quoted field that is never closed.
    case malformedTable = "malformed-table"
}
