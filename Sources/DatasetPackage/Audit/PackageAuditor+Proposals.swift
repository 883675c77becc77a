import MIFACore
import MIFAModel

extension AuditRun {
    /// Proposals and reviews: each record intact (its SHA-256 matches its id), every review
    /// naming an existing proposal with the digest reviewed, every version of the
    /// lineage that accepted a proposal holding the proposal's file changes and crediting its
    /// author; open proposals as info. A version chain that cannot be read is reported by the
    /// version checks; here it is named once when there are proposals or reviews to check.
    mutating func checkProposals(_ manifest: Manifest) {
        let proposals: [String: (record: ProposalRecord, sha256: SHA256Digest)] = read(.proposal)
        let reviews: [String: (record: ReviewRecord, sha256: SHA256Digest)] = read(.review)
        var accepted: [String: String] = [:]
        let lineage: [VersionRecord]
        do {
            lineage = try package.lineage(to: manifest.version)
        } catch {
            if !proposals.isEmpty || !reviews.isEmpty {
                add(.error, .proposalVersionMismatch, path: PackageLayout.manifest,
                    "proposals and reviews cannot be checked against the versions that accept them: \(error)")
            }
            return
        }
        for record in lineage {
            guard let acceptance = record.proposal else { continue }
            let path = PackageLayout.versionRecord(record.version)
            if let earlier = accepted[acceptance.id] {
                add(.error, .proposalVersionMismatch, path: path, pointer: "/proposal/id",
                    "version \(record.version) accepts proposal \(acceptance.id), which version \(earlier) already accepted; a proposal is accepted once")
            }
            accepted[acceptance.id] = record.version
            guard let proposal = proposals[acceptance.id], proposal.sha256 == acceptance.proposalSHA256 else {
                add(.error, .reviewTargetMissing, path: path, pointer: "/proposal",
                    "version \(record.version) accepts proposal \(acceptance.id) with record SHA-256 \(acceptance.proposalSHA256.hex), but \(SideRecordKind.proposal.file(acceptance.id)) \(proposals[acceptance.id] == nil ? "is missing or unreadable" : "has another digest"); restore the proposal record")
                continue
            }
            checkAcceptedContent(record, proposal: proposal.record, id: acceptance.id)
        }
        for (id, review) in reviews.sorted(by: { $0.key < $1.key }) {
            let path = SideRecordKind.review.file(id)
            if proposals[review.record.proposal]?.sha256 != review.record.proposalSHA256 {
                add(.error, .reviewTargetMissing, path: path, pointer: "/proposal",
                    "review \(id) rejects proposal \(review.record.proposal), whose record \(proposals[review.record.proposal] == nil ? "does not exist or cannot be read" : "has another SHA-256 than the one reviewed"); restore the proposal record or remove the review")
            }
            if let version = accepted[review.record.proposal] {
                add(.error, .proposalVersionMismatch, path: path, pointer: "/proposal",
                    "review \(id) rejects proposal \(review.record.proposal), which version \(version) accepted; a proposal is reviewed once")
            }
        }
        let rejected = Set(reviews.values.map(\.record.proposal))
        for (id, proposal) in proposals.sorted(by: { $0.key < $1.key }) where accepted[id] == nil && !rejected.contains(id) {
            add(.info, .proposalOpen, path: SideRecordKind.proposal.file(id),
                "proposal \(id) by \(AnnotatorCredit.display(proposal.record.author)) (on version \(proposal.record.baseVersion): \(proposal.record.reason)) awaits review: `mifa review <package> \(id) --accept|--reject --reason TEXT --reviewer NAME`")
        }
    }

    /// Flags: each resolution naming an existing flag; open flags as info.
    mutating func checkFlags() {
        let flags: [String: (record: FlagRecord, sha256: SHA256Digest)] = read(.flag)
        let resolved = Set(flags.values.compactMap(\.record.resolves))
        for (id, flag) in flags.sorted(by: { $0.key < $1.key }) {
            if let target = flag.record.resolves {
                if flags[target] == nil || flags[target]?.record.resolves != nil {
                    add(.error, .reviewTargetMissing, path: SideRecordKind.flag.file(id), pointer: "/resolves",
                        "\(id) resolves '\(target)', which is not a flag of the package; restore the flag record or remove the resolution")
                }
            } else if !resolved.contains(id) {
                add(.info, .flagOpen, path: SideRecordKind.flag.file(id),
                    "flag \(id) (version \(flag.record.version)\(flag.record.by.map { ", by \($0)" } ?? "")): \(flag.record.reason); resolve it with `mifa flag <package> --resolve \(id) --reason TEXT`")
            }
        }
    }

    /// The accepted version holds every file change of the proposal (other than mifa.json) and credits its author.
    mutating func checkAcceptedContent(_ record: VersionRecord, proposal: ProposalRecord, id: String) {
        let path = PackageLayout.versionRecord(record.version)
        let base: FileList, version: FileList, proposed: FileList
        do {
            base = try package.fileList(of: proposal.baseVersion)
            version = try package.fileList(of: record.version)
            proposed = try FileList.decode(package.objects.read(proposal.manifestSHA256), file: PackageLayout.object(proposal.manifestSHA256))
        } catch {
            add(.error, .proposalVersionMismatch, path: path, pointer: "/proposal",
                "the acceptance of proposal \(id) by version \(record.version) cannot be checked: \(error)")
            return
        }
        let changes = FileChanges(from: base, to: proposed)
        let differing = (changes.added + changes.removed + changes.modified).filter { $0 != PackageLayout.metadata && version.files[$0] != proposed.files[$0] }
        if let first = differing.first {
            add(.error, .proposalVersionMismatch, path: path, pointer: "/proposal",
                "version \(record.version) says it is proposal \(id), but \(differing.count) file\(differing.count == 1 ? "" : "s") the proposal changes differ in it (first: \(first)); the version or the proposal was altered")
        }
        if record.setCredits?.isEmpty == false && !record.creditedAnnotators.contains(where: { $0.isSamePerson(as: proposal.author) }) {
            add(.error, .proposalVersionMismatch, path: path, pointer: "/credited_annotators",
                "version \(record.version) accepted proposal \(id) but does not credit its author \(AnnotatorCredit.display(proposal.author))")
        }
    }

    /// The records of a kind that are intact; the others become `proposal-record-edited` errors.
    mutating func read<Record: Decodable>(_ kind: SideRecordKind) -> [String: (record: Record, sha256: SHA256Digest)] {
        var result: [String: (record: Record, sha256: SHA256Digest)] = [:]
        let ids: [String]
        do {
            ids = try package.sideRecordIDs(kind)
        } catch {
            add(.error, .unreadable, path: kind.folder, "\(kind.folder) cannot be listed: \(error)")
            return [:]
        }
        for id in ids where kind.isID(id) {
            do {
                result[id] = try package.sideRecord(kind, id, as: Record.self)
            } catch let error as PackageError {
                add(.error, .proposalRecordEdited, path: kind.file(id), pointer: error.context.pointer, "\(kind.rawValue) \(id): \(error.message)")
            } catch {
                add(.error, .proposalRecordEdited, path: kind.file(id), "\(kind.rawValue) \(id): \(error)")
            }
        }
        return result
    }
}
