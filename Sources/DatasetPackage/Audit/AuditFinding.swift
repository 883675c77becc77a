public import MIFACore

/// One problem or observation of a package audit (``PackageAuditor``): a MIFACore `Diagnostic` with an
/// ``AuditCode``, naming the package file concerned (package-relative, `.` for the package itself)
/// and, where relevant, the JSON pointer inside it. Errors mean the package is broken or lies about
/// itself, warnings that a reuser would stumble on something, info is worth knowing.
public typealias AuditFinding = Diagnostic<AuditCode>

/// The stable codes of audit findings (``AuditFinding``).
public enum AuditCode: String, DiagnosticCode {
    /// `path`: a finding names a package-relative path.
    public static var fileMember: String { "path" }

    /// An interrupted write was finished or discarded when the package was opened.
    case recovered = "recovered"
    /// Another process is writing to the package; it was audited as it is.
    case writeInProgress = "write-in-progress"
    /// The package's write lock cannot be taken (a read-only copy): audited as it is, without recovery.
    case readOnly = "read-only"
    /// `manifest.json` is missing or unreadable.
    case manifestUnreadable = "manifest-unreadable"
    /// A file the manifest lists is missing.
    case fileMissing = "file-missing"
    /// A file's content differs from the manifest's digest.
    case digestMismatch = "digest-mismatch"
    /// A file's size differs from the manifest's.
    case sizeMismatch = "size-mismatch"
    /// A content file the manifest does not list.
    case fileUnlisted = "file-unlisted"
    /// A symbolic link or special file in the package.
    case irregularFile = "irregular-file"
    /// Something at the package root or under `versions/` that a package does not hold.
    case unexpectedEntry = "unexpected-entry"
    /// A file could not be read.
    case unreadable = "unreadable"
    /// The package is read where nothing can be listed (an HTTP server), so the checks that
    /// need a listing (files the manifest does not name, stray objects, proposals, reviews
    /// and flags) were not run.
    case listingUnavailable = "listing-unavailable"
    /// A version record is missing, unreadable or inconsistent.
    case versionRecordInvalid = "version-record-invalid"
    /// The version chain loops or a `previous_version` does not resolve.
    case versionChainBroken = "version-chain-broken"
    /// A record's timestamp is not after the previous one's, or is not a date-time.
    case versionTimestamp = "version-timestamp"
    /// A digest linking records, manifest and file lists does not match.
    case versionDigestMismatch = "version-digest-mismatch"
    /// A stored object is missing or altered, so an earlier version cannot be restored.
    case objectMissing = "object-missing"
    /// A version record that no version chain reaches.
    case versionOrphan = "version-orphan"
    /// An annotator credited by a version is no longer credited by the next, without a recorded removal.
    case creditLost = "credit-lost"
    /// An annotator's credit was removed on purpose (recorded in `credit_removed`).
    case creditRemoved = "credit-removed"
    /// An annotator of the metadata is not credited by the current version record.
    case creditMissing = "credit-missing"
    /// A record's per-set credit (`set_credits`) names a set whose objects the version does not
    /// change, or a person the record does not credit or the set's authors in that version's
    /// `mifa.json` do not list: the attribution was edited.
    case creditSetMismatch = "credit-set-mismatch"
    /// An object of a vector set names its annotator in a form that cannot be read (not text,
    /// not `First Last <ORCID>`, a bad ORCID iD, or two places naming different people).
    case annotatorInvalid = "annotator-invalid"
    /// A proposal nobody has accepted or rejected yet (`mifa review`).
    case proposalOpen = "proposal-open"
    /// A flag saying the dataset needs updates that no resolution names (`mifa flag --resolve`).
    case flagOpen = "flag-open"
    /// A proposal, review or flag record that cannot be read, or whose SHA-256 no longer matches
    /// its id: it was edited after it was written.
    case proposalRecordEdited = "proposal-record-edited"
    /// A review (a rejection, or a version's acceptance) or a resolution naming a proposal or
    /// flag that does not exist, or whose record has another digest than the one reviewed.
    case reviewTargetMissing = "review-target-missing"
    /// A version that accepted a proposal does not hold the proposal's changes, does not credit
    /// its author, or a proposal is both accepted and rejected.
    case proposalVersionMismatch = "proposal-version-mismatch"
    /// Agreement between two annotation sets could not be measured on an image (not 2-D) or at all.
    case agreementNotMeasured = "agreement-not-measured"
    /// The metadata does not validate, or cannot be read.
    case metadataInvalid = "metadata-invalid"
    /// The metadata validator warns about something.
    case metadataWarning = "metadata-warning"
    /// An ORCID iD that is malformed or has a wrong check digit.
    case orcidInvalid = "orcid-invalid"
    /// No license.
    case licenseMissing = "license-missing"
    /// A license that restricts reuse (non-commercial, no derivatives, or none).
    case licenseRestrictive = "license-restrictive"
    /// An annotation names a source image the package does not have.
    case sourceImageMissing = "source-image-missing"
    /// An image folder that is not an OME-Zarr image (no `zarr.json`).
    case imageInvalid = "image-invalid"
    /// An image of the package that the metadata does not list, or the reverse.
    case imageNotInMetadata = "image-not-in-metadata"
    /// An image the metadata lists that the package does not have.
    case imageMissing = "image-missing"
    /// An annotation file that cannot be read.
    case annotationsUnreadable = "annotations-unreadable"
    /// The metadata declares annotations for an image that has none in the package.
    case coverageDeclaredNotFound = "coverage-declared-not-found"
    /// An image has annotations that the metadata does not declare.
    case coverageUndeclared = "coverage-undeclared"
    /// An annotation set with no objects, or an image set with no images.
    case empty = "empty"
    /// A folder in the content area with no file in it.
    case emptyFolder = "empty-folder"
    /// A file in the object store that no version refers to.
    case objectStray = "object-stray"
    /// A file list names a path that is not package content or leaves the package.
    case unsafePath = "unsafe-path"
    /// Vector annotations that lie (partly) outside their image.
    case annotationOutsideImage = "annotation-outside-image"
    /// Vector annotations of (near) zero area or length: a click, not an outline.
    case annotationDegenerate = "annotation-degenerate"
    /// An image described without any REMBI section (biosample, specimen, acquisition).
    case rembiMissing = "rembi-missing"
    /// An image placed in two machine-learning splits (by mifa.json and by the file list's
    /// `Split` column in `annotations/files.json`), so test data could leak into training.
    case imageInTwoSplits = "image-in-two-splits"
    /// A vector set's `index.json` does not describe its GeoJSON (stale, out of range,
    /// overlapping, wrong counts), so per-image reads through it are refused.
    case annotationIndexInvalid = "annotation-index-invalid"
    /// A vector set of a format-2 package has no `index.json` (readers fall back to the whole file).
    case annotationIndexMissing = "annotation-index-missing"
    /// The package is in an earlier format version than this build writes (readable as it is;
    /// the next version made of it upgrades it).
    case formatOutdated = "format-outdated"
    /// The root `zarr.json`'s consolidated metadata does not describe the version: made from other
    /// `zarr.json` files than the manifest lists, unreadable, or saying of a node other than the
    /// node's own `zarr.json` (zarr-python opens the images from it; mifa then reads the nodes).
    case consolidatedMetadataStale = "consolidated-metadata-stale"
}

extension Diagnostic where C == AuditCode {
    /// A finding about the file at package-relative `path` (`.` for the package), at `pointer` inside it.
    public init(_ severity: IssueSeverity, _ code: AuditCode, path: String, pointer: String? = nil, _ message: String) {
        self.init(severity, code, message, context: ErrorContext(file: path, pointer: pointer))
    }

    /// The package-relative path concerned (`.` for the package itself).
    public var path: String {
        get { context.file ?? "." }
        set { context.file = newValue }
    }

    /// The JSON pointer inside that file, where relevant.
    public var pointer: String? {
        get { context.pointer }
        set { context.pointer = newValue }
    }
}
