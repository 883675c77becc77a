public import MIFACore

/// A set of annotations with the images and categories they refer to: what every reader returns and
/// every writer takes, so that any format converts to any other through it.
public struct AnnotationDocument: Sendable, Hashable {
    /// The images annotated.
    public var images: [ImageReference]
    /// The categories (classes).
    public var categories: [Category]
    /// The annotations.
    public var annotations: [Annotation]
    /// How this document's polygons become pixels: COCO polygons by pycocotools' rule, others by pixel centre.
    public var rasterization: PolygonRasterization = .pixelCenter
    /// The lineage of tracked objects, if the annotations form tracks.
    public var tracking: Tracking?
    /// Document-level members the source format had (COCO `info` and `licenses`, GeoJSON foreign
    /// members), kept for the way back.
    public var properties: JSONObject

    /// A document; every part defaults to empty.
    public init(images: [ImageReference] = [], categories: [Category] = [], annotations: [Annotation] = [], tracking: Tracking? = nil, properties: JSONObject = JSONObject()) {
        self.images = images
        self.categories = categories
        self.annotations = annotations
        self.tracking = tracking
        self.properties = properties
    }

    /// The image with the given id.
    public func image(_ id: Identifier) -> ImageReference? { images.first { $0.id == id } }

    /// The category with the given id.
    public func category(_ id: Identifier) -> Category? { categories.first { $0.id == id } }

    /// The annotations grouped by image id, in document order (annotations without an image under `nil`).
    public var annotationsByImage: [Identifier?: [Annotation]] {
        Dictionary(grouping: annotations, by: \.imageID)
    }

    /// Checks ids and references: image, category and annotation ids unique; every annotation's
    /// image and category exist (when the document lists any); tracks valid.
    /// - Throws: ``AnnotationError`` `.duplicateID` or `.danglingReference` naming the annotation.
    public func validateReferences() throws {
        var imageIDs = Set<Identifier>()
        for image in images where !imageIDs.insert(image.id).inserted {
            throw AnnotationError(.duplicateID, "image id \(image.id) is used twice; image ids must be unique", context: ErrorContext(key: "image \(image.id)"))
        }
        var categoryIDs = Set<Identifier>()
        for category in categories where !categoryIDs.insert(category.id).inserted {
            throw AnnotationError(.duplicateID, "category id \(category.id) is used twice; category ids must be unique", context: ErrorContext(key: "category \(category.id)"))
        }
        var annotationIDs = Set<Identifier>()
        for (index, annotation) in annotations.enumerated() {
            let context = ErrorContext(key: annotation.id.map { "annotation \($0)" } ?? "annotation #\(index)")
            if let id = annotation.id, !annotationIDs.insert(id).inserted {
                throw AnnotationError(.duplicateID, "annotation id \(id) is used twice; annotation ids must be unique", context: context)
            }
            if let image = annotation.imageID, !images.isEmpty, !imageIDs.contains(image) {
                throw AnnotationError(.danglingReference, "annotation refers to image \(image), which is not in the image list", context: context)
            }
            if let category = annotation.categoryID, !categoryIDs.contains(category) {
                throw AnnotationError(.danglingReference, "annotation refers to category \(category), which is not in the category list", context: context)
            }
        }
        try tracking?.validate()
    }
}
