public import MIFACore

/// An error of the server layer: a stable code (which decides the HTTP status), a message that
/// says what was wrong with the request, and where.
public typealias ServerError = LayerError<ServerErrorCode>

/// The codes of ``ServerError``.
public enum ServerErrorCode: String, ErrorCode, CaseIterable {
    /// Nothing to serve at the path: a file outside the package or not in its current version, an
    /// unknown image, set or page (HTTP 404).
    case notFound = "not-found"
    /// A request that cannot be answered as asked: bad parameters, encoded slashes (HTTP 400).
    case badRequest = "bad-request"
    /// A byte range outside the file (HTTP 416).
    case rangeNotSatisfiable = "range-not-satisfiable"
    /// What was asked for cannot be served: not a package or folder of packages (at start-up).
    case invalidPackage = "invalid-package"
}
