import MIFACore
public import MIFAModel

/// `versions/proposals/<id>.json`: a candidate version proposed by someone (`mifa propose`), not
/// (yet) part of the version chain.
///
/// Its content is a file list stored in the object store (``manifestSHA256``), with every file it
/// adds or changes, so it can be diffed and accepted later. The id is `p-` and the first 16 hex
/// digits of the SHA-256 of the record's file, so an edited record no longer matches its name.
public struct ProposalRecord: Codable, Sendable, Hashable {
    /// Always `mifa-proposal`.
    public var format: String = "mifa-proposal"
    /// The version id the proposal asks for (a review may choose another one if it is taken).
    public var version: String
    /// When it was proposed, RFC 3339.
    public var timestamp: String
    /// Who proposed it; credited on the sets it changes if it is accepted.
    public var author: Author
    /// Why, in the author's words.
    public var reason: String
    /// What changes, the `changes` text of the version it would make.
    public var changes: String
    /// The version it was made from.
    public var baseVersion: String
    /// SHA-256 of the base version's record file.
    public var baseRecordSHA256: SHA256Digest
    /// SHA-256 of the candidate content's file list (canonical JSON), stored as an object.
    public var manifestSHA256: SHA256Digest
    /// What the candidate changes compared with the base version.
    public var changeSummary: ChangeSummary

    /// A proposal record.
    public init(
        version: String, timestamp: String, author: Author, reason: String, changes: String, baseVersion: String,
        baseRecordSHA256: SHA256Digest, manifestSHA256: SHA256Digest, changeSummary: ChangeSummary
    ) {
        self.version = version
        self.timestamp = timestamp
        self.author = author
        self.reason = reason
        self.changes = changes
        self.baseVersion = baseVersion
        self.baseRecordSHA256 = baseRecordSHA256
        self.manifestSHA256 = manifestSHA256
        self.changeSummary = changeSummary
    }

    enum CodingKeys: String, CodingKey {
        case format, version, timestamp, author, reason, changes
        case baseVersion = "base_version"
        case baseRecordSHA256 = "base_record_sha256"
        case manifestSHA256 = "manifest_sha256"
        case changeSummary = "change_summary"
    }
}

/// `versions/reviews/<id>.json`: the rejection of a proposal (`mifa review --reject`). An accepted
/// proposal is recorded in the version it became (``VersionRecord/proposal``), inside the chain.
/// The id is `r-` and the first 16 hex digits of the file's SHA-256.
public struct ReviewRecord: Codable, Sendable, Hashable {
    /// Always `mifa-review`.
    public var format: String = "mifa-review"
    /// The proposal's id.
    public var proposal: String
    /// SHA-256 of the proposal's record file when it was reviewed.
    public var proposalSHA256: SHA256Digest
    /// Always `reject` (acceptances are in version records).
    public var decision: String = "reject"
    /// Who reviewed it.
    public var reviewer: Author
    /// Why it was rejected.
    public var reason: String
    /// When, RFC 3339.
    public var timestamp: String

    /// A rejection.
    public init(proposal: String, proposalSHA256: SHA256Digest, reviewer: Author, reason: String, timestamp: String) {
        self.proposal = proposal
        self.proposalSHA256 = proposalSHA256
        self.reviewer = reviewer
        self.reason = reason
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case format, proposal, decision, reviewer, reason, timestamp
        case proposalSHA256 = "proposal_sha256"
    }
}

/// `versions/flags/<id>.json`: a note that the dataset needs updates (`mifa flag`), or, with
/// ``resolves``, that such a note is dealt with (`mifa flag --resolve`). A flag stays open until a
/// resolving record names it; versions do not resolve flags by themselves. The id is `f-` and the
/// first 16 hex digits of the file's SHA-256.
public struct FlagRecord: Codable, Sendable, Hashable {
    /// Always `mifa-flag`.
    public var format: String = "mifa-flag"
    /// What needs updating (or, for a resolution, how it was dealt with).
    public var reason: String
    /// Who raised (or resolved) it, if they said.
    public var by: String?
    /// The current version when it was recorded.
    public var version: String
    /// When, RFC 3339.
    public var timestamp: String
    /// The id of the flag this record resolves; `nil` for a flag.
    public var resolves: String?

    /// A flag or a resolution.
    public init(reason: String, by: String?, version: String, timestamp: String, resolves: String? = nil) {
        self.reason = reason
        self.by = by
        self.version = version
        self.timestamp = timestamp
        self.resolves = resolves
    }
}

/// How an accepted proposal is recorded in the version it became.
public struct ProposalAcceptance: Codable, Sendable, Hashable {
    /// The proposal's id.
    public var id: String
    /// SHA-256 of the proposal's record file when it was accepted.
    public var proposalSHA256: SHA256Digest
    /// Who proposed it.
    public var author: Author
    /// Who accepted it.
    public var reviewer: Author
    /// Why it was accepted.
    public var reason: String

    /// An acceptance.
    public init(id: String, proposalSHA256: SHA256Digest, author: Author, reviewer: Author, reason: String) {
        self.id = id
        self.proposalSHA256 = proposalSHA256
        self.author = author
        self.reviewer = reviewer
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case id, author, reviewer, reason
        case proposalSHA256 = "proposal_sha256"
    }
}

/// The three kinds of records beside the version chain, their folders and id prefixes.
public enum SideRecordKind: String, Sendable, CaseIterable {
    /// `versions/proposals/p-<hex>.json`.
    case proposal
    /// `versions/reviews/r-<hex>.json`.
    case review
    /// `versions/flags/f-<hex>.json`.
    case flag

    /// The folder under `versions/`.
    public var folderName: String { rawValue + "s" }
    /// The package-relative folder.
    public var folder: String { "\(PackageLayout.versions)/\(folderName)" }
    /// The id prefix.
    public var prefix: String { String(rawValue.prefix(1)) + "-" }
    /// The `format` value of its records.
    public var format: String { "mifa-\(rawValue)" }

    /// The id of a record with these bytes: prefix and the first 16 hex digits of their SHA-256.
    public func id(of bytes: [UInt8]) -> String { prefix + String(SHA256Digest(of: bytes).hex.prefix(16)) }

    /// The package-relative file of a record id.
    public func file(_ id: String) -> String { "\(folder)/\(id).json" }

    /// Whether `name` (without `.json`) has the shape of an id of this kind.
    public func isID(_ name: String) -> Bool {
        name.hasPrefix(prefix) && name.utf8.count == prefix.utf8.count + 16
            && name.utf8.dropFirst(2).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
