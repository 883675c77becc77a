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

/// The `--durable` flag of the commands that export one file (`zarr export`, `omezarr export`,
/// `raster convert`).
///
/// Every export appears atomically (a temporary renamed into place; a failed export leaves no
/// file); only a durable one is also synced to disk before the command exits, which costs the
/// time the disk takes to write it.
struct DurabilityOptions: ParsableArguments {
    @Flag(help: "Sync the exported file and its folder to disk before exiting, so that it survives a crash or power loss at once (slower).")
    var durable = false
}
