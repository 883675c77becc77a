import ArgumentParser
import DatasetPackage
import MIFACore
import MIFAModel

/// `mifa propose <package> --version V --changes TEXT --author PERSON --reason TEXT [...]`: records a
/// candidate version without changing the current one.
struct ProposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a change to a package (a candidate version) without changing the current version.",
        discussion: """
            Takes the content options of `mifa version` (--metadata, --annotations SET=FILE, \
            --remove-annotations SET), applies them to a copy of the current version and checks the \
            result as `mifa version` does. The files it adds or changes and its file list go to the \
            object store; the record goes to versions/proposals/<id>.json (id: p- and the first 16 hex \
            digits of the record file's SHA-256) with the author, reason, base version and time, and \
            the objects it adds, removes and changes per set. The current version is not changed. \
            `mifa review` accepts it (it becomes the next version, crediting the author on the sets it \
            changes) or rejects it. Exit 0: recorded (the id is printed); 1: refused or invalid input \
            (nothing is written); 2: usage error.
            """)

    @Argument(help: "The package: a folder or an s3://bucket/prefix URL.")
    var package: String

    @Option(name: .customLong("version"), help: ArgumentHelp("The version id it would become (letters, digits, '.', '_', '-'; not used yet).", valueName: "V"))
    var versionID: String

    @Option(help: ArgumentHelp("What it changes, in words; the version's changes text if accepted.", valueName: "TEXT"))
    var changes: String

    @OptionGroup var content: VersionEditOptions

    @Option(help: ArgumentHelp("Who proposes it: \"First Last <0000-0002-1825-0097>\" (ORCID optional).", valueName: "PERSON"))
    var author: String

    @Option(help: ArgumentHelp("The author's role if accepted: a CRediT role or DataCite contributor type (default \"data annotation\"); repeatable.", valueName: "ROLE"))
    var role: [String] = []

    @Option(help: ArgumentHelp("Why the change is proposed.", valueName: "TEXT"))
    var reason: String

    @Flag(help: "Print {id, proposal: record} as one JSON document.")
    var json = false

    struct Document: Encodable {
        var id: String
        var proposal: ProposalRecord
    }

    func run() throws {
        let person = try AnnotatorCredit.parseAnnotator(author, roles: role.isEmpty ? [ContributorRole.annotation] : role)
        let request = VersionRequest(version: versionID, changes: changes, edits: content.edits)
        let made = try PackagePath.change(package, command: "propose") { try ProposalMaker.propose(request, author: person, reason: reason, in: $0) }
        if json {
            print(try CanonicalJSON.string(Document(id: made.id, proposal: made.record)), terminator: "")
            return
        }
        let files = made.record.changeSummary.files
        print("proposal \(made.id) on version \(made.record.baseVersion) of \(package) by \(AnnotatorCredit.display(person)) (would become version \(made.record.version))")
        print("  files: \(files.added.count) added, \(files.removed.count) removed, \(files.modified.count) modified")
        printObjectChanges(made.record.changeSummary.annotations)
        print("  the current version is unchanged; review it with `mifa review \(package) \(made.id) --accept|--reject --reason TEXT --reviewer NAME`")
    }
}
