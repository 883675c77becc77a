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

    @OptionGroup var widening: WideningOption

    @OptionGroup var concurrency: ZarrConcurrencyOptions

    @OptionGroup var memory: MemoryOptions

    @OptionGroup var http: HTTPOptions

    @OptionGroup var durability: DurabilityOptions

    /// Bands of chunks decode into reused buffers written into the output file: no array in memory.
    func run() throws {
        let location = try ZarrLocation.forReading(array, http: http.limits)
        let zarr = try ZarrArray.open(location.store, path: location.path)
        let selected = try region.map { try Region(parsing: $0, shape: zarr.shape) } ?? Region(shape: zarr.shape)
        try Self.writeNPY(zarr, region: selected, to: output, widenedTo: widening.type, maxBytes: memory.bytes,
                          durable: durability.durable, threads: concurrency.threads)
    }

    /// Writes `selected` of `zarr` to the `.npy` at `output`: each thread decodes bands of whole rows
    /// of chunks (``ZarrArray/bands(of:targetBytes:maxBytes:)``) into one reused buffer and writes
    /// it at its place in the file (a whole-page write costs half the CPU of first stores to a
    /// fresh mapping); regions whose rows of chunks are too large for that are decoded straight
    /// into a mapping of the file instead.
    /// Every type NumPy has is written as it is stored (float16 and complex too: the .npy names
    /// them); raw bits (r16...) have no NumPy number type and are refused, saying what to do.
    /// String arrays become NumPy `<U{n}` arrays (n the longest string in code points), as
    /// `numpy.asarray(arr[...], dtype=str)` makes them; byte-string arrays are refused.
    /// With `widenedTo`, floats are written as that wider float type (float16 to float32, say).
    static func writeNPY(_ zarr: ZarrArray, region selected: Region, to output: String, widenedTo target: DataType? = nil,
                         maxBytes: Int, durable: Bool, threads: Int?) throws {
        if let target {
            return try writeWidened(zarr, region: selected, to: output, type: target, maxBytes: maxBytes, durable: durable, threads: threads)
        }
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
        let typeString = zarr.dataType.v2String(.native)
        guard let bands = zarr.bands(of: selected) else {
            // Rows of chunks too large for a buffer per thread: decode into a mapping of the file.
            return try NPYFile.write(to: output, typeString: typeString, elementSize: zarr.dataType.byteSize,
                                     shape: selected.shape, durable: durable) { data in
                try zarr.readBytes(selected, into: data, concurrency: threads)
            }
        }
        try NPYFile.write(to: output, typeString: typeString, elementSize: zarr.dataType.byteSize, shape: selected.shape, durable: durable) { writer in
            try zarr.readBytes(bands, concurrency: threads) { band, offset in try writer.write(band, at: offset) }
        }
    }

    /// Writes `selected` of a float array as the wider float type `type`, exactly as NumPy's
    /// `astype` widens (every float16 and float32 value has an exact float32/float64 value).
    /// - Throws: ``ZarrError`` `.unsupportedExtension` naming the array when its type is not a
    ///   float, or `type` is narrower than it; read errors.
    static func writeWidened(_ zarr: ZarrArray, region selected: Region, to output: String, type target: DataType,
                             maxBytes: Int, durable: Bool, threads: Int?) throws {
        let source = try zarr.numericType()
        guard source.isFloatingPoint, target.byteSize >= source.byteSize else {
            throw ZarrError(.unsupportedExtension, "--dtype \(target.rawValue) only widens floats (float16 to float32 or float64, float32 to float64); '\(zarr.path.isEmpty ? "/" : zarr.path)' holds \(source.rawValue), which it would \(source.isFloatingPoint ? "narrow" : "convert"); export without --dtype",
                            context: ErrorContext(file: zarr.store.location, key: zarr.path))
        }
        try zarr.checkRead(selected, maxBytes: maxBytes)
        let values = try zarr.read(selected, concurrency: threads, maxBytes: maxBytes)
        try NPYFile.write(to: output, dataType: target, shape: selected.shape, durable: durable, filling: { buffer in
            func store<Source: NDArrayElement>(_ array: NDArray<Source>, _ convert: (Source) -> Double) {
                if target == .float32 {
                    for (i, value) in array.elements.enumerated() { buffer.storeBytes(of: Float(convert(value)), toByteOffset: 4 * i, as: Float.self) }
                } else {
                    for (i, value) in array.elements.enumerated() { buffer.storeBytes(of: convert(value), toByteOffset: 8 * i, as: Double.self) }
                }
            }
            switch values {
            case .float16(let array): store(array) { Double($0) }
            case .float32(let array): store(array) { Double($0) }
            case .float64(let array): store(array) { $0 }
            default: break  // refused above: the source is a float
            }
        })
    }
}

/// `--dtype float32|float64`: widen floats on export, for tools without float16.
struct WideningOption: ParsableArguments {
    @Option(name: .customLong("dtype"), help: ArgumentHelp("Write floats widened to this type: float32 or float64 (float16 to float32, say); narrowing and integer conversions are refused.", valueName: "type"))
    var name: String?

    /// The chosen type, `nil` to write the array's own type.
    var type: DataType? {
        name.flatMap { DataType(rawValue: $0) }
    }

    func validate() throws {
        guard let name else { return }
        guard name == "float32" || name == "float64" else {
            throw ValidationError("--dtype must be float32 or float64 (exports widen floats only), not '\(name)'")
        }
    }
}
