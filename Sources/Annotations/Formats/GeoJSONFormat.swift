/// GeoJSON (RFC 7946) through ``GeoJSONReader`` and ``GeoJSONWriter``: vectors, not pixel values.
struct GeoJSONFormat: AnnotationFormatHandler {
    let name = "geojson"
    let keepsLineage = true
    let typicalAnnotationType: String? = "geometrical_annotations"

    func claim(input: AnnotationInputProbe) throws -> AnnotationFormatClaim? {
        if input.isFile(withExtension: ["geojson"]) { return .name }
        guard input.isFile(withExtension: ["json"]) else { return nil }
        let head = try input.head(4096)
        return head.contains("\"FeatureCollection\"") || head.contains("\"Feature\"") ? .content : nil
    }

    func claim(output lowercasedPath: String) -> AnnotationFormatClaim? {
        lowercasedPath.hasSuffix(".geojson") ? .name : nil
    }

    func read(_ path: String, options: ConversionOptions) throws -> AnnotationReadResult {
        try GeoJSONReader.read(path: path, options: GeoJSONReadOptions(allowInvalidRings: options.allowInvalidRings, repair: options.repair))
    }

    func losses(of document: AnnotationDocument, options: ConversionOptions, into tally: inout LossTally) {
        for annotation in document.annotations {
            if case .probabilityMap = annotation.value { tally.add(.objects, "probability maps", "GeoJSON holds vectors, not pixel values") }
        }
    }

    func keeps(_ annotation: Annotation) -> Bool {
        if case .probabilityMap = annotation.value { return false }
        return true
    }

    func write(_ document: AnnotationDocument, to output: String, job: AnnotationWriteJob) throws -> [String] {
        try GeoJSONWriter.write(document, to: output)
        return [output]
    }
}

extension AnnotationFormat {
    /// GeoJSON (RFC 7946), QuPath's properties understood.
    public static let geojson = AnnotationFormat(GeoJSONFormat())
}
