import MIFACore
public import MIFAModel

/// Proposals, reviews and flags (`mifa propose`, `mifa review`, `mifa flag`).
///
/// A proposal is made like a version (the current version staged, the request's edits applied, the
/// metadata validated) under the package's write lock, but instead of committing, the files it adds
/// or changes and its file list are put in the object store and the record is written under
/// `versions/proposals/`; the current version does not change. Accepting it makes a version with
/// ``VersionMaker`` whose edit applies the proposal's file changes (relative to its base version)
/// to the current version, credits the author on the sets it changes that `mifa.json` declares
/// (`setN`) and records the acceptance in
/// the version record. When the package has moved past the base, the proposal is refused if a
/// file it changes was also changed since (named by set), or if both changed the metadata.
public enum ProposalMaker {
    /// Records a proposal and returns its id and record. `request.annotators` and credit removals
    /// must be empty: the author is credited on acceptance.
    /// - Throws: ``PackageError`` `.invalidArgument` (blank reason or changes, a proposal that
    ///   changes nothing), `.invalidVersion`, `.invalidMetadata`, the edits' errors; nothing is
    ///   written in those cases.
    @discardableResult
    public static func propose(_ request: VersionRequest, author: Author, reason: String, in package: DatasetPackage) throws -> (id: String, record: ProposalRecord) {
        try VersionMaker.check(request, package: package)
        guard request.annotators.isEmpty, request.creditRemovals.isEmpty, !request.force else {
            throw PackageError(.invalidArgument, "a proposal credits its author when it is accepted; it cannot credit annotators or remove credit itself")
        }
        try checkText(reason, what: "--reason TEXT (why the change is proposed)")
        let transaction = try PackageTransaction(package: package)
        let staging = VersionStaging(root: transaction.stagingRoot, package: package)
        let outcome: Result<(id: String, record: ProposalRecord), any Error>
        do {
            try transaction.stageCurrentContent()
            outcome = .success(try record(request, author: author, reason: reason, staging: staging))
        } catch {
            outcome = .failure(error)
        }
        transaction.abandon()
        return try outcome.get()
    }

    static func record(_ request: VersionRequest, author: Author, reason: String, staging: VersionStaging) throws -> (id: String, record: ProposalRecord) {
        let package = staging.package
        let manifest = try package.manifest()
        let base = try package.record(manifest.version)
        let timestamp = request.timestamp ?? PackageClock.now()
        try VersionMaker.checkOrder(timestamp, after: base.record)
        for edit in request.edits { try VersionMaker.apply(edit, to: staging) }
        let loaded = try VersionMaker.loadMetadata(staging.path(PackageLayout.metadata), display: PackageLayout.metadata)
        try VersionMaker.checkImages(loaded.document, staging: staging)
        let fileList = try ContentScanner().fileList(of: staging.root, carried: package.reader.carried)
        let files = FileChanges(from: manifest.fileList, to: fileList)
        guard !files.isEmpty else {
            throw PackageError(.invalidArgument, "the proposal changes nothing compared with version \(manifest.version); nothing was written")
        }
        let old = VersionContent(fileList: manifest.fileList) { try package.contents(of: $0, in: manifest.fileList) }
        let annotations = try AnnotationChanges.between(
            old, VersionContent.tree(staging.root, fileList: fileList), files: files, oldName: "\(package.root)@\(manifest.version)",
            newName: "\(package.root) (proposed)")
        for relative in files.added + files.modified {
            try package.objects.store(fileAt: staging.path(relative), expected: fileList.files[relative]!.sha256, displayPath: relative)
        }
        let record = ProposalRecord(
            version: request.version, timestamp: timestamp, author: author, reason: reason, changes: request.changes, baseVersion: manifest.version,
            baseRecordSHA256: base.sha256, manifestSHA256: try package.objects.store(fileList.canonicalJSON()),
            changeSummary: ChangeSummary(files: files, annotations: annotations))
        return (try package.writeSideRecord(.proposal, record), record)
    }

    /// Accepts a proposal: makes it the next version (id `version`, default the proposed one; time
    /// stamp `timestamp`, default now).
    /// - Throws: ``PackageError`` `.invalidArgument` for an unknown or already reviewed proposal or
    ///   one that no longer applies (naming the conflicting sets), `.digestMismatch` for an edited
    ///   proposal, and ``VersionMaker/make(_:in:)``'s errors; the package is unchanged in every case.
    @discardableResult
    public static func accept(_ id: String, reviewer: Author, reason: String, version: String? = nil, timestamp: String? = nil, in package: DatasetPackage) throws -> VersionRecord {
        try checkText(reason, what: "--reason TEXT (why the proposal is accepted)")
        let (proposal, sha256) = try unreviewed(id, in: package)
        let sets = try creditableSets(of: proposal, in: package)
        let request = VersionRequest(
            version: version ?? proposal.version, changes: proposal.changes,
            edits: [.custom { staging in try applyChanges(of: proposal, id: id, to: staging) }],
            annotators: sets.isEmpty ? [] : [AnnotatorCredit.Grant(author: proposal.author, sets: sets)],
            timestamp: timestamp, proposal: ProposalAcceptance(id: id, proposalSHA256: sha256, author: proposal.author, reviewer: reviewer, reason: reason))
        return try VersionMaker.make(request, in: package)
    }

    /// Rejects a proposal and returns the review's id.
    /// - Throws: ``PackageError`` `.invalidArgument` for an unknown or already reviewed proposal or
    ///   a blank reason, `.digestMismatch` for an edited proposal, `.io`.
    @discardableResult
    public static func reject(_ id: String, reviewer: Author, reason: String, timestamp: String? = nil, in package: DatasetPackage) throws -> String {
        try checkText(reason, what: "--reason TEXT (why the proposal is rejected)")
        let transaction = try PackageTransaction(package: package)
        let outcome = Result {
            let (_, sha256) = try unreviewed(id, in: package)
            let review = ReviewRecord(proposal: id, proposalSHA256: sha256, reviewer: reviewer, reason: reason, timestamp: timestamp ?? PackageClock.now())
            return try package.writeSideRecord(.review, review)
        }
        transaction.abandon()
        return try outcome.get()
    }

    /// Records that the dataset needs updates, or (with `resolves`) that a flag is dealt with; returns the new record's id.
    /// - Throws: ``PackageError`` `.invalidArgument` for a blank reason or an unknown or resolved flag, `.io`.
    @discardableResult
    public static func flag(reason: String, by: String?, resolves: String? = nil, timestamp: String? = nil, in package: DatasetPackage) throws -> String {
        try checkText(reason, what: "--reason TEXT (what needs updating, or how it was dealt with)")
        let transaction = try PackageTransaction(package: package)
        let outcome = Result {
            if let resolves {
                guard try package.sideRecord(.flag, resolves, as: FlagRecord.self).record.resolves == nil else {
                    throw PackageError(.invalidArgument, "'\(resolves)' resolves a flag; give the id of the flag itself")
                }
                if let done = try package.proposalBook().flags.first(where: { $0.record.resolves == resolves }) {
                    throw PackageError(.invalidArgument, "flag \(resolves) is already resolved by \(done.id)")
                }
            }
            let record = FlagRecord(reason: reason, by: by, version: try package.currentVersion(), timestamp: timestamp ?? PackageClock.now(), resolves: resolves)
            return try package.writeSideRecord(.flag, record)
        }
        transaction.abandon()
        return try outcome.get()
    }

    /// The sets the proposal changes that its `mifa.json` declares (``MIFADocument/annotationSetIDs``), on
    /// which its author is credited; sets named otherwise have no authors list to hold the credit.
    static func creditableSets(of proposal: ProposalRecord, in package: DatasetPackage) throws -> [String] {
        let list = try FileList.decode(package.objects.read(proposal.manifestSHA256), file: PackageLayout.object(proposal.manifestSHA256))
        let metadata = try MetadataReader.read(bytes: package.contents(of: PackageLayout.metadata, in: list), format: .json, file: PackageLayout.metadata).document
        let declared = Set(metadata.annotationSetIDs)
        return proposal.changeSummary.annotations.keys.filter(declared.contains).sorted()
    }

    /// The proposal, checked intact and neither accepted in the current lineage nor rejected.
    static func unreviewed(_ id: String, in package: DatasetPackage) throws -> (ProposalRecord, SHA256Digest) {
        let stored = try package.sideRecord(.proposal, id, as: ProposalRecord.self)
        if let entry = try package.proposalBook().proposals.first(where: { $0.id == id }), entry.status != "open" {
            throw PackageError(.invalidArgument, "proposal \(id) is already \(entry.status); a proposal is reviewed once (propose it again to change the decision)")
        }
        return stored
    }

    /// Applies the proposal's file changes (relative to its base) to the staged current version,
    /// refusing when the current version changed the same files or both changed the metadata.
    static func applyChanges(of proposal: ProposalRecord, id: String, to staging: VersionStaging) throws {
        let package = staging.package
        let current = try package.manifest()
        let lineage = try package.lineage().map(\.version)
        guard lineage.contains(proposal.baseVersion) else {
            throw PackageError(.invalidArgument, "proposal \(id) was made on version \(proposal.baseVersion), which is not in the current lineage (\(lineage.joined(separator: ", "))); it cannot be applied")
        }
        let base = try package.fileList(of: proposal.baseVersion)
        let proposed = try FileList.decode(package.objects.read(proposal.manifestSHA256), file: PackageLayout.object(proposal.manifestSHA256))
        let changes = FileChanges(from: base, to: proposed)
        let moved = FileChanges(from: base, to: current.fileList)
        let movedPaths = Set(moved.added + moved.removed + moved.modified)
        var conflicts = Set<String>()
        for path in changes.added + changes.removed + changes.modified where path != PackageLayout.metadata && movedPaths.contains(path) {
            if current.fileList.files[path] != proposed.files[path] { conflicts.insert(area(of: path)) }
        }
        let metadataChanged = try strippedMetadata(package.contents(of: PackageLayout.metadata, in: proposed)) != strippedMetadata(package.contents(of: PackageLayout.metadata, in: base))
        if metadataChanged && current.version != proposal.baseVersion {
            let currentMetadata = try strippedMetadata(package.contents(of: PackageLayout.metadata, in: current.fileList))
            if try currentMetadata != strippedMetadata(package.contents(of: PackageLayout.metadata, in: base)) { conflicts.insert("metadata (mifa.json)") }
        }
        guard conflicts.isEmpty else {
            throw PackageError(
                .invalidArgument,
                "proposal \(id) no longer applies: it was made on version \(proposal.baseVersion), and version \(current.version) has since changed what it changes: \(conflicts.sorted().joined(separator: ", ")); reject it and propose again on version \(current.version). Nothing was written")
        }
        for path in changes.added + changes.modified where path != PackageLayout.metadata {
            try staging.replaceFile(path, with: package.contents(of: path, in: proposed))
        }
        for path in changes.removed where path != PackageLayout.metadata { try staging.remove(path) }
        if metadataChanged { try staging.replaceFile(PackageLayout.metadata, with: package.contents(of: PackageLayout.metadata, in: proposed)) }
    }

    /// The set (`annotations/<set>/...`, `images/<id>/labels/<set>/...`) or the image or file a path belongs to.
    static func area(of path: String) -> String {
        let parts = path.split(separator: "/").map(String.init)
        if parts.count > 2 && parts[0] == PackageLayout.annotations { return parts[1] }
        if parts.count > 4 && parts[0] == PackageLayout.images && parts[2] == "labels" { return parts[3] }
        if parts.count > 2 && parts[0] == PackageLayout.images { return "image \(parts[1])" }
        return path
    }

    /// A metadata document's canonical JSON without its version module, which every version rewrites.
    static func strippedMetadata(_ bytes: [UInt8]) throws -> [UInt8] {
        var document = try MetadataReader.read(bytes: bytes, format: .json, file: PackageLayout.metadata).document
        document.version = nil
        return try document.canonicalJSON()
    }

    static func checkText(_ text: String, what: String) throws {
        guard !text.allSatisfy(\.isWhitespace) else { throw PackageError(.invalidArgument, "give \(what); the record keeps it") }
    }
}
