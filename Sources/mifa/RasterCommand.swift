import ArgumentParser
import Foundation
import MIFACore
import RasterIO

/// `mifa raster info|convert`: inspect and convert PNG, TIFF and `.npy` rasters.
struct RasterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raster",
        abstract: "Inspect and convert PNG, TIFF and .npy rasters",
        discussion: """
            Axes use the letters T (time), Z (depth, or the pages of a plain TIFF stack), C (channel), \
            Y, X and S (the samples of one pixel, e.g. RGB). ImageJ hyperstacks keep ImageJ's order TZCYX.
            """,
        subcommands: [RasterInfoCommand.self, RasterConvertCommand.self])
}

/// `--max-memory` for commands that decode rasters: the largest decoded array (a page, a stack,
/// a PNG, an `.npy`) read into memory. A header can claim any size, so claims over it are refused
/// before anything is allocated.
struct RasterMemoryOptions: ParsableArguments {
    @Option(name: .customLong("max-memory"),
            help: ArgumentHelp("Largest decoded raster read into memory, e.g. 8G (default 2G); a file's header can claim any size, so larger ones are refused unless this is raised.", valueName: "size"))
    var maxMemory: ByteSize?

    /// The reader limits these options set.
    var limits: ReadLimits { ReadLimits(maxBytes: maxMemory?.bytes ?? ReadLimits.defaultMaxBytes) }
}

/// `mifa raster info <file> [--json]`.
struct RasterInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a raster's pages, shape, type, axes, compression, tiling, byte order and pixel sizes.")

    @Argument(help: "A .png, .tif/.tiff or .npy file.")
    var file: String

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var memory: RasterMemoryOptions

    func run() throws {
        let report = try RasterReport.make(file, limits: memory.limits)
        if json {
            let text = JSONWriter.bytes(of: .object(report.json), options: JSONWriter.Options(prettyPrinted: true), sortingKeys: true)
            print(String(decoding: text, as: UTF8.self))
        } else {
            print(report.lines.joined(separator: "\n"))
        }
    }
}

/// `mifa raster convert <in> <out> [options]`.
struct RasterConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert between PNG, TIFF and .npy (the format follows each file's extension).",
        discussion: """
            A TIFF is read as its whole stack (ImageJ hyperstack axes when declared, pages as Z \
            otherwise) unless --page, or --series and --level (a series or pyramid level as tifffile \
            reads it), is given. A PNG holds one YX or YXS plane of uint8 or uint16.
            """)

    @Argument(help: "The input: .png, .tif/.tiff or .npy.")
    var input: String

    @Argument(help: "The output: .png, .tif/.tiff or .npy.")
    var output: String

    @Option(help: "TIFF compression: none, packbits, lzw, deflate or zstd.")
    var compression: String = "none"

    @Option(help: ArgumentHelp("Write a tiled TIFF with tiles of WIDTH,HEIGHT pixels (multiples of 16).", valueName: "width,height"))
    var tile: String?

    @Option(name: .customLong("rows-per-strip"), help: "Write a striped TIFF with this many rows per strip.")
    var rowsPerStrip: Int?

    @Flag(name: .customLong("bigtiff"), help: "Write BigTIFF (64-bit offsets).")
    var bigTIFF = false

    @Flag(help: "Apply the TIFF horizontal or floating-point predictor (with lzw, deflate or zstd).")
    var predictor = false

    @Option(name: .customLong("byte-order"), help: "TIFF byte order: little or big.")
    var byteOrder: String = "little"

    @Option(help: "Read only this page (0-based) of a TIFF input.")
    var page: Int?

    @Option(help: "Read this series (0-based) of a TIFF input as tifffile's series[N] reads it; `mifa raster info` lists them.")
    var series: Int?

    @Option(help: "Read this pyramid level (0 = full resolution) of the series (series 0 unless --series), as tifffile's series[N].levels[L].")
    var level: Int?

    @Option(help: "Override the input's axes, e.g. TZCYX for a 5-D .npy (letters T, Z, C, Y, X, S).")
    var axes: String?

    @OptionGroup var durability: DurabilityOptions

    @OptionGroup var memory: RasterMemoryOptions

    func validate() throws {
        guard let outputFormat = RasterFormat(path: output) else {
            throw ValidationError("cannot tell the output format from '\(output)'; end it in .png, .tif, .tiff or .npy")
        }
        guard TIFFWriteOptions.Compression(rawValue: compression) != nil else {
            throw ValidationError("--compression must be one of none, packbits, lzw, deflate, zstd, not '\(compression)'")
        }
        guard byteOrder == "little" || byteOrder == "big" else {
            throw ValidationError("--byte-order must be little or big, not '\(byteOrder)'")
        }
        if let tile {
            guard Self.parseTile(tile) != nil else {
                throw ValidationError("--tile must be two positive multiples of 16 as WIDTH,HEIGHT, e.g. 256,256, not '\(tile)'")
            }
            guard rowsPerStrip == nil else { throw ValidationError("--tile and --rows-per-strip exclude each other") }
        }
        if let rowsPerStrip, rowsPerStrip < 1 { throw ValidationError("--rows-per-strip must be at least 1") }
        if let page, page < 0 { throw ValidationError("--page must be 0 or more") }
        if let series, series < 0 { throw ValidationError("--series must be 0 or more") }
        if let level, level < 0 { throw ValidationError("--level must be 0 or more") }
        if page != nil, series != nil || level != nil { throw ValidationError("--page excludes --series and --level") }
        let tiffOnly = compression != "none" || tile != nil || rowsPerStrip != nil || bigTIFF || predictor || byteOrder != "little"
        if tiffOnly, outputFormat != .tiff {
            throw ValidationError("--compression, --tile, --rows-per-strip, --bigtiff, --predictor and --byte-order apply to TIFF output only")
        }
    }

    func run() throws {
        // A TIFF stack or page to .npy decodes straight into the mapped output: no array in memory, no copy.
        if RasterFormat(path: output) == .npy, axes == nil, series == nil, level == nil, try RasterFile.format(ofFileAt: input) == .tiff {
            let written = try TIFFFile(path: input, limits: memory.limits).exportNPY(page: page, to: output, durable: durability.durable)
            print("wrote \(output): \(written.axes) \(written.shape) \(written.dataType.rawValue)")
            return
        }
        var image = try RasterFile.read(path: input, page: page, series: series, level: level, limits: memory.limits)
        // A bare .npy has no axes; a 3-D one written as PNG is a plane of samples, not a stack.
        let npyToPNG = RasterFormat(path: output) == .png && (try? RasterFile.format(ofFileAt: input)) == .npy && image.shape.count == 3
        if let axes = axes ?? (npyToPNG ? "YXS" : nil) {
            image = try RasterImage(array: image.array, axes: axes, pixelSize: image.pixelSize)
        }
        var options = TIFFWriteOptions(compression: TIFFWriteOptions.Compression(rawValue: compression) ?? .none, predictor: predictor,
                                       bigTIFF: bigTIFF, byteOrder: byteOrder == "big" ? .big : .little)
        if let tile, let (width, height) = Self.parseTile(tile) {
            options.layout = .tiled(width: width, height: height)
        } else {
            options.layout = .striped(rowsPerStrip: rowsPerStrip)
        }
        try RasterFile.write(image, to: output, tiffOptions: options, durable: durability.durable)
        print("wrote \(output): \(image.axes) \(image.shape) \(image.array.dataType.rawValue)")
    }

    static func parseTile(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let width = parts[0], let height = parts[1], width > 0, height > 0, width % 16 == 0, height % 16 == 0 else { return nil }
        return (width, height)
    }
}
