/// A YOLO labels folder through ``YOLOFolder``: one box or polygon per line, class and
/// coordinates only.
struct YOLOFormat: AnnotationFormatHandler {
    let name = "yolo"
    let keepsLineage = false
    let typicalAnnotationType: String? = "bounding_boxes"

    func claim(input: AnnotationInputProbe) -> AnnotationFormatClaim? {
        if let names = input.folderNames {
            let labelled = !Set(names).isDisjoint(with: YOLOFolder.classFileNames) || names.contains("labels") || names.contains { $0.hasSuffix(".txt") }
            return labelled ? .name : nil
        }
        return input.isFile(withExtension: ["txt", "yaml", "yml"]) ? .name : nil
    }

    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult {
        try YOLOFolder.read(path: path, imageSize: options.imageSize)
    }

    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        let segments = options.yoloMode == .segments || (options.yoloMode == .auto && document.annotations.contains { $0.value.isAreal && !$0.value.isBoxOnly })
        for annotation in document.annotations {
            let value = annotation.value
            if !value.isSpatial || value.isPoint || (!value.isAreal && value.boundingBox == nil) {
                tally.add(.objects, "\(value.kindName)s", "YOLO holds boxes and polygons")
            } else if !segments && !value.isBoxOnly && options.reduction == nil {
                tally.add(.shape, "\(value.kindName)s", "YOLO box lines keep only each object's bounding box")
            } else if segments, case .geometry(let geometry) = value, !geometry.isAreal {
                tally.add(.objects, "\(value.kindName)s", "YOLO holds boxes and polygons")
            } else if segments {
                let polygons = value.polygonsForLoss
                if polygons.contains(where: { !$0.holes.isEmpty }) { tally.add(.shape, "objects with holes", "YOLO polygons have no holes; holes are dropped") }
                if polygons.count > 1 { tally.add(.objects, "multi-part objects", "YOLO has one polygon per line; parts become separate objects") }
            }
            if annotation.confidence != nil || annotation.properties.keys.contains(where: { !Converter.bookkeepingProperties.contains($0) }) {
                tally.add(.attributes, "annotations with scores or properties", "YOLO label files keep only class and coordinates")
            }
            if annotation.trackID != nil { tally.add(.tracks, "tracked objects", "YOLO label files keep no track ids") }
        }
    }

    func keeps(_ annotation: Annotation) -> Bool { annotation.value.isSpatial && !annotation.value.isPoint }

    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String] {
        try YOLOFolder.write(document, to: output, mode: job.options.yoloMode, imageSize: job.options.imageSize)
    }
}

extension AnnotationFormat {
    /// A YOLO labels folder.
    public static let yolo = AnnotationFormat(YOLOFormat())
}
