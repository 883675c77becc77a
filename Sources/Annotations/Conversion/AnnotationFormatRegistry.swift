/// The annotation formats, built once: a name or alias -> format table, and the order in which
/// `--help` and errors list them and detection breaks ties. Adding a format is one line here.
enum AnnotationFormatRegistry {
    /// Every format, in listing order.
    static let formats: [AnnotationFormat] = [
        .coco,
        .geojson,
        .maskPNG,
        .maskTIFF,
        .npy,
        .ctc,
        .napariPointsCSV,
        .napariTracksCSV,
        .yolo,
    ]

    /// Every format by its name and by each of its aliases (a name given twice is a programming
    /// error, caught by the registry's tests).
    static let byName: [String: AnnotationFormat] = Dictionary(
        uniqueKeysWithValues: formats.flatMap { format in ([format.name] + format.aliases).map { ($0, format) } })
}
