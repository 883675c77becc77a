import MIFACore
public import MIFAModel

/// `versions/<version>.json`: one immutable version of a package.
///
/// Records form a chain through ``previousVersion`` and ``previousRecordSHA256`` (the digest of the
/// previous record's file), so an edited record breaks the chain; the newest record's digest is in
/// `manifest.json`. ``manifestSHA256`` names the version's ``FileList``, stored in the object store.
public struct VersionRecord: Codable, Sendable, Hashable {
    /// Always `mifa-version`.
    public var format: String = "mifa-version"
    /// The version id, e.g. `1`, `1.1`, `v2` (a safe name, see MIFACore's `SafeName`).
    public var version: String
    /// When the version was made, RFC 3339 with offset.
    public var timestamp: String
    /// What changed, in the words of whoever made the version.
    public var changes: String
    /// The version this one derives from; `nil` for the first.
    public var previousVersion: String?
    /// SHA-256 of the previous version's record file; `nil` for the first.
    public var previousRecordSHA256: SHA256Digest?
    /// SHA-256 of this version's file list (canonical JSON), stored as an object.
    public var manifestSHA256: SHA256Digest
    /// How many content files the version has.
    public var fileCount: Int
    /// The content's total size in bytes.
    public var totalBytes: Int
    /// Every annotator this version credits: all those of the previous version plus new ones.
    public var creditedAnnotators: [Author]
    /// Annotators whose credit was removed by force, with the reason given; empty normally.
    public var creditRemoved: [CreditRemoval]
    /// What changed since the previous version, computed from the files and annotations.
    public var changeSummary: ChangeSummary
    /// Who this version credits for its changes, per annotation set id (`set3`: annotation set 3 of
    /// `mifa.json`); every set named has objects added, removed or changed in ``changeSummary``.
    /// `nil` in records made before per-set credit (then ``CreditHistory`` derives it from the
    /// authors each set gained in `mifa.json`).
    public var setCredits: [String: [Author]]?
    /// The proposal this version accepted (`mifa review --accept`): its id and digest, its author and
    /// the reviewer; `nil` for a version made directly.
    public var proposal: ProposalAcceptance?

    /// A version record.
    public init(
        version: String, timestamp: String, changes: String, previousVersion: String?, previousRecordSHA256: SHA256Digest?,
        manifestSHA256: SHA256Digest, fileCount: Int, totalBytes: Int, creditedAnnotators: [Author],
        creditRemoved: [CreditRemoval] = [], changeSummary: ChangeSummary, setCredits: [String: [Author]]? = nil,
        proposal: ProposalAcceptance? = nil
    ) {
        self.version = version
        self.timestamp = timestamp
        self.changes = changes
        self.previousVersion = previousVersion
        self.previousRecordSHA256 = previousRecordSHA256
        self.manifestSHA256 = manifestSHA256
        self.fileCount = fileCount
        self.totalBytes = totalBytes
        self.creditedAnnotators = creditedAnnotators
        self.creditRemoved = creditRemoved
        self.changeSummary = changeSummary
        self.setCredits = setCredits
        self.proposal = proposal
    }

    enum CodingKeys: String, CodingKey {
        case format, version, timestamp, changes
        case previousVersion = "previous_version"
        case previousRecordSHA256 = "previous_record_sha256"
        case manifestSHA256 = "manifest_sha256"
        case fileCount = "file_count"
        case totalBytes = "total_bytes"
        case creditedAnnotators = "credited_annotators"
        case creditRemoved = "credit_removed"
        case changeSummary = "change_summary"
        case setCredits = "set_credits"
        case proposal
    }

    /// The record's canonical JSON bytes (what is written to `versions/<version>.json`).
    /// - Throws: `EncodingError` (not expected).
    public func canonicalJSON() throws -> [UInt8] { try CanonicalJSON.encode(self) }

    /// Reads a record from its bytes.
    /// - Throws: ``PackageError`` `.malformed` naming `file`.
    public static func decode(_ bytes: [UInt8], file: String) throws -> VersionRecord {
        let record = try PackageJSON.decode(VersionRecord.self, from: bytes, file: file)
        guard record.format == "mifa-version" else {
            throw PackageError(.malformed, "'format' is '\(record.format)', expected 'mifa-version'", context: ErrorContext(file: file, pointer: "/format"))
        }
        return record
    }
}

/// An annotator whose credit a version removed on purpose (`--force`), and why.
public struct CreditRemoval: Codable, Sendable, Hashable {
    /// The annotator as the previous version credited them.
    public var annotator: Author
    /// The reason given.
    public var reason: String

    /// A removal with its reason.
    public init(annotator: Author, reason: String) {
        self.annotator = annotator
        self.reason = reason
    }
}

/// What changed between two versions: files, and objects inside each annotation set.
public struct ChangeSummary: Codable, Sendable, Hashable {
    /// Content files added, removed and modified (package-relative paths, byte order).
    public var files: FileChanges
    /// Per annotation set id: objects added, removed and changed.
    public var annotations: [String: ObjectChanges]

    /// A summary.
    public init(files: FileChanges = FileChanges(), annotations: [String: ObjectChanges] = [:]) {
        self.files = files
        self.annotations = annotations
    }
}

/// Files added, removed and modified between two file lists.
public struct FileChanges: Codable, Sendable, Hashable {
    /// Paths only in the newer list.
    public var added: [String]
    /// Paths only in the older list.
    public var removed: [String]
    /// Paths in both with different digests.
    public var modified: [String]

    /// A file change list.
    public init(added: [String] = [], removed: [String] = [], modified: [String] = []) {
        self.added = added
        self.removed = removed
        self.modified = modified
    }

    /// The changes from `old` to `new`.
    public init(from old: FileList, to new: FileList) {
        let order: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        added = new.files.keys.filter { old.files[$0] == nil }.sorted(by: order)
        removed = old.files.keys.filter { new.files[$0] == nil }.sorted(by: order)
        modified = new.files.compactMap { path, entry in
            old.files[path].flatMap { $0 == entry ? nil : path }
        }.sorted(by: order)
    }

    /// Whether nothing changed.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && modified.isEmpty }
}

/// Objects of one annotation set added, removed and changed between two versions, by object id
/// (objects without ids are matched by IoU >= 0.5 and named `#<index>` by their position).
public struct ObjectChanges: Codable, Sendable, Hashable {
    /// Objects only in the newer version.
    public var added: [String]
    /// Objects only in the older version.
    public var removed: [String]
    /// Objects in both whose geometry, class or properties differ.
    public var changed: [String]
    /// How many objects were paired by IoU because they had no ids.
    public var matchedByIoU: Int

    /// An object change list.
    public init(added: [String] = [], removed: [String] = [], changed: [String] = [], matchedByIoU: Int = 0) {
        self.added = added
        self.removed = removed
        self.changed = changed
        self.matchedByIoU = matchedByIoU
    }

    enum CodingKeys: String, CodingKey {
        case added, removed, changed
        case matchedByIoU = "matched_by_iou"
    }

    /// Whether nothing changed.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}
