import ArgumentParser
import DatasetPackage
import MIFACore
import MIFAModel

/// `mifa credits <package> [--version V] [--json]`: who is credited for what, version by version.
struct CreditsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credits",
        abstract: "Who is credited, on which annotation sets, for how many objects in each version.",
        discussion: """
            Objects created, changed and removed are computed from the stored versions (each \
            version's annotation sets compared with the previous version's, as `mifa diff` does), \
            not taken from the records; who is credited for a version's changes to a set is the \
            record's set_credits (for records made before per-set credit: the authors the set gained \
            in that version's mifa.json, marked "derived"); a version that accepted a proposal credits \
            its author on the sets it changed and names the proposal and reviewer. An object whose \
            source names its annotator (property annotator: a CSV column or COCO field; \
            attributes.annotator: a CVAT attribute; metadata.annotator: QuPath object metadata; \
            "First Last <ORCID>") is credited to that person, the other objects to the set's \
            credited people. --json prints {version, versions, people, \
            objects}, objects giving every object's created_in and last_changed_in version \
            (Schemas/credit-history.schema.json). Exit 0: printed; 1: unknown version or unreadable package.
            """)

    @Argument(help: "The package: a folder, a .zip made by `mifa export --to zip`, an http(s):// or an s3://bucket/prefix URL.")
    var package: String

    @Option(name: .long, help: ArgumentHelp("Report up to this version of the lineage (default: the current one).", valueName: "V"))
    var version: String?

    @Flag(help: "Print one JSON document (Schemas/credit-history.schema.json).")
    var json = false

    func run() throws {
        let history = try DatasetPackage.open(package, readingFilesOnce: true).creditHistory(upTo: version)
        if json {
            print(try CanonicalJSON.string(history), terminator: "")
            return
        }
        print("credits of \(package) up to version \(history.version)")
        for person in history.people {
            let orcid = person.orcid.map { " ORCID \($0)" } ?? ""
            let roles = person.roles.isEmpty ? "" : " [\(person.roles.joined(separator: ", "))]"
            print("  \(person.name)\(orcid)\(roles): author of \(person.sets.isEmpty ? "no set" : person.sets.joined(separator: ", "))")
            for item in person.contributions {
                print("    version \(item.version), \(item.set): \(item.created) created, \(item.changed) changed, \(item.removed) removed")
            }
        }
        print("versions:")
        for entry in history.versions {
            print("  \(entry.version) (\(entry.timestamp))\(entry.derived ? " [credit derived from mifa.json]" : "")")
            for set in entry.sets.keys.sorted() {
                let credit = entry.sets[set]!
                let who = credit.credited.isEmpty ? "nobody credited" : credit.credited.map(AnnotatorCredit.display).joined(separator: "; ")
                print("    \(set): \(credit.created) created, \(credit.changed) changed, \(credit.removed) removed; \(who)")
                for named in credit.objectAnnotators ?? [] {
                    print("      of which named by the objects: \(AnnotatorCredit.display(named.annotator)): \(named.created) created, \(named.changed) changed")
                }
            }
            if let proposal = entry.proposal {
                print("    accepted proposal \(proposal.id) of \(AnnotatorCredit.display(proposal.author)), reviewed by \(AnnotatorCredit.display(proposal.reviewer))")
            }
            for removal in entry.creditRemoved { print("    credit removed: \(AnnotatorCredit.display(removal.annotator)) (reason: \(removal.reason))") }
        }
        let tracked = history.objects.values.reduce(0) { $0 + $1.count }
        print("objects with ids: \(tracked) (--json gives each one's created_in and last_changed_in)")
    }
}
