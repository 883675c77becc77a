import ArgumentParser
import MIFACore
import OMEZarr

/// `mifa omezarr export <image> <out.npy> [--level N] [--region ...] [--label NAME]`.
struct OMEZarrExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a region of one level of an OME-Zarr image (or of one of its labels) to a .npy file.")

    @Argument(help: "The OME-Zarr image: a directory, zip path or URL.")
    var image: String

    @Argument(help: "The .npy file to write.")
    var output: String

    @Option(help: "The level, 0 for the highest resolution.")
    var level: Int = 0

    @Option(help: ArgumentHelp("NumPy-style slices per axis of the level, e.g. 0:1,0:10,0:512,0:512 (missing axes mean all).", valueName: "slices"))
    var region: String?

    @Option(help: "Export the label image labels/NAME instead (its pixels must be integers).")
    var label: String?

    @OptionGroup var widening: WideningOption

    @OptionGroup var concurrency: ZarrConcurrencyOptions

    @OptionGroup var memory: MemoryOptions

    @OptionGroup var http: HTTPOptions

    func validate() throws {
        guard level >= 0 else { throw ValidationError("--level must be 0 or more") }
    }

    @OptionGroup var durability: DurabilityOptions

    /// Written as `mifa zarr export` writes (``ZarrExportCommand/writeNPY(_:region:to:widenedTo:maxBytes:durable:threads:)``).
    func run() throws {
        let location = try ZarrLocation.forReading(image, http: http.limits)
        var opened = try OMEZarrImage.open(location.store, path: location.path)
        if let label { opened = try opened.openLabel(label) }
        let chosen = try opened.level(level)
        let selected = try region.map { try Region(parsing: $0, shape: chosen.shape) } ?? Region(shape: chosen.shape)
        // The level's array is exported as `mifa zarr export` exports any array (float16 and complex too).
        try ZarrExportCommand.writeNPY(chosen.array, region: selected, to: output, widenedTo: widening.type, maxBytes: memory.bytes, durable: durability.durable,
                                       threads: concurrency.threads)
    }
}
