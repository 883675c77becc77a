import ArgumentParser
import Foundation
import MIFACore
import OMEZarr
import RasterIO
import Zarr

/// `mifa omezarr from-tiff <in.tif> <out.zarr> [--ngff 0.4|0.5] [--chunks ...] [--levels N | --use-tiff-levels] [--label NAME=mask.tif ...]`.
struct OMEZarrFromTIFFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-tiff",
        abstract: "Convert a TIFF (2-D, z-stack, channels, time-lapse, ImageJ hyperstack, OME-TIFF) into an OME-Zarr image with a pyramid.",
        discussion: """
            Axes become t, c, z, y, x (absent ones left out); physical pixel sizes and units are kept. \
            Pages are streamed, so files larger than memory convert in bounded memory. Label TIFFs \
            (integers, the image's extents without channels) are attached as labels/NAME with a mode \
            pyramid and colours. Chunks and shards name the trailing axes (e.g. 16,256,256 for z, y, x); \
            leading axes get 1.
            """)

    @Argument(help: "The TIFF file to convert.")
    var input: String

    @Argument(help: "The OME-Zarr directory to create.")
    var output: String

    @Option(help: "OME-NGFF version: 0.5 (Zarr v3) or 0.4 (Zarr v2).")
    var ngff: String = "0.5"

    @Option(help: ArgumentHelp("Chunk extents of the trailing axes, e.g. 256,256 or 16,256,256 (default 1 for t, c, z and 256 for y, x).", valueName: "extents"))
    var chunks: String?

    @Option(help: ArgumentHelp("Shard extents (0.5 only), multiples of the chunks, e.g. 16,1024,1024.", valueName: "extents"))
    var shards: String?

    @Option(help: "Number of pyramid levels including full resolution (default: halve until y and x fit 256).")
    var levels: Int?

    @Option(help: "Compression: none, zstd:LEVEL, blosc:CNAME:LEVEL:SHUFFLE, gzip:LEVEL or zlib:LEVEL.")
    var codec: String = "zstd:3"

    @Option(help: "Reduction between levels for the image: mean, nearest, mode, min or max.")
    var reduction: String = "mean"

    @Flag(name: .customLong("downsample-z"), help: "Halve z between levels too (y and x always are).")
    var downsampleZ = false

    @Option(name: .customLong("label"), help: ArgumentHelp("A label TIFF to attach as labels/NAME (repeatable).", valueName: "NAME=mask.tif"))
    var labels: [String] = []

    @Option(help: "The image's name in the multiscales metadata (default: the TIFF's file name).")
    var name: String?

    @Flag(help: "Replace an existing OME-Zarr at the destination.")
    var overwrite = false

    @OptionGroup var concurrency: ZarrConcurrencyOptions

    @OptionGroup var memory: RasterMemoryOptions

    @Option(help: "The series (image) of the TIFF to convert, 0-based; `mifa raster info` lists them (OME-TIFFs with several images).")
    var series: Int = 0

    @Flag(name: .customLong("use-tiff-levels"), help: "Keep the series' own pyramid levels (SubIFDs or reduced pages, as bfconvert, QuPath and tifffile write them) as the OME-Zarr levels instead of computing them; each level's scale is the full resolution's times the ratio of the shapes.")
    var useTIFFLevels = false

    @Option(name: .customLong("unknown-axis"), help: ArgumentHelp("What the pages of a sequence the file does not describe are: t, c or z (default z).", valueName: "t|c|z"))
    var unknownAxis: String?

    func validate() throws {
        guard ngff == "0.4" || ngff == "0.5" else { throw ValidationError("--ngff must be 0.4 or 0.5") }
        if let chunks { _ = try ZarrImportCommand.extents(chunks, option: "--chunks") }
        if let shards {
            guard ngff == "0.5" else { throw ValidationError("--shards needs --ngff 0.5 (Zarr v3)") }
            _ = try ZarrImportCommand.extents(shards, option: "--shards")
        }
        if series < 0 { throw ValidationError("--series must be 0 or more") }
        if let unknownAxis, !["t", "c", "z"].contains(unknownAxis) { throw ValidationError("--unknown-axis must be t, c or z") }
        if let levels, !(1...32).contains(levels) { throw ValidationError("--levels must be 1 to 32") }
        if useTIFFLevels, levels != nil || downsampleZ || reduction != "mean" || !labels.isEmpty {
            throw ValidationError("--use-tiff-levels keeps the TIFF's own levels: it excludes --levels, --downsample-z, --reduction and --label")
        }
        guard PyramidReduction(rawValue: reduction) != nil else { throw ValidationError("--reduction must be mean, nearest, mode, min or max") }
        do {
            _ = try ArrayMetadata.Compressor(parsing: codec)
        } catch let error as ZarrError {
            throw ValidationError(error.message)
        }
        var names = Set<String>()
        for label in labels {
            let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--label must be NAME=mask.tif, found '\(label)'")
            }
            guard names.insert(parts[0]).inserted else { throw ValidationError("--label names must differ; '\(parts[0])' is given twice") }
        }
    }

    func run() throws {
        var options = OMEZarrWriteOptions(version: ngff == "0.4" ? .v04 : .v05)
        options.levels = levels
        options.chunks = try chunks.map { try ZarrImportCommand.extents($0, option: "--chunks") }
        options.shards = try shards.map { try ZarrImportCommand.extents($0, option: "--shards") }
        options.compressor = try ArrayMetadata.Compressor(parsing: codec)
        options.reduction = PyramidReduction(rawValue: reduction)
        options.downsampleZ = downsampleZ
        options.name = name ?? URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        options.overwrite = overwrite
        options.concurrency = concurrency.threads
        let sources = labels.map { label -> TIFFIngest.LabelSource in
            let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
            return TIFFIngest.LabelSource(name: parts[0], path: parts[1])
        }
        if !overwrite, let kind = FileSystem.resolvedKind(of: output), try kind != .directory || !(FileSystem.entries(of: output) ?? []).isEmpty {
            throw InvalidInput(message: "\(output) exists and is not \(kind == .directory ? "empty" : "a folder"); pass --overwrite to replace it")
        }
        let conversion = try TIFFConversion(tiff: input, labels: sources, limits: memory.limits, series: series, unknownAxis: unknownAxis,
                                             useTIFFLevels: useTIFFLevels)
        let location = try ZarrLocation.forWriting(output)
        let image = try conversion.write(to: location.store, path: location.path, options: options)
        let shape = image.shape.map(String.init).joined(separator: " x ")
        let axes = image.axes.map(\.name).joined()
        let labelNames = try image.labelNames()
        let labelText = labelNames.isEmpty ? "" : ", labels \(labelNames.joined(separator: ", "))"
        print("\(output): OME-NGFF \(image.version) image \(axes) \(shape), \(image.levels.count) levels\(labelText)")
    }
}
