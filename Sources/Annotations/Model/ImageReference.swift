public import MIFACore

/// The image an annotation belongs to: its id, file name and size in pixels.
public struct ImageReference: Sendable, Hashable {
    /// The id annotations refer to (COCO `images[].id`).
    public var id: Identifier
    /// The image file, as the source named it (COCO `file_name`), if known.
    public var fileName: String?
    /// Columns, if known.
    public var width: Int?
    /// Rows, if known.
    public var height: Int?
    /// Planes of a 3-D image, if it has more than one.
    public var depth: Int?
    /// Every other member the source format had (COCO `license`, `coco_url`, ...).
    public var properties: JSONObject

    /// An image reference.
    public init(id: Identifier, fileName: String? = nil, width: Int? = nil, height: Int? = nil, depth: Int? = nil, properties: JSONObject = JSONObject()) {
        self.id = id
        self.fileName = fileName
        self.width = width
        self.height = height
        self.depth = depth
        self.properties = properties
    }

    /// `(height, width)` when both are known.
    public var size: (height: Int, width: Int)? {
        guard let width, let height else { return nil }
        return (height, width)
    }

    /// The file name without folders and extension, used to name per-image output files.
    public var stem: String {
        let name = fileName ?? id.description
        let base = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return base }
        return String(base[..<dot])
    }
}
