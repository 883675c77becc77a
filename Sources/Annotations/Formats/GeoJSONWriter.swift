import MIFACore

/// Writes GeoJSON (RFC 7946) that QuPath imports and shapely reads: one FeatureCollection, one
/// Feature per annotation, outer rings counter-clockwise and holes clockwise (numerically), rings
/// closed, coordinates in corner-based pixels.
///
/// QuPath's properties (`objectType`, `classification`, `measurements`, `name`, `color`, ...) are
/// written back as they were read; a category becomes `classification: {name, color}`. Masks become
/// their traced polygons (exact). MIFA types GeoJSON has no geometry for carry a `mifa:type`
/// property (`box`, `rectangle`, `ellipse`, `count`, `derived`, `graph`, `class`) so they read back
/// as what they were. A document with several images lists them in a `mifa:images` member and
/// gives each feature an `image_id`; categories are listed in `mifa:categories`.
public enum GeoJSONWriter {
    /// The GeoJSON bytes of a document.
    /// - Throws: ``AnnotationError`` `.unsupported` for a probability map.
    public static func encode(_ document: AnnotationDocument) throws -> [UInt8] {
        try encodeLocatingFeatures(document).bytes
    }

    /// The GeoJSON bytes of a document (as ``encode(_:)``) and where its features are in them:
    /// `featuresStart` is the offset just after the `[` that opens the `features` array (the bytes
    /// before it are the collection's members other than the features), and `features[i]` the byte
    /// range of annotation `i`'s Feature object, from its `{` to its `}`. Consecutive features are
    /// separated by `,` and whitespace only, so the bytes from one feature's start to a later
    /// feature's end, wrapped in `[` `]`, are a JSON array of those features. `kinds[i]` is the
    /// kind a reader of the file finds for annotation `i` (``AnnotationValue/kindName``): a mask is
    /// written as its traced outline, so it reads back as a polygon or multipolygon.
    /// - Throws: ``AnnotationError`` `.unsupported` for a probability map.
    public static func encodeLocatingFeatures(_ document: AnnotationDocument) throws -> (bytes: [UInt8], featuresStart: Int, features: [Range<Int>], kinds: [String]) {
        var writer = JSONWriter(capacity: 1 << 20)
        let categories = Dictionary(document.categories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        writer.beginObject()
        writer.key("type")
        writer.string("FeatureCollection")
        if document.images.count > 1 || document.images.contains(where: { $0.fileName != nil }) {
            writer.key("mifa:images")
            writer.beginArray()
            for image in document.images {
                writer.beginObject()
                writer.key("id")
                writeIdentifier(image.id, into: &writer)
                if let fileName = image.fileName { writer.key("file_name"); writer.string(fileName) }
                if let width = image.width { writer.key("width"); writer.int(Int64(width)) }
                if let height = image.height { writer.key("height"); writer.int(Int64(height)) }
                writer.endObject()
            }
            writer.endArray()
        }
        if document.categories.contains(where: { $0.id != .string($0.name) || $0.supercategory != nil }) {
            writer.key("mifa:categories")
            writer.beginArray()
            for category in document.categories {
                writer.beginObject()
                writer.key("id")
                writeIdentifier(category.id, into: &writer)
                writer.key("name")
                writer.string(category.name)
                if let supercategory = category.supercategory { writer.key("supercategory"); writer.string(supercategory) }
                writer.endObject()
            }
            writer.endArray()
        }
        if let tracking = document.tracking, !tracking.tracks.isEmpty {
            writer.key("mifa:tracks")
            writer.value(tracking.jsonValue)
        }
        writer.members(of: document.properties, skipping: ["type", "features", "mifa:images", "mifa:categories", "mifa:tracks"])
        writer.key("features")
        writer.beginArray()
        let featuresStart = writer.bytes.count
        var ranges: [Range<Int>] = [], kinds: [String] = []
        ranges.reserveCapacity(document.annotations.count)
        kinds.reserveCapacity(document.annotations.count)
        let multipleImages = document.images.count > 1
        for (index, annotation) in document.annotations.enumerated() {
            writer.newline()
            let context = ErrorContext(key: annotation.id.map { "annotation \($0)" } ?? "annotation #\(index)")
            // The comma before a feature is written by the feature's own beginObject.
            let start = writer.bytes.count + (index > 0 ? 1 : 0)
            kinds.append(try writeFeature(annotation, category: annotation.categoryID.flatMap { categories[$0] }, imageID: multipleImages ? annotation.imageID : nil,
                                          context: context, into: &writer))
            ranges.append(start..<writer.bytes.count)
        }
        writer.endArray()
        writer.newline()
        writer.endObject()
        writer.newline()
        return (writer.bytes, featuresStart, ranges, kinds)
    }

    /// Writes a document as a GeoJSON file, atomically.
    /// - Throws: ``AnnotationError`` as ``encode(_:)``, `.io` when the file cannot be written.
    public static func write(_ document: AnnotationDocument, to path: String) throws {
        try FileBytes.write(encode(document), to: path)
    }

    static func writeIdentifier(_ id: Identifier, into writer: inout JSONWriter) {
        switch id {
        case .int(let value): writer.int(value)
        case .string(let value): writer.string(value)
        }
    }

    /// Writes one Feature; returns the kind a reader finds in it (see ``encodeLocatingFeatures(_:)``).
    private static func writeFeature(_ annotation: Annotation, category: Category?, imageID: Identifier?, context: ErrorContext,
                                     into writer: inout JSONWriter) throws -> String {
        var kind = annotation.value.kindName
        var properties = annotation.properties
        let members = properties[GeoJSONKeys.featureMembers]?.objectValue ?? JSONObject()
        properties[GeoJSONKeys.featureMembers] = nil
        var geometry: Geometry?
        var type: String?
        switch annotation.value {
        case .mask(let rle):
            let shape = PixelEdgeTracer.trace(rle)
            geometry = shape.polygons.count == 1 ? .polygon(shape.polygons[0]) : .multiPolygon(shape)
            kind = AnnotationValue.geometry(geometry!).kindName
        case .geometry(let value):
            switch value {
            case .ellipse(let ellipse):
                type = "ellipse"
                properties[GeoJSONKeys.ellipse] = [
                    "center": .array([number(ellipse.center.x), number(ellipse.center.y)]),
                    "radii": .array([number(ellipse.radiusX), number(ellipse.radiusY)]), "rotation": number(ellipse.rotation),
                ]
                geometry = .polygon(ellipse.polygon())
            case .rectangle(let box):
                type = "rectangle"
                geometry = .polygon(Geometry.rectangle(box).polygons[0])
            default:
                geometry = value
            }
        case .box(let box):
            type = "box"
            geometry = .polygon(Geometry.rectangle(box).polygons[0])
        case .classLabel:
            type = "class"
        case .count(let count):
            type = "count"
            properties[GeoJSONKeys.count] = .number(JSONNumber(count.value))
            geometry = count.region
        case .derived(let value):
            type = "derived"
            properties["name"] = .string(value.name)
            properties["value"] = value.value
            if let unit = value.unit { properties["unit"] = .string(unit) }
            if let method = value.method { properties["method"] = .string(method) }
        case .graph(let graph):
            type = "graph"
            geometry = .multiPolyline(graph.polylines)
            properties[GeoJSONKeys.graph] = [
                "directed": .bool(graph.isDirected),
                "nodes": .array(graph.nodes.map { node in
                    .array([.number(JSONNumber(node.id)), number(node.position.x), number(node.position.y)] + (node.position.z.map { [number($0)] } ?? []))
                }),
                "edges": .array(graph.edges.map { .array([.number(JSONNumber($0.from)), .number(JSONNumber($0.to))]) }),
            ]
        case .probabilityMap:
            throw AnnotationError(.unsupported, "GeoJSON cannot hold a probability map; write it as a TIFF or .npy", context: context)
        }
        writer.beginObject()
        writer.key("type")
        writer.string("Feature")
        if let id = annotation.id {
            writer.key("id")
            writeIdentifier(id, into: &writer)
        }
        writer.key("geometry")
        if let geometry {
            writeGeometry(geometry, extras: members[GeoJSONKeys.geometryMembers]?.objectValue ?? JSONObject(), into: &writer)
        } else {
            writer.null()
        }
        writer.key("properties")
        writer.beginObject()
        writer.key("objectType")
        writer.value(properties["objectType"] ?? "annotation")
        if let category {
            writer.key("classification")
            writer.beginObject()
            if let names = category.properties["names"] {
                writer.key("names")
                writer.value(names)
            } else {
                writer.key("name")
                writer.string(category.name)
            }
            if let color = category.color {
                writer.key("color")
                writer.beginArray()
                for component in color { writer.int(Int64(component)) }
                writer.endArray()
            }
            writer.members(of: category.properties, skipping: ["names"])
            writer.endObject()
        }
        if let type { writer.key(GeoJSONKeys.type); writer.string(type) }
        if let confidence = annotation.confidence { writer.key(GeoJSONKeys.confidence); writer.double(confidence) }
        if annotation.isWeak { writer.key(GeoJSONKeys.weak); writer.bool(true) }
        if annotation.isCrowd { writer.key(GeoJSONKeys.crowd); writer.bool(true) }
        if let frame = annotation.frame { writer.key(GeoJSONKeys.frame); writer.int(Int64(frame)) }
        if let track = annotation.trackID { writer.key(GeoJSONKeys.track); writer.int(track) }
        if let imageID { writer.key(GeoJSONKeys.image); writeIdentifier(imageID, into: &writer) }
        writer.members(of: properties, skipping: ["objectType"])
        writer.endObject()
        writer.members(of: members, skipping: ["type", "id", "geometry", "properties", GeoJSONKeys.geometryMembers])
        writer.endObject()
        return kind
    }

    static func number(_ value: Double) -> JSONValue { JSONNumber(value).map(JSONValue.number) ?? .null }

    static func writeGeometry(_ geometry: Geometry, extras: JSONObject = JSONObject(), into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("type")
        writer.string(geometry.geoJSONType)
        writer.members(of: extras, skipping: ["type", "coordinates", "geometries"])
        if case .collection(let parts) = geometry {
            writer.key("geometries")
            writer.beginArray()
            for part in parts { writeGeometry(part, into: &writer) }
            writer.endArray()
            writer.endObject()
            return
        }
        writer.key("coordinates")
        switch geometry {
        case .point(let point): writePoint(point, into: &writer)
        case .multiPoint(let points):
            writer.beginArray()
            for point in points { writePoint(point, into: &writer) }
            writer.endArray()
        case .polyline(let line): writeLine(line.vertices, closed: false, into: &writer)
        case .multiPolyline(let lines):
            writer.beginArray()
            for line in lines { writeLine(line.vertices, closed: false, into: &writer) }
            writer.endArray()
        case .polygon(let polygon): writePolygon(polygon, into: &writer)
        case .multiPolygon(let multi):
            writer.beginArray()
            for polygon in multi.polygons { writePolygon(polygon, into: &writer) }
            writer.endArray()
        case .ellipse(let ellipse): writePolygon(ellipse.polygon(), into: &writer)
        case .rectangle: writePolygon(geometry.polygons[0], into: &writer)
        case .collection: break
        }
        writer.endObject()
    }

    static func writePoint(_ point: Point, into writer: inout JSONWriter) {
        writer.doubles(point.z.map { [point.x, point.y, $0] } ?? [point.x, point.y])
    }

    static func writeLine(_ vertices: [Vertex], closed: Bool, into writer: inout JSONWriter) {
        writer.beginArray()
        for vertex in vertices { writer.doubles([vertex.x, vertex.y]) }
        if closed, let first = vertices.first { writer.doubles([first.x, first.y]) }
        writer.endArray()
    }

    static func writePolygon(_ polygon: Polygon, into writer: inout JSONWriter) {
        let oriented = polygon.rfc7946Oriented
        writer.beginArray()
        writeLine(oriented.exterior.vertices, closed: true, into: &writer)
        for hole in oriented.holes { writeLine(hole.vertices, closed: true, into: &writer) }
        writer.endArray()
    }
}
