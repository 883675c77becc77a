import ArgumentParser
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel

/// `mifa version <package> --version V --changes TEXT [...]`: makes a new immutable version of a package.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Make a new immutable version of a package (metadata, annotations, credit).",
        discussion: """
            The new version starts as a copy of the current one; --metadata replaces mifa.json (YAML or \
            JSON; it must validate and is stored normalised), --annotations SET=FILE adds or replaces a \
            vector annotation set from any format `mifa convert` reads (stored as \
            annotations/SET/annotations.geojson; its images must be images of the package); when SET is \
            a raster set (label images images/<id>/labels/SET/), masks (PNG, TIFF, .npy files or a folder \
            of them, named after their images) replace the label images of the images they name, and \
            the record lists the label objects added, removed and changed (<image>:<value>), \
            --remove-annotations SET removes one. mifa.json's version module becomes {version, \
            timestamp, changes, previous_version}. The record (versions/V.json) credits every \
            annotator of the previous version plus the new ones and lists the files and the objects \
            per annotation set added, removed and changed (objects without ids paired by IoU >= 0.5). \
            A new annotator is credited on the annotation sets they changed: --annotator \
            "First Last <ORCID>=set1,cells" (a set is the set_id of its mifa.json entry, else setN for \
            annotations[N-1]; each set named \
            must have objects added, removed or changed by this version); without =SETS, on the one \
            set the version changes (refused when it changes several or none). They are added to \
            those sets' authors in mifa.json and the record keeps who is credited on which set \
            (set_credits); their roles are --role (CRediT roles or DataCite contributor types; \
            default "data annotation"). A version whose metadata drops an annotator credited before \
            is refused unless --force --reason TEXT, and the removal is then recorded. Time stamps \
            must increase along the chain (SOURCE_DATE_EPOCH, if set, is used as the time). Replaced \
            files are kept, so `mifa checkout` restores any version. On an s3:// package the version is \
            made on a local copy of its metadata, records and annotations (image data stays in the \
            bucket: it is neither downloaded nor uploaded again) and what changed is committed with \
            one conditional write: a writer \
            killed at any moment leaves the old or the new version, and of two concurrent writers one \
            wins, the other exits 1 having changed nothing. Exit 0: made; 1: refused or \
            invalid input (the package is unchanged); 2: usage error.
            """)

    @Argument(help: "The package: a folder or an s3://bucket/prefix URL.")
    var package: String

    @Option(name: .customLong("version"), help: ArgumentHelp("The new version id (letters, digits, '.', '_', '-'; not used before).", valueName: "V"))
    var versionID: String

    @Option(help: ArgumentHelp("What changed, in words; kept in the record and in mifa.json.", valueName: "TEXT"))
    var changes: String

    @OptionGroup var content: VersionEditOptions

    @Option(help: ArgumentHelp("Credit a new annotator on the sets they changed: \"First Last <0000-0002-1825-0097>=set1,set2\" (ORCID optional; without =SETS, the one set this version changes); repeatable.", valueName: "ANNOTATOR"))
    var annotator: [String] = []

    @Option(help: ArgumentHelp("The role of every --annotator of this version: a CRediT role or DataCite contributor type (default \"data annotation\"); repeatable.", valueName: "ROLE"))
    var role: [String] = []

    @Option(name: .customLong("remove-credit"), help: ArgumentHelp("Remove an annotator's credit by ORCID iD or \"First Last\"; needs --force and --reason; repeatable.", valueName: "ORCID_OR_NAME"))
    var removeCredit: [String] = []

    @Flag(help: "Allow removing credit (explicitly, or because the new metadata drops someone); needs --reason.")
    var force = false

    @Option(help: ArgumentHelp("Why credit is removed; recorded with each removal.", valueName: "TEXT"))
    var reason: String?

    @Flag(help: "Print the new version record as one JSON document.")
    var json = false

    func validate() throws {
        if (!removeCredit.isEmpty || force) && (reason ?? "").allSatisfy(\.isWhitespace) {
            throw ValidationError("removing credit needs --force and --reason TEXT")
        }
        if !removeCredit.isEmpty && !force { throw ValidationError("--remove-credit needs --force (and --reason TEXT)") }
        if !role.isEmpty && annotator.isEmpty { throw ValidationError("--role gives the role of --annotator; give --annotator too") }
    }

    func run() throws {
        let roles = role.isEmpty ? [ContributorRole.annotation] : role
        let request = VersionRequest(
            version: versionID, changes: changes, edits: content.edits, annotators: try annotator.map { try AnnotatorCredit.parseGrant($0, roles: roles) },
            creditRemovals: removeCredit, force: force, reason: reason)
        let record = try PackagePath.change(package, command: "version") { try VersionMaker.make(request, in: $0) }
        if json {
            print(try CanonicalJSON.string(record), terminator: "")
            return
        }
        let files = record.changeSummary.files
        print("made version \(record.version) of \(package) (after \(record.previousVersion ?? "-")): \(record.fileCount) files, \(record.totalBytes) bytes")
        print("  files: \(files.added.count) added, \(files.removed.count) removed, \(files.modified.count) modified")
        printObjectChanges(record.changeSummary.annotations)
        print("  credited: \(record.creditedAnnotators.map(AnnotatorCredit.display).joined(separator: "; "))")
        for (set, people) in (record.setCredits ?? [:]).sorted(by: { $0.key < $1.key }) {
            print("  credited on \(set) for this version: \(people.map(AnnotatorCredit.display).joined(separator: "; "))")
        }
        for removal in record.creditRemoved { print("  credit removed: \(AnnotatorCredit.display(removal.annotator)) (reason: \(removal.reason))") }
    }
}

/// Prints per-set object changes, two spaces in.
func printObjectChanges(_ annotations: [String: ObjectChanges]) {
    for set in annotations.keys.sorted() {
        let changes = annotations[set]!
        var line = "  annotations '\(set)': \(changes.added.count) added, \(changes.removed.count) removed, \(changes.changed.count) changed"
        if changes.matchedByIoU > 0 { line += " (\(changes.matchedByIoU) objects without ids paired by IoU)" }
        print(line)
        for (sign, names) in [("+", changes.added), ("-", changes.removed), ("~", changes.changed)] where !names.isEmpty {
            let shown = names.prefix(20).joined(separator: ", ")
            print("    \(sign) \(shown)\(names.count > 20 ? ", ... (\(names.count - 20) more; --json lists all)" : "")")
        }
    }
}
