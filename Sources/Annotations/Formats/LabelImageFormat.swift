/// Label images (PNG, TIFF or `.npy`, one file or a folder of them) through ``MaskFiles``: a label
/// image holds areas, one label per pixel, and no classes in instance mode.
struct LabelImageFormat: AnnotationFormatHandler {
    let name: String
    let aliases: [String]
    /// The file format of each label image.
    let file: MaskFileFormat
    /// The file name extensions that name it (lowercase, no dot).
    let extensions: [String]
    let keepsLineage = false
    let typicalAnnotationType: String? = "segmentation_mask"

    var maskFileFormat: MaskFileFormat? { file }

    func claim(input: AnnotationInputProbe) -> AnnotationFormatClaim? {
        input.isFolder(holding: extensions) ? .fallback : input.isFile(withExtension: extensions) ? .name : nil
    }

    func claim(output lowercasedPath: String) -> AnnotationFormatClaim? {
        extensions.contains { lowercasedPath.hasSuffix(".\($0)") } ? .name : nil
    }

    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult {
        try MaskFiles.read(path: path, options: MaskReadOptions(kind: options.maskKind, ignoreLabels: options.ignoreLabels))
    }

    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        Self.drawingLosses(of: document, options: options, into: &tally)
        Self.classLosses(of: document, instancesOnly: options.maskKind == .instance, into: &tally)
        guard options.maskKind == .semantic else { return }
        var perClass: [Identifier?: [Identifier?]] = [:]
        for annotation in document.annotations where annotation.value.isAreal { perClass[annotation.categoryID, default: []].append(annotation.imageID) }
        let merged = perClass.values.reduce(0) { total, images in
            total + Dictionary(grouping: images, by: { $0 }).values.reduce(0) { $0 + max($1.count - 1, 0) }
        }
        if merged > 0 { tally.add(.objects, "instances merged", "a semantic label image merges the objects of one class in one image", count: merged) }
    }

    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String] {
        try MaskFiles.write(job.rendered, to: output, format: file)
    }

    /// What drawing each annotation into a label image loses (label images and CTC folders alike).
    static func drawingLosses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        for annotation in document.annotations {
            let value = annotation.value
            let drawable = value.isAreal && !(value.isBoxOnly && !options.fillBoxes) || (value.isPoint && options.pointRadius != nil)
            if !drawable {
                let hint = value.isPoint ? " (give --point-radius to draw them as disks)" : value.isBoxOnly ? " (give --fill-boxes to draw them as weak masks)" : ""
                tally.add(.objects, "\(value.kindName)s", "a label image holds areas; these cannot be drawn\(hint)")
            }
            if value.isPoint && options.pointRadius != nil { tally.add(.attributes, "points drawn as disks", "points become weak disk masks") }
            if case .probabilityMap = value { tally.add(.shape, "probability maps", "a label image keeps the pixels at or above 0.5, not the probabilities") }
            if annotation.properties.keys.contains(where: { !Converter.bookkeepingProperties.contains($0) }) {
                tally.add(.attributes, "annotations with properties", "a label image keeps no per-object properties (names, measurements)")
            }
            if annotation.confidence != nil { tally.add(.attributes, "scores", "a label image keeps no scores") }
        }
    }

    /// The classes an instance label image drops, when the document has more than one.
    static func classLosses(of document: AnnotationDocument, instancesOnly: Bool, into tally: inout LossTally) {
        let categories = Set(document.annotations.compactMap(\.categoryID))
        if instancesOnly, categories.count > 1 {
            tally.add(.classes, "categories", "an instance label image keeps no classes (\(categories.count) categories); write --mask-kind semantic for classes", count: categories.count)
        }
    }
}

extension AnnotationFormat {
    /// Label image(s) as PNG.
    public static let maskPNG = AnnotationFormat(LabelImageFormat(name: "mask-png", aliases: [], file: .png, extensions: ["png"]))
    /// Label image(s) as TIFF.
    public static let maskTIFF = AnnotationFormat(LabelImageFormat(name: "mask-tiff", aliases: ["mask-tif"], file: .tiff, extensions: ["tif", "tiff"]))
    /// Label image(s) as NumPy `.npy`.
    public static let npy = AnnotationFormat(LabelImageFormat(name: "npy", aliases: [], file: .npy, extensions: ["npy"]))
}
