import ArgumentParser
import DatasetPackage
import MIFACore

/// `mifa diff <package> <version-a> <version-b> [--json]`: what differs between two versions.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two versions of a package: files, annotation objects and credit.",
        discussion: """
            Works between any two versions, in either order, from their stored file lists and \
            content. Files: added (+), removed (-), modified (~). Objects per annotation set: vector \
            sets by annotation id, objects without ids paired by IoU >= 0.5 (named #<index>); label \
            images by label value (named <image>:<value>). Credit: annotators credited by one version \
            only. Metadata: the JSON pointers of mifa.json members added, removed or changed. Exit 0 \
            whether or not they differ; 1: unknown version or unreadable package.
            """)

    @Argument(help: "The package: a folder, a .zip made by `mifa export --to zip`, an http(s):// or an s3://bucket/prefix URL.")
    var package: String

    @Argument(help: "The version to compare from.")
    var versionA: String

    @Argument(help: "The version to compare to.")
    var versionB: String

    @Flag(help: "Print one JSON document: {from, to, files, annotations, credit, metadata}.")
    var json = false

    func run() throws {
        let diff = try DatasetPackage.open(package, readingFilesOnce: true).diff(from: versionA, to: versionB)
        if json {
            print(try CanonicalJSON.string(diff), terminator: "")
            return
        }
        print("diff \(package) \(versionA) -> \(versionB)\(diff.isEmpty ? ": no differences" : "")")
        let files = diff.files
        print("  files: \(files.added.count) added, \(files.removed.count) removed, \(files.modified.count) modified")
        for (sign, paths) in [("+", files.added), ("-", files.removed), ("~", files.modified)] {
            for path in paths.prefix(50) { print("    \(sign) \(path)") }
            if paths.count > 50 { print("    \(sign) ... \(paths.count - 50) more (--json lists all)") }
        }
        printObjectChanges(diff.annotations)
        for author in diff.credit.added { print("  credit + \(AnnotatorCredit.display(author))") }
        for author in diff.credit.removed { print("  credit - \(AnnotatorCredit.display(author))") }
        let metadata = diff.metadata
        if !metadata.isEmpty {
            print("  metadata (mifa.json): \(metadata.added.count) added, \(metadata.removed.count) removed, \(metadata.changed.count) changed")
            for (sign, pointers) in [("+", metadata.added), ("-", metadata.removed), ("~", metadata.changed)] {
                for pointer in pointers.prefix(50) { print("    \(sign) \(pointer)") }
                if pointers.count > 50 { print("    \(sign) ... \(pointers.count - 50) more (--json lists all)") }
            }
        }
    }
}
