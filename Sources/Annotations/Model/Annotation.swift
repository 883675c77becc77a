public import MIFACore

/// One annotation of any MIFA annotation type, with what every annotation may carry: an id, the
/// image it belongs to, a category, a confidence, a weak flag and free properties.
///
/// The types follow the MIFA recommendations (Zulueta-Coarasa et al., 2024): segmentation masks,
/// boxes, class labels, counts, points, geometry, tracks (per-frame objects with a ``trackID``,
/// linked by ``Tracking``), graphs, weak annotations and derived values.
public struct Annotation: Sendable, Hashable {
    /// The annotation's id, unique within its document (COCO `id`, GeoJSON Feature `id`).
    public var id: Identifier?
    /// The image the annotation belongs to; `nil` when the document has a single image.
    public var imageID: Identifier?
    /// The category (class) of the annotated object or image.
    public var categoryID: Identifier?
    /// A score in 0...1 for predictions (COCO results `score`); `nil` for manual annotations.
    public var confidence: Double?
    /// Whether this is a weak annotation (a scribble, a rough box, a point standing for an object).
    public var isWeak: Bool
    /// COCO `iscrowd`: a region of many objects, matched by the detection's area only.
    public var isCrowd: Bool
    /// The time point of a per-frame object (0-based), if the annotation belongs to a time series.
    public var frame: Int?
    /// The track this per-frame object belongs to (see ``Tracking``).
    public var trackID: Int64?
    /// The content.
    public var value: AnnotationValue
    /// Every other property the source format had (QuPath measurements, names, colours; COCO extras),
    /// kept for the way back.
    public var properties: JSONObject

    /// An annotation with its content; every other field defaults to empty.
    public init(
        id: Identifier? = nil, imageID: Identifier? = nil, categoryID: Identifier? = nil, value: AnnotationValue,
        confidence: Double? = nil, isWeak: Bool = false, isCrowd: Bool = false, frame: Int? = nil, trackID: Int64? = nil,
        properties: JSONObject = JSONObject()
    ) {
        self.id = id
        self.imageID = imageID
        self.categoryID = categoryID
        self.value = value
        self.confidence = confidence
        self.isWeak = isWeak
        self.isCrowd = isCrowd
        self.frame = frame
        self.trackID = trackID
        self.properties = properties
    }
}

/// What an annotation says.
public enum AnnotationValue: Sendable, Hashable {
    /// The mask of one object (instance segmentation) or of one class (semantic segmentation, with
    /// the class as the annotation's category), as COCO run-length encoding.
    case mask(RLE)
    /// A per-pixel probability (or score) map of the annotation's category.
    case probabilityMap(ProbabilityMap)
    /// A shape: point, polygon with holes, multipolygon, polyline, ellipse, rectangle.
    case geometry(Geometry)
    /// A bounding box, 2-D or 3-D.
    case box(BoundingBox)
    /// A class label for the whole image (the class is the annotation's category).
    case classLabel
    /// A count, for the whole image or for a region of it.
    case count(Count)
    /// A graph of nodes with coordinates and edges (a skeleton, a connectivity network).
    case graph(AnnotationGraph)
    /// A value derived from the image or other annotations (a measurement, a score).
    case derived(DerivedValue)

    /// A short name of the kind of content, used in messages: `mask`, `polygon`, `box`, ...
    public var kindName: String {
        switch self {
        case .mask: "mask"
        case .probabilityMap: "probability map"
        case .geometry(let geometry):
            switch geometry {
            case .point, .multiPoint: "point"
            case .polyline, .multiPolyline: "polyline"
            case .polygon: "polygon"
            case .multiPolygon: "multipolygon"
            case .ellipse: "ellipse"
            case .rectangle: "rectangle"
            case .collection: "geometry collection"
            }
        case .box: "box"
        case .classLabel: "class label"
        case .count: "count"
        case .graph: "graph"
        case .derived: "derived value"
        }
    }
}

/// A count of objects, for the whole image (``region`` `nil`) or inside a region.
public struct Count: Sendable, Hashable {
    /// The number counted.
    public var value: Int
    /// The region counted in, if not the whole image.
    public var region: Geometry?

    /// A count.
    public init(_ value: Int, region: Geometry? = nil) {
        self.value = value
        self.region = region
    }
}

/// A value derived from the image or from other annotations: a measurement with a unit, a score.
public struct DerivedValue: Sendable, Hashable {
    /// What was derived (`Nucleus: Area µm^2`, `mean intensity`).
    public var name: String
    /// The value, exactly as given (numbers keep their literal).
    public var value: JSONValue
    /// The unit, if any.
    public var unit: String?
    /// How it was derived, if said (a method, a tool).
    public var method: String?

    /// A derived value.
    public init(name: String, value: JSONValue, unit: String? = nil, method: String? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.method = method
    }
}
