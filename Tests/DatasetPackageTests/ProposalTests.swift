import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import Testing
import TestSupport

/// Proposals, reviews and flags on ``CreditFixture``'s package (set1: a, b, c; set2: p, q).
@Suite struct ProposalTests {
    static let people = ["Grace Hopper <0000-0001-5109-3671>", "Mina Okoye <0000-0002-7182-8185>", "Alan Turing"]
    static let reviewer = "Ada Lindqvist <0000-0002-9079-593X>"

    /// Minute `minute` of 2 January 2026, after the fixture's first version.
    static func time(_ minute: Int) -> String { String(format: "2026-01-02T%02d:%02d:00Z", minute / 60, minute % 60) }

    /// A proposal replacing `sets` with random squares (ids kept, positions random).
    static func propose(
        _ sets: [String], author: String, step: Int, package: DatasetPackage, folder: String, random: inout SeededGenerator
    ) throws -> (id: String, record: ProposalRecord) {
        var edits: [VersionEdit] = []
        for set in sets {
            let ids = set == "set1" ? ["a", "b", "c"] : ["p", "q"]
            let shapes = ids.map { (id: Optional($0), x: Double(Int.random(in: 0...24, using: &random)), y: Double(Int.random(in: 0...24, using: &random)), size: 4.0) }
            let file = try VersionFixture.file(try CreditFixture.setDocument(shapes), named: "step\(step)-\(set).geojson", in: folder)
            edits.append(.setAnnotations(set: set, file: file))
        }
        return try ProposalMaker.propose(
            VersionRequest(version: "v\(step)", changes: "moved objects of \(sets.joined(separator: ", "))", edits: edits, timestamp: time(step)),
            author: try AnnotatorCredit.parseAnnotator(author), reason: "closer to the nuclei", in: package)
    }

    /// Random sequences of propose, accept, reject, flag and resolve; after each step the chain,
    /// the statuses, the credit and the audit match a model of what should have happened.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomLifecyclesKeepChainCreditAndAuditConsistent(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let folder = try temporaryFolder()
        let package = try CreditFixture.makePackage(in: folder)
        let reviewer = try AnnotatorCredit.parseAnnotator(Self.reviewer, roles: [])
        var versions = ["1"]
        var changedIn: [String: Set<String>] = ["1": []]
        var open: [String: (record: ProposalRecord, sets: [String])] = [:]
        var rejected = Set<String>()
        var accepted: [String: String] = [:]
        var openFlags = Set<String>()
        for step in 1...12 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                let sets = [["set1"], ["set2"], ["set1", "set2"]].randomElement(using: &random)!
                let made = try Self.propose(sets, author: Self.people.randomElement(using: &random)!, step: step, package: package, folder: folder, random: &random)
                #expect(made.record.baseVersion == versions.last)
                #expect(made.record.changeSummary.annotations.keys.sorted() == sets)
                open[made.id] = (made.record, sets)
            case 4..<7 where !open.isEmpty:
                let id = open.keys.sorted().randomElement(using: &random)!
                let (record, sets) = open[id]!
                let later = versions.drop { $0 != record.baseVersion }.dropFirst()
                let conflicting = Set(later.flatMap { changedIn[$0]! }).intersection(sets).sorted()
                let before = try VersionFixture.snapshot(package.root)
                do {
                    let version = try ProposalMaker.accept(id, reviewer: reviewer, reason: "looks right", version: "v\(step)", timestamp: Self.time(step), in: package)
                    #expect(conflicting.isEmpty, "accepted \(id) although \(conflicting) changed since \(record.baseVersion)")
                    #expect(version.proposal?.id == id)
                    #expect(version.setCredits?.keys.sorted() == sets)
                    #expect(version.setCredits?.values.allSatisfy { $0.map(AnnotatorCredit.display) == [AnnotatorCredit.display(record.author)] } == true)
                    let proposed = try FileList.decode(package.objects.read(record.manifestSHA256), file: "proposal")
                    for set in sets {
                        #expect(try package.manifest().fileList.files[PackageLayout.annotationFile(set)] == proposed.files[PackageLayout.annotationFile(set)])
                    }
                    versions.append(version.version)
                    changedIn[version.version] = Set(sets)
                    accepted[id] = version.version
                    open[id] = nil
                } catch let error as PackageError {
                    #expect(!conflicting.isEmpty, "refused \(id): \(error.message)")
                    #expect(error.message.contains("no longer applies") && conflicting.allSatisfy { error.message.contains($0) })
                    expectUnchanged(package, before)
                }
            case 7 where !open.isEmpty:
                let id = open.keys.sorted().randomElement(using: &random)!
                try ProposalMaker.reject(id, reviewer: reviewer, reason: "not needed", timestamp: Self.time(step), in: package)
                rejected.insert(id)
                open[id] = nil
                #expect(throws: PackageError.self) { try ProposalMaker.accept(id, reviewer: reviewer, reason: "x", in: package) }
            case 8 where !openFlags.isEmpty:
                let id = openFlags.sorted().randomElement(using: &random)!
                try ProposalMaker.flag(reason: "fixed", by: "Ada", resolves: id, timestamp: Self.time(step), in: package)
                openFlags.remove(id)
            default:
                openFlags.insert(try ProposalMaker.flag(reason: "set2 misses nuclei", by: nil, timestamp: Self.time(step), in: package))
            }
            #expect(try package.lineage().map(\.version) == versions)
            let book = try package.proposalBook()
            #expect(Set(book.openProposals.map(\.id)) == Set(open.keys))
            var statuses: [String: String] = [:]
            for entry in book.proposals where accepted[entry.id] != nil { statuses[entry.id] = entry.status }
            #expect(statuses == accepted.mapValues { "accepted as \($0)" })
            #expect(Set(book.proposals.filter { $0.status == "rejected" }.map(\.id)) == rejected)
            #expect(Set(book.openFlags.map(\.id)) == openFlags)
            let history = try package.creditHistory()
            for (id, version) in accepted {
                let author = try package.sideRecord(.proposal, id, as: ProposalRecord.self).record.author
                let person = history.people.first { $0.orcid == author.orcidID.flatMap(ORCID.bareForm(of:)) && $0.name.hasSuffix(author.authorLastName ?? "") }
                #expect(person?.contributions.contains { $0.version == version } == true, "\(id) accepted as \(version) is not credited")
            }
            let findings = try PackageAuditor().audit(package.root).findings
            #expect(findings.filter { $0.severity == .error }.isEmpty, "seed \(seed) step \(step): \(findings.filter { $0.severity == .error })")
            #expect(findings.filter { $0.code == .proposalOpen }.count == open.count)
            #expect(findings.filter { $0.code == .flagOpen }.count == openFlags.count)
        }
    }

    @Test func blankReasonsAndEmptyProposalsAreRefusedAndWriteNothing() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makePackage(in: folder)
        let before = try VersionFixture.snapshot(package.root)
        let author = try AnnotatorCredit.parseAnnotator(Self.people[0])
        #expect(throws: PackageError.self) { try ProposalMaker.propose(VersionRequest(version: "2", changes: "nothing", timestamp: Self.time(1)), author: author, reason: "no edit", in: package) }
        #expect(throws: PackageError.self) { try ProposalMaker.flag(reason: "  ", by: nil, in: package) }
        #expect(throws: PackageError.self) { try ProposalMaker.flag(reason: "done", by: nil, resolves: "f-0000000000000000", in: package) }
        #expect(throws: PackageError.self) { try ProposalMaker.reject("p-0000000000000000", reviewer: author, reason: "no", in: package) }
        expectUnchanged(package, before)
        #expect(try package.sideRecordIDs(.proposal).isEmpty)
    }

    @Test func tamperingWithProposalsAndReviewsIsReported() throws {
        var random = SeededGenerator(seed: 9)
        let folder = try temporaryFolder()
        let package = try CreditFixture.makePackage(in: folder)
        let reviewer = try AnnotatorCredit.parseAnnotator(Self.reviewer, roles: [])
        let first = try Self.propose(["set1"], author: Self.people[0], step: 1, package: package, folder: folder, random: &random)
        let second = try Self.propose(["set2"], author: Self.people[1], step: 2, package: package, folder: folder, random: &random)
        let third = try Self.propose(["set2"], author: Self.people[2], step: 3, package: package, folder: folder, random: &random)
        try ProposalMaker.accept(first.id, reviewer: reviewer, reason: "good", timestamp: Self.time(4), in: package)
        try ProposalMaker.reject(second.id, reviewer: reviewer, reason: "duplicate", timestamp: Self.time(5), in: package)
        func errors() throws -> [AuditFinding.Code] { try PackageAuditor().audit(package.root).findings.filter { $0.severity == .error }.map(\.code) }
        #expect(try errors().isEmpty)

        // A version claiming to be the third proposal, with other content.
        let transaction = try PackageTransaction(package: package)
        try transaction.stageCurrentContent()
        let stored = try package.sideRecord(.proposal, third.id, as: ProposalRecord.self)
        _ = try transaction.commit { context in
            VersionRecord(
                version: "forged", timestamp: Self.time(6), changes: "x", previousVersion: nil, previousRecordSHA256: nil, manifestSHA256: context.fileListSHA256,
                fileCount: 0, totalBytes: 0, creditedAnnotators: context.previousRecord!.creditedAnnotators, changeSummary: ChangeSummary(),
                proposal: ProposalAcceptance(id: third.id, proposalSHA256: stored.sha256, author: third.record.author, reviewer: reviewer, reason: "x"))
        }
        #expect(try errors().filter { $0 == .proposalVersionMismatch }.count == 1)  // set2 differs from the proposal's

        // Edit the rejected proposal's reason; remove the accepted one.
        let secondFile = package.path(SideRecordKind.proposal.file(second.id))
        let text = try readFile(secondFile).replacingOccurrences(of: "closer to the nuclei", with: "closer to the nucleus")
        try writeFile(text, secondFile)
        try FileManager.default.removeItem(atPath: package.path(SideRecordKind.proposal.file(first.id)))
        let codes = try errors()
        #expect(codes.contains(.proposalRecordEdited))
        #expect(codes.filter { $0 == .reviewTargetMissing }.count == 2)  // the review of the edited one, version 2's acceptance of the removed one
        #expect(throws: PackageError.self) { try package.proposalBook() }
    }

    /// A version chain that cannot be read leaves proposals unchecked: the audit says so with the
    /// reason, instead of listing every proposal as open.
    @Test func anUnreadableChainIsNamedNotTakenForOpenProposals() throws {
        var random = SeededGenerator(seed: 11)
        let folder = try temporaryFolder()
        let package = try CreditFixture.makePackage(in: folder)
        let open = try Self.propose(["set1"], author: Self.people[0], step: 1, package: package, folder: folder, random: &random)
        func findings() throws -> [AuditFinding] { try PackageAuditor().audit(package.root).findings }
        #expect(try findings().contains { $0.code == .proposalOpen && $0.message.contains(open.id) })

        let current = try package.currentVersion()
        try writeFile("{", package.path(PackageLayout.versionRecord(current)))
        let after = try findings()
        #expect(!after.contains { $0.code == .proposalOpen })
        let named = after.filter { $0.code == .proposalVersionMismatch }
        #expect(named.count == 1)
        #expect(named.first?.message.contains("cannot be checked") == true)
    }
}
