/// A Cell Tracking Challenge folder through ``CTCFolder``: instance label images per frame and a
/// tracks table with lineage.
struct CTCFormat: AnnotationFormatHandler {
    let name = "ctc"
    let keepsLineage = true
    let typicalAnnotationType: String? = "tracks"

    func claim(input: AnnotationInputProbe) -> AnnotationFormatClaim? {
        guard let names = input.folderNames else { return nil }
        return names.contains("res_track.txt") || names.contains("man_track.txt") || names.contains("TRA") ? .content : nil
    }

    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult {
        try CTCFolder.read(path: path)
    }

    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        LabelImageFormat.drawingLosses(of: document, options: options, into: &tally)
        LabelImageFormat.classLosses(of: document, instancesOnly: true, into: &tally)
    }

    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String] {
        let options = job.options
        return try Converter.locating(job.input) {
            try CTCFolder.write(document, to: output, options: MaskWriteOptions(kind: .instance, drawing: options.drawing, imageSize: options.imageSize, budget: options.budget)).files
        }
    }
}

extension AnnotationFormat {
    /// A Cell Tracking Challenge folder.
    public static let ctc = AnnotationFormat(CTCFormat())
}
