import MIFACore

/// Reads COCO annotation files (https://cocodataset.org/#format-data): instance annotations with
/// polygons, compressed or uncompressed RLE and boxes, categories, several images, crowd regions;
/// also pycocotools' results files (a bare list of annotations with `score`, as `COCO.loadRes`
/// takes): each `image_id` of a results list is its own image, sized by its RLE `size` or later by
/// the caller's canvas (`--image`), never merged with the others.
///
/// Everything the format defines becomes a typed field; every other member (COCO `info`,
/// `licenses`, `keypoints`, a dataset's own extras) is kept as a property and written back. Stored
/// `area` and `bbox` values are kept as given. References are checked: an annotation must name an
/// image and a category that exist, an RLE must have its image's size.
public enum COCOReader {
    /// Reads a COCO file.
    /// - Throws: ``AnnotationError`` `.io` when the file cannot be read, `.malformed` (with line,
    ///   column and JSON pointer) for bad JSON or wrong types, `.invalidRLE`, `.invalidGeometry`,
    ///   `.duplicateID` or `.danglingReference` naming the annotation; `.tooLarge` for an RLE
    ///   with more rows than `budget` allows.
    public static func read(path: String, budget: RasterBudget = .default) throws -> AnnotationReadResult {
        try read(bytes: FileBytes.read(path), file: path, budget: budget)
    }

    /// Reads COCO JSON from memory.
    /// - Throws: ``AnnotationError`` as ``read(path:budget:)``.
    public static func read(bytes: [UInt8], file: String? = nil, budget: RasterBudget = .default) throws -> AnnotationReadResult {
        var parser = COCOParser(file: file, budget: budget)
        try JSONReader.readAnnotationJSON(bytes, file: file) { reader in try parser.readDocument(&reader) }
        return try parser.finish()
    }
}

/// The state of reading one COCO document.
struct COCOParser {
    let file: String?
    var document: AnnotationDocument = {
        var document = AnnotationDocument()
        document.rasterization = .coco
        return document
    }()
    var warnings: [AnnotationWarning] = []
    /// The RLE sizes and polygons of each annotation, checked against the images once all are read.
    var pendingChecks: [PendingCheck] = []

    /// An annotation whose RLE size or polygon extent is checked against its image at the end.
    struct PendingCheck {
        var annotation: Int
        var size: (Int, Int)?
        var extent: BoundingBox?
    }
    var isResultsList = false

    /// The memory limit for per-row tables of RLE masks.
    let budget: RasterBudget

    init(file: String?, budget: RasterBudget) {
        self.file = file
        self.budget = budget
    }

    mutating func readDocument(_ reader: inout JSONReader) throws {
        switch try reader.peekKind() {
        case .array:
            isResultsList = true
            try readAnnotations(&reader)
        case .object:
            try reader.readObject { reader, key in
                switch key.name {
                case "images": try readImages(&reader)
                case "annotations": try readAnnotations(&reader)
                case "categories": try readCategories(&reader)
                case "mifa:tracks":
                    let context = ErrorContext(file: file, pointer: reader.pointer)
                    document.tracking = try Tracking(json: try reader.readValue(), context: context)
                default: document.properties[key.name] = try reader.readValue()
                }
            }
        default:
            throw reader.typeError("a COCO object with images, annotations and categories (or a list of results)")
        }
    }

    mutating func readImages(_ reader: inout JSONReader) throws {
        try reader.readArray { reader, index in
            var id: Identifier?
            var image = ImageReference(id: 0)
            try reader.readObject { reader, key in
                switch key.name {
                case "id": id = try Self.readIdentifier(&reader)
                case "file_name": image.fileName = try reader.readString()
                case "width": image.width = try Self.readSize(&reader)
                case "height": image.height = try Self.readSize(&reader)
                default: image.properties[key.name] = try reader.readValue()
                }
            }
            guard let id else { throw reader.error("image \(index) has no \"id\"; every COCO image needs one") }
            image.id = id
            document.images.append(image)
        }
    }

    mutating func readCategories(_ reader: inout JSONReader) throws {
        try reader.readArray { reader, index in
            var id: Identifier?
            var category = Category(id: 0, name: "")
            var hasName = false
            try reader.readObject { reader, key in
                switch key.name {
                case "id": id = try Self.readIdentifier(&reader)
                case "name":
                    category.name = try reader.readString()
                    hasName = true
                case "supercategory":
                    if !reader.readNull() { category.supercategory = try reader.readString() }
                case "color":
                    let value = try reader.readValue()
                    if let components = value.arrayValue?.compactMap({ $0.numberValue?.intValue }), components.count == value.arrayValue?.count {
                        category.color = components
                    } else {
                        category.properties["color"] = value
                    }
                default: category.properties[key.name] = try reader.readValue()
                }
            }
            guard let id else { throw reader.error("category \(index) has no \"id\"; every COCO category needs one") }
            if !hasName { category.name = id.description }
            category.id = id
            document.categories.append(category)
        }
    }

    mutating func readAnnotations(_ reader: inout JSONReader) throws {
        document.annotations.reserveCapacity(1024)
        try reader.readArray { reader, index in
            var annotation = Annotation(value: .classLabel)
            var segmentation: COCOSegmentation?
            var box: BoundingBox?
            do {
                try reader.readObject { reader, key in
                    switch key.name {
                    case "id": annotation.id = try Self.readIdentifier(&reader)
                    case "image_id": annotation.imageID = try Self.readIdentifier(&reader)
                    case "category_id": annotation.categoryID = try Self.readIdentifier(&reader)
                    case "segmentation": segmentation = try COCOSegmentation.read(&reader, budget: budget)
                    case "bbox":
                        let value = try reader.readValue()
                        box = try Self.box(value, reader: reader)
                        annotation.properties["bbox"] = value
                    case "area": annotation.properties["area"] = try reader.readValue()
                    case "iscrowd":
                        let kind = try reader.peekKind()
                        annotation.isCrowd = kind == .bool ? try reader.readBool() : try reader.readInt64() != 0
                    case "track_id": annotation.trackID = try reader.readInt64()
                    case "frame":
                        let frame = try reader.readInt64()
                        guard frame >= 0, frame <= 1_000_000 else { throw reader.error("a frame is a whole number from 0 to 1000000") }
                        annotation.frame = Int(frame)
                    case "weak": annotation.isWeak = try reader.readBool()
                    case "score":
                        if !reader.readNull() { annotation.confidence = try reader.readDouble() }
                    default: annotation.properties[key.name] = try reader.readValue()
                    }
                }
            } catch var error as AnnotationError {
                if let id = annotation.id, error.context.key == nil { error.context.key = "annotation \(id)" }
                throw error
            } catch let error as CoreError where error.kind == .invalidJSON {
                var converted = AnnotationError(.malformed, error.message, context: error.context)
                if let id = annotation.id, converted.context.key == nil { converted.context.key = "annotation \(id)" }
                throw converted
            }
            var extent: BoundingBox?
            var size: (Int, Int)?
            switch segmentation {
            case .polygons(let polygons)?:
                let rings = polygons.map { Ring(flat: $0) }
                annotation.value = .geometry(rings.count == 1 ? .polygon(Polygon(exterior: rings[0])) : .multiPolygon(MultiPolygon(rings.map { Polygon(exterior: $0) })))
                extent = annotation.value.geometryBoundingBox
            case .rle(let rle)?:
                annotation.value = .mask(rle)
                size = (rle.height, rle.width)
            case nil:
                if let box { annotation.value = .box(box) }
            }
            document.annotations.append(annotation)
            if extent != nil || size != nil { pendingChecks.append(PendingCheck(annotation: index, size: size, extent: extent)) }
        }
    }

    /// Checks references and sizes once the whole document is read.
    mutating func finish() throws -> AnnotationReadResult {
        try refuseCaptions()
        if isResultsList { addResultImages() }
        var images: [Identifier: Int] = [:]
        for (index, image) in document.images.enumerated() {
            guard images.updateValue(index, forKey: image.id) == nil else {
                throw error(.duplicateID, "image id \(image.id) is used twice; image ids must be unique", pointer: "/images/\(index)/id")
            }
        }
        var categories = Set<Identifier>()
        for (index, category) in document.categories.enumerated() where !categories.insert(category.id).inserted {
            throw error(.duplicateID, "category id \(category.id) is used twice; category ids must be unique", pointer: "/categories/\(index)/id")
        }
        let root = isResultsList ? "" : "/annotations"
        var annotationIDs = Set<Identifier>()
        annotationIDs.reserveCapacity(document.annotations.count)
        for index in document.annotations.indices {
            // Fields are read in place: copying whole annotations costs more than the checks.
            let id = document.annotations[index].id
            var key: String? { id.map { "annotation \($0)" } }
            if let id, !annotationIDs.insert(id).inserted {
                throw error(.duplicateID, "annotation id \(id) is used twice; annotation ids must be unique", pointer: "\(root)/\(index)/id", key: key)
            }
            guard let imageID = document.annotations[index].imageID else {
                throw error(.malformed, "the annotation has no \"image_id\"; every COCO annotation (and every result of a results list) belongs to an image", pointer: "\(root)/\(index)", key: key)
            }
            guard images[imageID] != nil else {
                throw error(.danglingReference, "image_id \(imageID) is not the id of any image in \"images\"; add the image or fix the id", pointer: "\(root)/\(index)/image_id", key: key)
            }
            if let categoryID = document.annotations[index].categoryID, !document.categories.isEmpty || !isResultsList {
                guard categories.contains(categoryID) else {
                    throw error(.danglingReference, "category_id \(categoryID) is not the id of any category in \"categories\"; add the category or fix the id", pointer: "\(root)/\(index)/category_id", key: key)
                }
            }
        }
        for check in pendingChecks {
            guard let imageID = document.annotations[check.annotation].imageID, let imageIndex = images[imageID] else { continue }
            let image = document.images[imageIndex]
            let id = document.annotations[check.annotation].id
            var key: String? { id.map { "annotation \($0)" } }
            if let (height, width) = check.size, let imageHeight = image.height, let imageWidth = image.width, height != imageHeight || width != imageWidth {
                throw error(.invalidRLE, "the RLE has size [\(height), \(width)] but image \(imageID) is \(imageHeight) high and \(imageWidth) wide; an RLE covers its whole image", pointer: "\(root)/\(check.annotation)/segmentation/size", key: key)
            }
            if let extent = check.extent, let height = image.height, let width = image.width,
                extent.x < 0 || extent.y < 0 || extent.x + extent.width > Double(width) || extent.y + extent.height > Double(height)
            {
                warnings.append(AnnotationWarning(
                    .outsideImage, "the polygon reaches outside the \(width)×\(height) image (x \(extent.x)...\(extent.x + extent.width), y \(extent.y)...\(extent.y + extent.height)); it is clipped when rasterised, as pycocotools does",
                    context: ErrorContext(file: file, pointer: "\(root)/\(check.annotation)/segmentation", key: key)))
            }
        }
        restoreOriginalIDs()
        return AnnotationReadResult(document: document, warnings: warnings)
    }

    /// Refuses a captions file (annotations that hold a `caption` and no region): captions are
    /// image-level text, not annotations that `mifa convert` can carry.
    func refuseCaptions() throws {
        let root = isResultsList ? "" : "/annotations"
        for (index, annotation) in document.annotations.enumerated() where annotation.properties["caption"] != nil {
            guard case .classLabel = annotation.value else { continue }
            throw error(.unsupported, "this is a COCO captions file (annotations with \"caption\" and no segmentation or bbox); captions are image-level text that mifa convert does not carry; convert the instance annotations (segmentation or bbox) instead", pointer: "\(root)/\(index)/caption", key: annotation.id.map { "annotation \($0)" })
        }
    }

    /// Gives a results list one image per `image_id`, in the order of first use, as `loadRes` keeps
    /// each result with its own image: the size is the first RLE's `size` (every other RLE of the
    /// image is checked against it), or unknown until the caller gives a canvas.
    mutating func addResultImages() {
        guard document.images.isEmpty else { return }
        var positions: [Identifier: Int] = [:]
        for annotation in document.annotations {
            guard let imageID = annotation.imageID else { continue }
            let position: Int
            if let known = positions[imageID] {
                position = known
            } else {
                position = document.images.count
                positions[imageID] = position
                document.images.append(ImageReference(id: imageID))
            }
            if case .mask(let rle) = annotation.value, document.images[position].width == nil {
                document.images[position].width = rle.width
                document.images[position].height = rle.height
            }
        }
    }

    /// Gives images and annotations back the string ids a MIFAKit writer kept under `mifa_id`
    /// (COCO ids are integers; GeoJSON and QuPath ids are often UUIDs).
    mutating func restoreOriginalIDs() {
        var imageIDs: [Identifier: Identifier] = [:]
        for index in document.images.indices {
            guard let original = document.images[index].properties["mifa_id"]?.stringValue else { continue }
            imageIDs[document.images[index].id] = .string(original)
            document.images[index].id = .string(original)
            document.images[index].properties["mifa_id"] = nil
        }
        guard !imageIDs.isEmpty || document.annotations.indices.contains(where: { document.annotations[$0].properties["mifa_id"] != nil }) else { return }
        var used = Set(document.annotations.indices.compactMap { document.annotations[$0].id })
        for index in document.annotations.indices {
            if let image = document.annotations[index].imageID, let mapped = imageIDs[image] { document.annotations[index].imageID = mapped }
            if let original = document.annotations[index].properties["mifa_id"]?.stringValue, used.insert(.string(original)).inserted {
                document.annotations[index].id = .string(original)
                document.annotations[index].properties["mifa_id"] = nil
            }
        }
    }

    func error(_ kind: AnnotationError.Code, _ message: String, pointer: String, key: String? = nil) -> AnnotationError {
        AnnotationError(kind, message, context: ErrorContext(file: file, pointer: pointer, key: key))
    }

    static func readIdentifier(_ reader: inout JSONReader) throws -> Identifier {
        switch try reader.peekKind() {
        case .number: return .int(try reader.readInt64())
        case .string: return .string(try reader.readString())
        default: throw reader.typeError("an id (a whole number or a string)")
        }
    }

    static func readSize(_ reader: inout JSONReader) throws -> Int {
        let value = try reader.readInt64()
        guard value >= 0, value <= Int64(Int32.max) else { throw reader.error("an image size must be between 0 and \(Int32.max), not \(value)") }
        return Int(value)
    }

    static func box(_ value: JSONValue, reader: JSONReader) throws -> BoundingBox? {
        guard let elements = value.arrayValue else { throw reader.error("expected \"bbox\" to be [x, y, width, height], found \(value.summary)") }
        if elements.isEmpty { return nil }
        let numbers = elements.compactMap { $0.numberValue?.doubleValue }
        guard numbers.count == 4, elements.count == 4 else {
            throw reader.error("expected \"bbox\" to be 4 numbers [x, y, width, height], found \(value.summary)")
        }
        guard numbers[2] >= 0, numbers[3] >= 0 else {
            throw reader.error("a bbox has a negative width or height (\(numbers[2]), \(numbers[3])); COCO boxes are [x, y, width, height]", kind: .invalidGeometry)
        }
        return BoundingBox(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
    }
}

extension AnnotationValue {
    /// The box around a geometry value's vertices.
    var geometryBoundingBox: BoundingBox? {
        if case .geometry(let geometry) = self { return geometry.boundingBox }
        return nil
    }
}
