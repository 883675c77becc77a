/// A napari tracks CSV through ``NapariCSV``: tracked positions with their parents, no categories.
struct NapariTracksFormat: AnnotationFormatHandler {
    let name = "napari-tracks-csv"
    let keepsLineage = true
    let typicalAnnotationType: String? = "tracks"

    func claim(input: AnnotationInputProbe) throws -> AnnotationFormatClaim? {
        try input.isFile(withExtension: ["csv"]) && input.head(256).contains("track_id") ? .content : nil
    }

    func claim(output lowercasedPath: String) -> AnnotationFormatClaim? {
        lowercasedPath.hasSuffix(".csv") && lowercasedPath.contains("track") ? .content : nil
    }

    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult {
        try NapariCSV.readTracks(path: path)
    }

    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        for annotation in document.annotations {
            let value = annotation.value
            if annotation.trackID == nil || annotation.frame == nil { tally.add(.objects, "untracked annotations", "a tracks table holds only objects with a frame and a track") }
            else if !value.isPoint && value.isSpatial && options.reduction == nil { tally.add(.shape, "\(value.kindName)s", "a tracks table keeps only each object's centre") }
            if annotation.categoryID != nil { tally.add(.classes, "annotations with a category", "a tracks table keeps no categories") }
        }
    }

    func keeps(_ annotation: Annotation) -> Bool {
        annotation.value.isSpatial && annotation.frame != nil && annotation.trackID != nil
    }

    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String] {
        try FileBytes.write(try NapariCSV.encodeTracks(document), to: output)
        return [output]
    }
}

extension AnnotationFormat {
    /// napari tracks CSV.
    public static let napariTracksCSV = AnnotationFormat(NapariTracksFormat())
}
