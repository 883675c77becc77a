/// What `mifa pack` made (its `--json` output).
public struct IngestSummary: Sendable, Hashable, Codable {
    /// The package folder.
    public var package: String
    /// The first version's id.
    public var version: String
    /// Images packed.
    public var images: Int
    /// Annotation sets packed (sets of the metadata with at least one label image or vector file).
    public var annotationSets: [String]
    /// Label images written (one per mask file).
    public var labelImages: Int
    /// Objects: distinct non-zero values of the label images plus vector annotations.
    public var objects: Int
    /// Content files in the manifest.
    public var files: Int
    /// Their total size.
    public var bytes: Int
    /// What could not be matched and was left out.
    public var unmatched: [UnmatchedItem]
    /// Files of the source folder that are neither images nor annotations.
    public var ignored: [String]
    /// Metadata warnings (validation passed), as text.
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case package, version, images, objects, files, bytes, unmatched, ignored, warnings
        case annotationSets = "annotation_sets"
        case labelImages = "label_images"
    }
}

/// One entry of `annotations/files.json`: where a source file went and the attributes the file
/// list gave it.
public struct IngestedFile: Sendable, Hashable, Codable {
    /// The path in the source folder.
    public var source: String
    /// `image`, `label` (a mask written as a label image) or `annotations` (vector annotations).
    public var role: String
    /// The package path it became (`images/<id>`, `images/<id>/labels/<set>`,
    /// `annotations/<set>/annotations.geojson`).
    public var path: String
    /// The package images it belongs to (itself for an image).
    public var imageIDs: [String]
    /// The annotation set, for annotations.
    public var setID: String?
    /// The file list's `Annotation type` cell, if any.
    public var annotationType: String?
    /// The file list's other columns: header -> cell.
    public var attributes: [String: String]

    enum CodingKeys: String, CodingKey {
        case source, role, path, attributes
        case imageIDs = "image_ids"
        case setID = "set_id"
        case annotationType = "annotation_type"
    }
}

/// `annotations/files.json`: the provenance of every packed file, with its file-list attributes.
public struct IngestedFileIndex: Sendable, Hashable, Codable {
    /// Always `mifa-files`.
    public var format = "mifa-files"
    /// The entries, by source path.
    public var files: [IngestedFile]

    /// The index's package path.
    public static let path = "\(PackageLayout.annotations)/files.json"
}
