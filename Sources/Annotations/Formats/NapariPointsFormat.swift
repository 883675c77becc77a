/// A napari points CSV through ``NapariCSV`` (reading also takes a napari Shapes CSV, as its
/// shapes): positions only, one table.
struct NapariPointsFormat: AnnotationFormatHandler {
    let name = "napari-points-csv"
    let keepsLineage = false
    let typicalAnnotationType: String? = "point_annotations"

    func claim(input: AnnotationInputProbe) -> AnnotationFormatClaim? {
        input.isFile(withExtension: ["csv"]) ? .fallback : nil
    }

    func claim(output lowercasedPath: String) -> AnnotationFormatClaim? {
        lowercasedPath.hasSuffix(".csv") ? .fallback : nil
    }

    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult {
        try NapariCSV.readPoints(path: path)
    }

    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        let annotations = document.annotations
        for annotation in annotations {
            let value = annotation.value
            if !value.isSpatial { tally.add(.objects, "\(value.kindName)s", "a points table holds positions only") }
            else if !value.isPoint && options.reduction == nil { tally.add(.shape, "\(value.kindName)s", "a points table keeps only each object's centre") }
            if annotation.trackID != nil { tally.add(.tracks, "tracked objects", "a points table keeps no track ids (write napari-tracks-csv)") }
        }
        // Several images in one table keep their image as a leading axis (NapariCSV.encodePoints),
        // except when that axis is already z or time.
        let images = Set(annotations.filter { $0.value.isSpatial }.compactMap(\.imageID))
        let taken = annotations.contains { $0.value.centroid?.z != nil } ? "z" : annotations.contains { $0.frame != nil } ? "frames" : nil
        if images.count > 1, let taken {
            let count = annotations.filter { $0.value.isSpatial }.count
            tally.add(.objects, "points of \(images.count) images", "a napari points table with \(taken) has no axis left for the image, so which image a point is on would be lost; write one table per image, or geojson or coco", count: count)
        }
    }

    func keeps(_ annotation: Annotation) -> Bool { annotation.value.isSpatial }

    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String] {
        try FileBytes.write(NapariCSV.encodePoints(document), to: output)
        return [output]
    }
}

extension AnnotationFormat {
    /// napari points CSV (reading also takes a napari Shapes CSV, as its shapes).
    public static let napariPointsCSV = AnnotationFormat(NapariPointsFormat())
}
