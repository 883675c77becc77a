import ArgumentParser
import MIFACore
import Zarr

/// `mifa zarr info <path> [--json]`.
struct ZarrInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a Zarr array or group: version, shape, type, chunks, shards, codecs, attributes, children.")

    @Argument(help: "A Zarr array or group: a directory, zip path or URL.")
    var path: String

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var http: HTTPOptions

    func run() throws {
        let location = try ZarrLocation.forReading(path, http: http.limits)
        let report = try ZarrReport.make(location.store, path: location.path)
        if json {
            print(String(decoding: try CanonicalJSON.encode(report), as: UTF8.self), terminator: "")
        } else {
            print(ZarrReport.text(report, title: path).joined(separator: "\n"))
        }
    }
}
