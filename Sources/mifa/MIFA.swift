import ArgumentParser

/// The `mifa` command: MIFA metadata, formats, OME-Zarr and packages from the shell.
@main
struct MIFA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mifa",
        abstract: "Make bioimage datasets AI-ready: MIFA metadata, annotations, OME-Zarr and packages.",
        subcommands: [])
}
