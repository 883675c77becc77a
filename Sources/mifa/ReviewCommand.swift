import ArgumentParser
import DatasetPackage
import MIFACore
import MIFAModel

/// `mifa review <package> <proposal> --accept|--reject --reason TEXT --reviewer PERSON`: decides on a proposal.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Accept a proposal (it becomes the next version) or reject it.",
        discussion: """
            --accept makes the proposal the next version (id: the proposed one, or --version V): its \
            changes to files other than mifa.json are applied to the current version, mifa.json is \
            the proposal's if it changed the metadata, the author is credited on the sets it changes \
            (set_credits), and the record's `proposal` names the proposal (id and record digest), \
            its author, the reviewer and the reason. If the package has moved past the proposal's \
            base version, it is refused when a file it changes was changed since (the sets or images \
            are named) or when both changed the metadata. --reject writes \
            versions/reviews/<id>.json with the reviewer and reason. A proposal is reviewed once. \
            Exit 0: done; 1: refused (nothing is written); 2: usage error.
            """)

    @Argument(help: "The package: a folder or an s3://bucket/prefix URL.")
    var package: String

    @Argument(help: "The proposal id (p-...).")
    var proposal: String

    @Flag(help: "Make the proposal the next version.")
    var accept = false

    @Flag(help: "Record that the proposal is rejected.")
    var reject = false

    @Option(help: ArgumentHelp("Why; kept in the record.", valueName: "TEXT"))
    var reason: String

    @Option(help: ArgumentHelp("Who reviews it: \"First Last <0000-0002-1825-0097>\" (ORCID optional).", valueName: "PERSON"))
    var reviewer: String

    @Option(name: .customLong("version"), help: ArgumentHelp("With --accept: the version id to use instead of the proposed one.", valueName: "V"))
    var versionID: String?

    func validate() throws {
        guard accept != reject else { throw ValidationError("give exactly one of --accept and --reject") }
        if reject && versionID != nil { throw ValidationError("--version goes with --accept") }
    }

    func run() throws {
        let person = try AnnotatorCredit.parseAnnotator(reviewer, roles: [])
        if reject {
            let id = try PackagePath.change(package, command: "review") { try ProposalMaker.reject(proposal, reviewer: person, reason: reason, in: $0) }
            print("rejected proposal \(proposal) (review \(id)); the current version is unchanged")
            return
        }
        let record = try PackagePath.change(package, command: "review") {
            try ProposalMaker.accept(proposal, reviewer: person, reason: reason, version: versionID, in: $0)
        }
        print("accepted proposal \(proposal) as version \(record.version) of \(package) (after \(record.previousVersion ?? "-"))")
        printObjectChanges(record.changeSummary.annotations)
        for (set, people) in (record.setCredits ?? [:]).sorted(by: { $0.key < $1.key }) {
            print("  credited on \(set): \(people.map(AnnotatorCredit.display).joined(separator: "; "))")
        }
    }
}
