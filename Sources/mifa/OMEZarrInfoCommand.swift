import ArgumentParser
import MIFACore
import OMEZarr

/// `mifa omezarr info <path> [--json]`.
struct OMEZarrInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Summarise an OME-Zarr: version, kind, axes, levels with shapes, chunks and pixel sizes, channels, labels, plates.",
        discussion: "Exits 1 when the metadata breaks the OME-NGFF rules (the issues are listed with their JSON pointers).")

    @Argument(help: "The OME-Zarr group: a directory, zip path or URL.")
    var path: String

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var http: HTTPOptions

    func run() throws {
        let location = try ZarrLocation.forReading(path, http: http.limits)
        let summary = try OMEZarrSummary.describe(location.store, path: location.path)
        if json {
            print(String(decoding: try CanonicalJSON.encode(summary), as: UTF8.self), terminator: "")
        } else {
            print(OMEZarrReport.text(summary, title: path).joined(separator: "\n"))
        }
        if summary["valid"] == false { throw ExitCode(1) }
    }
}
