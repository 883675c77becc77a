import ArgumentParser
import MIFACore
import RasterIO
import Zarr

/// `mifa zarr export <array> <out.npy> [--region 0:10,0:512,0:512]`.
struct ZarrExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a Zarr array, or a region of it, to a .npy file (C order, little-endian; string arrays as NumPy <U strings).")

    @Argument(help: "The Zarr array: a directory, zip path or URL.")
    var array: String

    @Argument(help: "The .npy file to write.")
    var output: String

    @Option(help: ArgumentHelp("NumPy-style slices per axis, e.g. 0:10,0:512,0:512 (missing axes mean all).", valueName: "slices"))
    var region: String?

    @OptionGroup var concurrency: ZarrConcurrencyOptions

    @OptionGroup var memory: MemoryOptions

    @OptionGroup var http: HTTPOptions

    @OptionGroup var durability: DurabilityOptions

    /// Chunks decode straight into the mapped output file: no array in memory, no copy.
    func run() throws {
        let location = try ZarrLocation.forReading(array, http: http.limits)
        let zarr = try ZarrArray.open(location.store, path: location.path)
        let selected = try region.map { try Region(parsing: $0, shape: zarr.shape) } ?? Region(shape: zarr.shape)
        try Self.writeNPY(zarr, region: selected, to: output, maxBytes: memory.bytes, durable: durability.durable, threads: concurrency.threads)
    }

    /// Writes `selected` of `zarr` to the `.npy` at `output`, decoded straight into the mapped file.
    /// Every type NumPy has is written as it is stored (float16 and complex too: the .npy names
    /// them); raw bits (r16...) have no NumPy number type and are refused, saying what to do.
    /// String arrays become NumPy `<U{n}` arrays (n the longest string in code points), as
    /// `numpy.asarray(arr[...], dtype=str)` makes them; byte-string arrays are refused.
    static func writeNPY(_ zarr: ZarrArray, region selected: Region, to output: String, maxBytes: Int, durable: Bool, threads: Int?) throws {
        switch zarr.dataType {
        case .string:
            return try NPYFile.write(try zarr.readStrings(selected, maxBytes: maxBytes), to: output, durable: durable)
        case .variableBytes:
            throw ZarrError(.unsupportedExtension, "'\(zarr.path.isEmpty ? "/" : zarr.path)' holds variable-length bytes, which `mifa zarr export` does not write (a NumPy bytes array would drop trailing zero bytes); read it with zarr-python",
                            context: ErrorContext(file: zarr.store.location, key: zarr.path))
        default:
            break
        }
        if case .raw = zarr.dataType { _ = try zarr.numericType() }
        try zarr.checkRead(selected, maxBytes: maxBytes)
        try NPYFile.write(to: output, typeString: zarr.dataType.v2String(.native), elementSize: zarr.dataType.byteSize,
                          shape: selected.shape, durable: durable) { data in
            try zarr.readBytes(selected, into: data, concurrency: threads)
        }
    }
}
