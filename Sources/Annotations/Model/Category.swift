public import MIFACore

/// A class that annotations can belong to: a COCO category, a QuPath classification, a YOLO class.
public struct Category: Sendable, Hashable {
    /// The id annotations refer to (COCO `id`; for YOLO the 0-based class index).
    public var id: Identifier
    /// The human-readable name (`nucleus`, `Tumor`).
    public var name: String
    /// COCO `supercategory`, if any.
    public var supercategory: String?
    /// A display colour `[r, g, b]` 0–255 (QuPath `classification.color`), if any.
    public var color: [Int]?
    /// Every other member the source format had, kept for the way back.
    public var properties: JSONObject

    /// A category with its id and name.
    public init(id: Identifier, name: String, supercategory: String? = nil, color: [Int]? = nil, properties: JSONObject = JSONObject()) {
        self.id = id
        self.name = name
        self.supercategory = supercategory
        self.color = color
        self.properties = properties
    }
}
