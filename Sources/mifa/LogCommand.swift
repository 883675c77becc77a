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
            newly credits (and on which sets) and credit removed by force, with the reason. --json \
            prints {versions: [version record, ...]} (the records as stored, Schemas/version-record.schema.json). \
            Exit 0: printed; 1: unreadable package or broken chain.
            """)

    @Argument(help: "The package: a folder, a .zip made by `mifa export --to zip`, an http(s):// or an s3://bucket/prefix URL.")
    var package: String

    @Flag(help: "Print one JSON document: {versions: [record, ...]}.")
    var json = false

    struct Document: Encodable {
        var versions: [VersionRecord]
    }

    func run() throws {
        let chain = try DatasetPackage.open(package).lineage()
        if json {
            print(try CanonicalJSON.string(Document(versions: chain)), terminator: "")
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
            previous = record.creditedAnnotators
        }
    }
}
