import ArgumentParser

/// `mifa zarr info|export|import`: inspect Zarr v2/v3 arrays and groups, and move arrays between
/// Zarr and NumPy `.npy` files.
struct ZarrCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zarr",
        abstract: "Inspect Zarr v2/v3 arrays and groups; export and import arrays as .npy.",
        discussion: """
            A Zarr path is a directory, a zip file (.zip or .ozx, optionally followed by a path \
            inside it: data.zip/labels/0), an http(s):// URL (read-only) or an s3://bucket/prefix URL \
            (credentials, region and endpoint from the AWS variables and ~/.aws files, as the AWS CLI reads them).
            """,
        subcommands: [ZarrInfoCommand.self, ZarrExportCommand.self, ZarrImportCommand.self])
}

/// Options every Zarr subcommand that reads or writes chunks shares.
struct ZarrConcurrencyOptions: ParsableArguments {
    @Option(name: .long, help: "Most chunks decoded or encoded at once (default: the number of processors).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }
}
