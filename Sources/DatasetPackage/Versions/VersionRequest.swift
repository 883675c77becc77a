import MIFAModel

/// What a new version should be: its id, the changes text, the edits and the credit changes.
public struct VersionRequest: Sendable {
    /// The new version id (a safe name not used yet, see MIFACore's `SafeName`).
    public var version: String
    /// What changed, in the words of whoever makes the version.
    public var changes: String
    /// The edits, applied in order to a copy of the current version.
    public var edits: [VersionEdit]
    /// New annotators to credit, each on the annotation sets they changed (see ``AnnotatorCredit``).
    public var annotators: [AnnotatorCredit.Grant]
    /// Annotators (ORCID iD or `First Last`) whose credit is removed; needs ``force`` and ``reason``.
    public var creditRemovals: [String]
    /// Allow removing credit (explicitly, or because the new metadata no longer lists someone).
    public var force: Bool
    /// Why credit is removed; recorded with each removal.
    public var reason: String?
    /// The time stamp; `nil` for ``PackageClock/now()``. It must be later than the previous version's.
    public var timestamp: String?
    /// The accepted proposal this version is (see ``ProposalMaker``); `nil` for a direct version.
    public var proposal: ProposalAcceptance?

    /// A request.
    public init(
        version: String, changes: String, edits: [VersionEdit] = [], annotators: [AnnotatorCredit.Grant] = [], creditRemovals: [String] = [],
        force: Bool = false, reason: String? = nil, timestamp: String? = nil, proposal: ProposalAcceptance? = nil
    ) {
        self.version = version
        self.changes = changes
        self.edits = edits
        self.annotators = annotators
        self.creditRemovals = creditRemovals
        self.force = force
        self.reason = reason
        self.timestamp = timestamp
        self.proposal = proposal
    }

    /// Whether a non-blank reason was given.
    var hasReason: Bool { !(reason ?? "").allSatisfy(\.isWhitespace) }
}
