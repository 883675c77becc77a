import ArgumentParser
import DatasetPackage
import MIFACore
import MIFAModel

/// `mifa log <package> [--json]`: the version history of a package.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The history of a package: versions, time stamps, changes, credit and forced credit removals.",
        discussion: """
            Lists the lineage of the current version, first to last, from the version records: \
            each version's time stamp, changes text, files and objects changed, the annotators it \
            newly credits (and on which sets), credit removed by force, with the reason, and the \
            proposal a version accepted (author, reviewer); then every proposal (open, rejected or \
            accepted), rejection and flag (open or resolved). --json prints {versions: [version \
            record, ...], proposals, reviews, flags} (records as stored, Schemas/version-record.schema.json; \
            proposals, reviews and flags as {id, status, record}). \
            Exit 0: printed; 1: unreadable package or broken chain.
            """)

    @Argument(help: "The package: a folder, a .zip made by `mifa export --to zip`, an http(s):// or an s3://bucket/prefix URL.")
    var package: String

    @Flag(help: "Print one JSON document: {versions: [record, ...], proposals, reviews, flags}.")
    var json = false

    struct Document: Encodable {
        var versions: [VersionRecord]
        var proposals: [ProposalBook.Entry<ProposalRecord>]
        var reviews: [ProposalBook.Entry<ReviewRecord>]
        var flags: [ProposalBook.Entry<FlagRecord>]
    }

    func run() throws {
        let opened = try DatasetPackage.open(package)
        let chain = try opened.lineage()
        let book = try opened.proposalBook(lineage: chain)
        if json {
            print(try CanonicalJSON.string(Document(versions: chain, proposals: book.proposals, reviews: book.reviews, flags: book.flags)), terminator: "")
            return
        }
        var previous: [Author] = []
        for record in chain {
            let files = record.changeSummary.files
            print("version \(record.version)  \(record.timestamp)\(record.previousVersion.map { "  after \($0)" } ?? "")")
            print("  \(record.changes)")
            print("  files: \(files.added.count) added, \(files.removed.count) removed, \(files.modified.count) modified")
            for set in record.changeSummary.annotations.keys.sorted() {
                let changes = record.changeSummary.annotations[set]!
                print("  annotations '\(set)': \(changes.added.count) added, \(changes.removed.count) removed, \(changes.changed.count) changed")
            }
            let new = record.creditedAnnotators.filter { person in !previous.contains { $0.isSamePerson(as: person) } }
            if !new.isEmpty { print("  newly credited: \(new.map(AnnotatorCredit.display).joined(separator: "; "))") }
            for (set, people) in (record.setCredits ?? [:]).sorted(by: { $0.key < $1.key }) {
                print("  credited on \(set): \(people.map(AnnotatorCredit.display).joined(separator: "; "))")
            }
            for removal in record.creditRemoved { print("  credit removed by force: \(AnnotatorCredit.display(removal.annotator)) (reason: \(removal.reason))") }
            if let proposal = record.proposal {
                print("  accepted proposal \(proposal.id) by \(AnnotatorCredit.display(proposal.author)), reviewed by \(AnnotatorCredit.display(proposal.reviewer)): \(proposal.reason)")
            }
            previous = record.creditedAnnotators
        }
        for entry in book.proposals {
            let record = entry.record
            print("proposal \(entry.id)  \(record.timestamp)  on \(record.baseVersion)  \(entry.status)")
            print("  by \(AnnotatorCredit.display(record.author)): \(record.reason)")
            print("  \(record.changes)")
            for set in record.changeSummary.annotations.keys.sorted() {
                let changes = record.changeSummary.annotations[set]!
                print("  annotations '\(set)': \(changes.added.count) added, \(changes.removed.count) removed, \(changes.changed.count) changed")
            }
        }
        for entry in book.reviews {
            print("review \(entry.id)  \(entry.record.timestamp)  rejected proposal \(entry.record.proposal)")
            print("  by \(AnnotatorCredit.display(entry.record.reviewer)): \(entry.record.reason)")
        }
        for entry in book.flags {
            let record = entry.record
            let what = record.resolves.map { "resolves flag \($0)" } ?? "flag on version \(record.version), \(entry.status)"
            print("flag \(entry.id)  \(record.timestamp)  \(what)")
            print("  \(record.by.map { "\($0): " } ?? "")\(record.reason)")
        }
    }
}
