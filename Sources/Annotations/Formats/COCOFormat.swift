/// COCO JSON through ``COCOReader`` and ``COCOWriter``: instances hold areas, boxes and masks.
struct COCOFormat: AnnotationFormatHandler {
    let name = "coco"
    let keepsLineage = true

    func claim(input: AnnotationInputProbe) -> AnnotationFormatClaim? {
        input.isFile(withExtension: ["json"]) ? .fallback : nil
    }

    func claim(output lowercasedPath: String) -> AnnotationFormatClaim? {
        lowercasedPath.hasSuffix(".json") ? .name : nil
    }

    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult {
        try COCOReader.read(path: path, budget: options.budget)
    }

    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        for annotation in document.annotations {
            let value = annotation.value
            switch value {
            case .geometry(let geometry):
                if !geometry.isAreal { tally.add(.objects, "\(value.kindName)s", "COCO instances hold areas, boxes and masks") }
                if case .ellipse = geometry { tally.add(.shape, "ellipses", "COCO has no ellipses; they become 64-point polygons") }
                if geometry.polygons.contains(where: { !$0.holes.isEmpty }) && !Converter.isPixelAligned(geometry) {
                    tally.add(.shape, "polygons with holes", "COCO polygons cannot have holes; they are rasterised to RLE masks at pixel centres")
                }
            case .box(let box) where box.is3D: tally.add(.shape, "3-D boxes", "COCO boxes are 2-D; the z extent is dropped")
            case .classLabel, .count, .derived, .graph, .probabilityMap:
                tally.add(.objects, "\(value.kindName)s", "COCO instances hold areas, boxes and masks")
            default: break
            }
        }
    }

    func keeps(_ annotation: Annotation) -> Bool {
        switch annotation.value {
        case .geometry(let geometry): geometry.isAreal
        case .box, .mask: true
        default: false
        }
    }

    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String] {
        let masks = job.options.cocoMasks ?? (job.source.isMask ? .polygons : .rle)
        try COCOWriter.write(document, to: output, options: COCOWriteOptions(masks: masks))
        return [output]
    }
}

extension AnnotationFormat {
    /// COCO JSON.
    public static let coco = AnnotationFormat(COCOFormat())
}
