import Annotations
import ArgumentParser
import Foundation
import MIFACore

/// Parses a command-line value of a string-backed enum, listing the choices when it is not one.
func choice<T: RawRepresentable & CaseIterable>(_ text: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: text) else {
        throw ValidationError("'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
}

/// Parses `--from` and `--to`: a format's name or alias, listing the names when it is neither.
func annotationFormat(_ text: String) throws -> AnnotationFormat {
    guard let format = AnnotationFormat(name: text) else { throw ValidationError("'\(text)' is not one of \(AnnotationFormat.nameList)") }
    return format
}

/// `mifa convert <in> <out> [--from FORMAT] [--to FORMAT] [--image IMAGE_OR_SIZE]`: converts
/// annotations between COCO, GeoJSON, label images, CTC, napari CSV and YOLO, refusing conversions
/// that lose information unless `--allow-lossy`.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert annotations between COCO, GeoJSON, label images, CTC, napari CSV and YOLO.",
        discussion: """
            Formats: \(AnnotationFormat.nameList). Without --from \
            and --to the formats follow the names: .json (COCO, or GeoJSON when it holds features), \
            .geojson, .png/.tif/.npy label images (or a folder of them), .csv (napari; tracks when the \
            header has track_id; a napari Shapes table, with shape-type, is read as its shapes), a folder \
            with res_track.txt/man_track.txt (CTC) or .txt labels (YOLO, class names from classes.txt or \
            an Ultralytics data.yaml; labels/train, labels/val splits too). A napari points table of \
            several images keeps each point's image: axis-0 is the image's place in the list (a leading \
            axis, as a points layer over a stack of the images), axis-1/axis-2 are y/x, and an image \
            column names it. \
            Conversions that would lose information (shapes reduced, objects dropped or merged, classes \
            or track links dropped) are refused with the list of losses unless --allow-lossy; dropped \
            per-object properties only warn. Masks are traced along pixel edges and polygons \
            rasterised exactly (COCO polygons as pycocotools does). Exit 0: converted; 1: invalid or \
            refused input; 2: usage error.
            """)

    @Argument(help: "The annotations to read: a file or a folder.")
    var input: String

    @Argument(help: "Where to write: a file or a folder (masks of several images, CTC, YOLO).")
    var output: String

    @Option(name: .customLong("from"), help: "The input format (default: from the name and contents).", transform: annotationFormat)
    var source: AnnotationFormat?

    @Option(name: .customLong("to"), help: "The output format (default: from the output name).", transform: annotationFormat)
    var target: AnnotationFormat?

    @Option(help: ArgumentHelp("The image or its size WIDTHxHEIGHT, for targets that need a canvas (masks from vectors, YOLO coordinates).", valueName: "image-or-size"))
    var image: String?

    @Flag(name: .customLong("allow-lossy"), help: "Convert even when the target cannot hold everything; the losses are still listed.")
    var allowLossy = false

    @Option(name: .customLong("mask-kind"), help: "Label images hold one value per object (instance) or per class (semantic).", transform: choice)
    var maskKind: MaskKind = .instance

    @Option(name: .customLong("ignore-label"), parsing: .unconditionalSingleValue, help: ArgumentHelp("A label-image value that marks pixels to ignore, not an object (VOC's -1); they are read as background and counted. Repeat for several values. Other negative values are refused.", valueName: "value"))
    var ignoreLabels: [Int64] = []

    @Option(name: .customLong("coco-masks"), help: "Write masks to COCO as polygons (exact; RLE where there are holes) or rle (default: polygons from label images, rle otherwise).", transform: choice)
    var cocoMasks: COCOWriteOptions.Masks?

    @Option(name: .customLong("point-radius"), help: "Draw points as disks of this radius in pixels (weak masks).")
    var pointRadius: Double?

    @Flag(name: .customLong("fill-boxes"), help: "Draw boxes as filled rectangles in masks (weak masks).")
    var fillBoxes = false

    @Option(name: .customLong("yolo"), help: "YOLO lines: auto, boxes or segments.", transform: choice)
    var yoloMode: YOLOFolder.Mode = .auto

    @Option(help: "Simplify before writing: boxes, points (centres) or counts (per image and category).", transform: choice)
    var reduce: Reduction?

    @Flag(name: .customLong("allow-invalid-rings"), help: "Read self-intersecting GeoJSON rings with a warning instead of an error.")
    var allowInvalidRings = false

    @Flag(help: "Repair GeoJSON that geojsonhint rejects (unclosed rings, positions of more than 3 numbers, mixed 2-D/3-D positions) instead of refusing it; each kind of repair is reported with its count.")
    var repair = false

    @Option(name: .customLong("budget-mb"), help: "The most memory in MiB one image's label image (or a mask's row tables) may take; larger ones are refused before anything is allocated (default 1024).")
    var budgetMB: Int = RasterBudget.defaultMaxBytes >> 20

    @Flag(help: "Print one JSON document: formats, counts, losses, warnings and files written.")
    var json = false

    func validate() throws {
        if input == output { throw ValidationError("the output '\(output)' is the input; choose another path") }
        if let image, ImageSize(parsing: image) == nil, FileSystem.resolvedKind(of: image) == nil {
            throw ValidationError("--image takes an image file or a size WIDTHxHEIGHT such as 512x512, not '\(image)'")
        }
        if let pointRadius, !(pointRadius > 0 && pointRadius.isFinite) {
            throw ValidationError("--point-radius must be a positive number of pixels")
        }
        guard budgetMB > 0, budgetMB <= Int.max >> 20 else {
            throw ValidationError("--budget-mb must be a positive number of MiB, not \(budgetMB)")
        }
        if target == nil, AnnotationFormat.detect(output: output) == nil {
            throw ValidationError("cannot tell the output format from '\(output)'; give --to (\(AnnotationFormat.nameList))")
        }
    }

    func run() throws {
        var options = ConversionOptions(
            allowLossy: allowLossy, maskKind: maskKind, cocoMasks: cocoMasks, pointRadius: pointRadius, fillBoxes: fillBoxes,
            yoloMode: yoloMode, reduction: reduce, allowInvalidRings: allowInvalidRings, budget: RasterBudget(maxBytes: budgetMB << 20))
        options.ignoreLabels = Set(ignoreLabels)
        options.repair = repair
        if let image {
            if let size = ImageSize(parsing: image) {
                options.imageSize = size
            } else {
                options.imageSize = try ImageSize.of(file: image)
                options.imageFile = image
            }
        }
        let report = try Converter.convert(input: input, output: output, from: source, to: target, options: options)
        if json {
            print(try CanonicalJSON.string(ConvertSummary(report)), terminator: "")
            return
        }
        print("converted \(report.source) to \(report.target): \(report.images) images, \(report.annotations) annotations, \(report.categories) categories\(report.tracks > 0 ? ", \(report.tracks) tracks" : "")")
        for file in report.files.prefix(5) { print("  wrote \(file)") }
        if report.files.count > 5 { print("  ... and \(report.files.count - 5) more files") }
        for loss in report.losses { printError("mifa: \(loss.refusesConversion ? "lost" : "dropped") \(loss.message)") }
        for warning in report.warnings.prefix(20) { printError("mifa: warning: \(warning)") }
        if report.warnings.count > 20 { printError("mifa: ... and \(report.warnings.count - 20) more warnings (--json lists them all)") }
    }
}

/// The `--json` output of `mifa convert`.
struct ConvertSummary: Encodable {
    struct Loss: Encodable {
        var kind: String
        var count: Int
        var message: String
        var refused: Bool
    }

    var source: String
    var target: String
    var images: Int
    var annotations: Int
    var categories: Int
    var tracks: Int
    var losses: [Loss]
    var warnings: [AnnotationWarning]
    var files: [String]

    init(_ report: ConversionReport) {
        source = report.source.name
        target = report.target.name
        images = report.images
        annotations = report.annotations
        categories = report.categories
        tracks = report.tracks
        losses = report.losses.map { Loss(kind: $0.kind.rawValue, count: $0.count, message: $0.message, refused: $0.refusesConversion) }
        warnings = report.warnings
        files = report.files
    }
}

