public import MIFACore

/// An error from building, reading, versioning, auditing or exporting a dataset package.
///
/// The `context` names the package file concerned (a path relative to the package root where
/// possible) and, for JSON documents, the pointer inside it.
public typealias PackageError = LayerError<PackageErrorCode>

/// The codes of ``PackageError``: what went wrong, as a stable code.
public enum PackageErrorCode: String, ErrorCode, CaseIterable {
    /// A file could not be read, written, renamed or removed.
    case io = "io"
    /// The directory is not a MIFA package (no root `zarr.json` with the `mifa` attribute).
    case notAPackage = "not-a-package"
    /// A package file (manifest, version record, zarr.json) is structurally broken.
    case malformed = "malformed"
    /// The destination already exists and would be overwritten.
    case alreadyExists = "already-exists"
    /// A path is absolute, contains `..`, or otherwise leaves the package.
    case invalidPath = "invalid-path"
    /// A version id is not usable (empty, unsafe characters, already taken, unknown).
    case invalidVersion = "invalid-version"
    /// The metadata does not validate.
    case invalidMetadata = "invalid-metadata"
    /// Content does not match its recorded digest.
    case digestMismatch = "digest-mismatch"
    /// A stored object needed to restore an earlier version is missing.
    case missingObject = "missing-object"
    /// Another process holds the package's write lock, or an earlier write was interrupted in a way
    /// that cannot be recovered automatically.
    case locked = "locked"
    /// An annotator credited by an earlier version would lose credit.
    case creditRemoved = "credit-removed"
    /// Input files cannot be ingested (unreadable image, annotation without a source image, ...).
    case invalidInput = "invalid-input"
    /// An argument given by the caller is not valid.
    case invalidArgument = "invalid-argument"
}

extension LayerError where C == PackageErrorCode {
    /// The package layer's form of a file-reading error from MIFACore (same message and place):
    /// a file that is not a regular one or is too large is bad input, anything else is `.io`.
    init(_ error: CoreError) {
        let kind: PackageErrorCode = error.kind == .notRegularFile || error.kind == .tooLarge ? .invalidInput : .io
        self.init(kind, error.message, context: error.context)
    }
}
