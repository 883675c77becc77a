import ArgumentParser

/// `mifa omezarr info|from-tiff`: inspect any OME-Zarr (NGFF 0.4 or 0.5) and convert TIFFs into one.
struct OMEZarrCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omezarr",
        abstract: "Inspect OME-Zarr (OME-NGFF 0.4/0.5) images, labels, plates; convert TIFF files into OME-Zarr; export levels.",
        discussion: """
            An OME-Zarr path is a directory, a zip file (.zip or .ozx, optionally followed by a path \
            inside it), an http(s):// URL (read-only) or an s3://bucket/prefix URL (credentials, region and \
            endpoint from the AWS variables and ~/.aws files, as the AWS CLI reads them).
            """,
        subcommands: [OMEZarrInfoCommand.self, OMEZarrFromTIFFCommand.self, OMEZarrExportCommand.self])
}
