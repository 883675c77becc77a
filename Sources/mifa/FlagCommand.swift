import ArgumentParser
import DatasetPackage

/// `mifa flag <package> --reason TEXT [--by NAME] [--resolve ID]`: marks that a dataset needs updates.
struct FlagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Flag that a package needs updates, or resolve a flag.",
        discussion: """
            Writes versions/flags/<id>.json (id: f- and the first 16 hex digits of the file's \
            SHA-256) with the reason, who (--by), the current version and the time. A flag stays open \
            (`mifa audit` reports it as flag-open, `mifa log` lists it) until --resolve ID records \
            how it was dealt with; new versions do not close flags by themselves. Exit 0: recorded \
            (the id is printed); 1: refused; 2: usage error.
            """)

    @Argument(help: "The package: a folder or an s3://bucket/prefix URL.")
    var package: String

    @Option(help: ArgumentHelp("What needs updating (with --resolve: how it was dealt with).", valueName: "TEXT"))
    var reason: String

    @Option(help: ArgumentHelp("Who flags (or resolves) it.", valueName: "NAME"))
    var by: String?

    @Option(help: ArgumentHelp("Resolve the flag with this id instead of raising a new one.", valueName: "ID"))
    var resolve: String?

    func run() throws {
        let id = try PackagePath.change(package, command: "flag") { try ProposalMaker.flag(reason: reason, by: by, resolves: resolve, in: $0) }
        print(resolve.map { "resolved flag \($0) (\(id))" } ?? "flagged \(package): \(id)")
    }
}
