import ArgumentParser
import Foundation
import MIFACore
import RasterIO
import Zarr

/// `mifa zarr import <in.npy> <array> --zarr-format 2|3 --chunks 64,64 [--shards 512,512]
/// [--codec zstd:5 | blosc:lz4:5:shuffle | gzip:6 | none] [--order C|F]`.
struct ZarrImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write a .npy file as a new Zarr array in a directory.",
        discussion: """
            Codecs: none, zstd:LEVEL, blosc:CNAME:LEVEL:SHUFFLE (CNAME lz4, lz4hc, blosclz, zlib, zstd; \
            SHUFFLE noshuffle, shuffle, bitshuffle), gzip:LEVEL, zlib:LEVEL. With --shards (Zarr v3 only) \
            each shard holds inner chunks of --chunks, indexed at its end with a crc32c checksum.
            """)

    @Argument(help: "The .npy file to read.")
    var input: String

    @Argument(help: "The directory to create the Zarr array in.")
    var array: String

    @Option(name: .customLong("zarr-format"), help: "Zarr version to write: 2 or 3.")
    var zarrFormat: Int = 3

    @Option(help: ArgumentHelp("Chunk extent per axis, e.g. 64,64.", valueName: "extents"))
    var chunks: String

    @Option(help: ArgumentHelp("Shard extent per axis (Zarr v3), multiples of the chunks, e.g. 512,512.", valueName: "extents"))
    var shards: String?

    @Option(help: "Compression: none, zstd:LEVEL, blosc:CNAME:LEVEL:SHUFFLE, gzip:LEVEL or zlib:LEVEL.")
    var codec: String = "zstd:3"

    @Option(help: "Memory order inside chunks: C (row-major) or F (column-major).")
    var order: String = "C"

    @Flag(help: "Replace an existing Zarr node at the destination.")
    var overwrite = false

    @OptionGroup var concurrency: ZarrConcurrencyOptions

    func validate() throws {
        guard zarrFormat == 2 || zarrFormat == 3 else { throw ValidationError("--zarr-format must be 2 or 3") }
        guard order == "C" || order == "F" else { throw ValidationError("--order must be C or F") }
        _ = try Self.extents(chunks, option: "--chunks")
        if let shards {
            guard zarrFormat == 3 else { throw ValidationError("--shards needs --zarr-format 3") }
            _ = try Self.extents(shards, option: "--shards")
        }
        do {
            _ = try ArrayMetadata.Compressor(parsing: codec)
        } catch let error as ZarrError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let data = try NPYFile.read(path: input)
        let format: ZarrFormat = zarrFormat == 2 ? .v2 : .v3
        let metadata = try ArrayMetadata.make(
            format: format, shape: data.shape, dataType: ZarrDataType(data.dataType), chunks: try Self.extents(chunks, option: "--chunks"),
            shards: try shards.map { try Self.extents($0, option: "--shards") }, compressor: try ArrayMetadata.Compressor(parsing: codec),
            order: order == "F" ? .columnMajor : .rowMajor)
        let location = try ZarrLocation.forWriting(array)
        let zarr = try ZarrArray.create(location.store, path: location.path, metadata: metadata, overwrite: overwrite)
        try zarr.write(data, concurrency: concurrency.threads)
    }

    /// Parses `64,64` into positive extents.
    static func extents(_ text: String, option: String) throws -> [Int] {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("\(option) must be positive integers separated by commas, e.g. 64,64")
        }
        return values.map { $0! }
    }
}
