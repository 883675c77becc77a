import MIFACore

/// Options for reading GeoJSON.
public struct GeoJSONReadOptions: Sendable, Hashable {
    /// Accept self-intersecting rings with a warning instead of an error (they still rasterise,
    /// even-odd, but GEOS/shapely call them invalid).
    public var allowInvalidRings: Bool
    /// Repair what geojsonhint rejects (`--repair`): close unclosed rings, keep x, y, z of longer
    /// positions, read geometries with mixed 2-D and 3-D positions as 2-D; each kind of repair is
    /// reported once with its count. Without it such input is refused with its JSON pointer.
    public var repair: Bool

    /// Options; invalid rings are errors and nothing is repaired by default.
    public init(allowInvalidRings: Bool = false, repair: Bool = false) {
        self.allowInvalidRings = allowInvalidRings
        self.repair = repair
    }
}

/// Reads GeoJSON (RFC 7946, https://www.rfc-editor.org/rfc/rfc7946) as QuPath and other tools write
/// it: a FeatureCollection, a bare list of Features, one Feature or one Geometry.
///
/// QuPath's properties are understood and kept: `classification` (`name` and `color`, or `names`
/// for derived classes) becomes the annotation's category; `objectType`, `name`, `color`,
/// `isLocked`, `measurements` and anything else stay in ``Annotation/properties``, and Feature
/// members such as `nucleusGeometry` are kept too, so writing GeoJSON again gives them back.
/// Coordinates are pixels, corner-based (QuPath's convention and MIFAKit's). Rings wound the wrong
/// way or left unclosed are fixed with a warning; rings with fewer than 3 distinct positions,
/// non-finite numbers and self-intersecting rings are errors.
public enum GeoJSONReader {
    /// Reads a GeoJSON file.
    /// - Throws: ``AnnotationError`` `.io`, `.malformed` (with line, column and JSON pointer) or
    ///   `.invalidGeometry` naming the feature.
    public static func read(path: String, options: GeoJSONReadOptions = GeoJSONReadOptions()) throws -> AnnotationReadResult {
        try read(bytes: FileBytes.read(path), file: path, options: options)
    }

    /// Reads GeoJSON from memory.
    /// - Throws: ``AnnotationError`` as ``read(path:options:)``.
    public static func read(bytes: [UInt8], file: String? = nil, options: GeoJSONReadOptions = GeoJSONReadOptions()) throws -> AnnotationReadResult {
        var parser = GeoJSONParser(file: file, options: options)
        try JSONReader.readAnnotationJSON(bytes, file: file) { reader in try parser.readTop(&reader) }
        try parser.applyDeclarations()
        return AnnotationReadResult(document: parser.document, warnings: parser.warnings + parser.repairReport())
    }
}

/// Names of the properties MIFAKit uses in GeoJSON for what GeoJSON has no field for.
enum GeoJSONKeys {
    static let type = "mifa:type"
    static let ellipse = "mifa:ellipse"
    static let graph = "mifa:graph"
    static let featureMembers = "mifa:feature"
    /// Inside `mifa:feature`: the geometry's own extra members (QuPath's `plane`).
    static let geometryMembers = "mifa:geometry"
    static let confidence = "confidence"
    static let weak = "weak"
    static let crowd = "iscrowd"
    static let frame = "frame"
    static let track = "track_id"
    static let image = "image_id"
    static let count = "count"
}

struct GeoJSONParser {
    let file: String?
    let options: GeoJSONReadOptions
    var document = AnnotationDocument()
    var warnings: [AnnotationWarning] = []
    var categoryIndex: [String: Int] = [:]
    var declaredImages: JSONValue?
    var declaredCategories: JSONValue?
    /// The depth (2 or 3) of the current geometry's first position.
    var positionDepth: Int?
    /// Where the current geometry's first position of another depth is (only when repairing).
    var mixedDepth: String?
    /// What was repaired, per kind: how often and where first.
    var repairs: [(code: AnnotationWarning.Code, count: Int, pointer: String)] = []

    init(file: String?, options: GeoJSONReadOptions) {
        self.file = file
        self.options = options
    }

    mutating func readTop(_ reader: inout JSONReader) throws {
        switch try reader.peekKind() {
        case .array:
            try reader.readArray { reader, _ in try readFeature(&reader) }
        case .object:
            // Decide by "type"; when it is not the first member, look ahead for it.
            let start = reader.position
            var type = reader.firstMemberString(named: "type")
            if type == nil {
                var probe = reader
                try probe.readObject { reader, key in
                    if key.name == "type", try reader.peekKind() == .string { type = try reader.readString() } else { try reader.skipValue() }
                }
            }
            reader.position = start
            switch type {
            case "FeatureCollection":
                try reader.readObject { reader, key in
                    switch key.name {
                    case "features": try reader.readArray { reader, _ in try readFeature(&reader) }
                    case "type": _ = try reader.readString()
                    case "mifa:images": declaredImages = try reader.readValue()
                    case "mifa:categories": declaredCategories = try reader.readValue()
                    case "mifa:tracks":
                        let context = ErrorContext(file: file, pointer: reader.pointer)
                        document.tracking = try Tracking(json: try reader.readValue(), context: context)
                    default: document.properties[key.name] = try reader.readValue()
                    }
                }
            case "Feature":
                try readFeature(&reader)
            case let geometryType?:
                guard GeoJSONGeometry.types.contains(geometryType) else {
                    throw reader.error("\"type\": \"\(geometryType)\" is not a GeoJSON type; expected FeatureCollection, Feature or a geometry")
                }
                let geometry = try GeoJSONGeometry.read(&reader, parser: &self)
                if let geometry { document.annotations.append(Annotation(value: .geometry(geometry))) }
            case nil:
                throw reader.error("a GeoJSON object needs a \"type\" (FeatureCollection, Feature or a geometry type)")
            }
        default:
            throw reader.typeError("a GeoJSON FeatureCollection, Feature, geometry or a list of Features")
        }
    }

    mutating func readFeature(_ reader: inout JSONReader) throws {
        var annotation = Annotation(value: .classLabel)
        var geometry: Geometry?
        var properties = JSONObject()
        var members = JSONObject()
        var geometryMembers = JSONObject()
        var isFeature = false
        let featurePointer = reader.pointer
        try reader.readObject { reader, key in
            switch key.name {
            case "type":
                let type = try reader.readString()
                guard type == "Feature" else { throw reader.error("expected \"type\": \"Feature\", found \"\(type)\"") }
                isFeature = true
            case "id":
                switch try reader.peekKind() {
                case .string: annotation.id = .string(try reader.readString())
                case .number: annotation.id = .int(try reader.readInt64())
                default: throw reader.typeError("a string or number id")
                }
            case "geometry": geometry = try GeoJSONGeometry.read(&reader, parser: &self, extras: &geometryMembers)
            case "properties":
                if !reader.readNull() {
                    guard case .object(let object) = try reader.readValue() else { throw reader.typeError("an object") }
                    properties = object
                }
            default: members[key.name] = try reader.readValue()
            }
        }
        guard isFeature else {
            throw AnnotationError(.malformed, "a feature needs \"type\": \"Feature\"", context: ErrorContext(file: file, pointer: featurePointer))
        }
        let context = ErrorContext(file: file, pointer: featurePointer, key: annotation.id.map { "feature \($0)" })
        try apply(properties: properties, geometry: geometry, to: &annotation, context: context)
        if !geometryMembers.isEmpty { members[GeoJSONKeys.geometryMembers] = .object(geometryMembers) }
        if !members.isEmpty { annotation.properties[GeoJSONKeys.featureMembers] = .object(members) }
        document.annotations.append(annotation)
    }

    /// Maps GeoJSON/QuPath properties and the geometry onto the annotation's fields.
    mutating func apply(properties: JSONObject, geometry: Geometry?, to annotation: inout Annotation, context: ErrorContext) throws {
        var rest = properties
        if let classification = rest["classification"] {
            annotation.categoryID = category(for: classification)
            rest["classification"] = nil
        }
        if let value = rest[GeoJSONKeys.confidence]?.numberValue?.doubleValue {
            annotation.confidence = value
            rest[GeoJSONKeys.confidence] = nil
        }
        if let value = rest[GeoJSONKeys.weak]?.boolValue {
            annotation.isWeak = value
            rest[GeoJSONKeys.weak] = nil
        }
        if let value = rest[GeoJSONKeys.crowd]?.boolValue ?? rest[GeoJSONKeys.crowd]?.numberValue?.intValue.map({ $0 != 0 }) {
            annotation.isCrowd = value
            rest[GeoJSONKeys.crowd] = nil
        }
        if let value = rest[GeoJSONKeys.frame]?.numberValue?.intValue {
            annotation.frame = value
            rest[GeoJSONKeys.frame] = nil
        }
        if let value = rest[GeoJSONKeys.track]?.numberValue?.int64Value {
            annotation.trackID = value
            rest[GeoJSONKeys.track] = nil
        }
        if let value = rest[GeoJSONKeys.image] {
            annotation.imageID = value.numberValue?.int64Value.map(Identifier.int) ?? value.stringValue.map(Identifier.string)
            rest[GeoJSONKeys.image] = nil
        }
        let type = rest[GeoJSONKeys.type]?.stringValue
        rest[GeoJSONKeys.type] = nil
        annotation.value = try GeoJSONValues.value(type: type, geometry: geometry, properties: &rest, context: context)
        annotation.properties = rest
    }

    /// The category for a QuPath `classification` (`{name, color}` or `{names: [...]}`) or a plain name.
    mutating func category(for classification: JSONValue) -> Identifier? {
        let name: String
        var color: [Int]?
        var extra = JSONObject()
        switch classification {
        case .string(let text): name = text
        case .object(let object):
            if let text = object["name"]?.stringValue {
                name = text
            } else if let names = object["names"]?.arrayValue?.compactMap(\.stringValue), !names.isEmpty {
                name = names.joined(separator: ": ")
                extra["names"] = object["names"]
            } else {
                return nil
            }
            color = object["color"]?.arrayValue?.compactMap { $0.numberValue?.intValue }
            for member in object.members where !["name", "names", "color"].contains(member.key) { extra[member.key] = member.value }
        default: return nil
        }
        if let index = categoryIndex[name] { return document.categories[index].id }
        let category = Category(id: .string(name), name: name, color: color, properties: extra)
        categoryIndex[name] = document.categories.count
        document.categories.append(category)
        return category.id
    }

    /// Applies the `mifa:images` and `mifa:categories` lists a MIFAKit writer put in the collection.
    mutating func applyDeclarations() throws {
        func identifier(_ value: JSONValue?) -> Identifier? {
            value?.numberValue?.int64Value.map(Identifier.int) ?? value?.stringValue.map(Identifier.string)
        }
        if let images = declaredImages?.arrayValue {
            for (index, entry) in images.enumerated() {
                guard let id = identifier(entry["id"]) else {
                    throw AnnotationError(.malformed, "each entry of mifa:images needs an \"id\"", context: ErrorContext(file: file, pointer: "/mifa:images/\(index)"))
                }
                document.images.append(ImageReference(
                    id: id, fileName: entry["file_name"]?.stringValue, width: entry["width"]?.numberValue?.intValue,
                    height: entry["height"]?.numberValue?.intValue))
            }
        }
        if let categories = declaredCategories?.arrayValue {
            var remap: [Identifier: Identifier] = [:]
            var declared: [Category] = []
            for (index, entry) in categories.enumerated() {
                guard let id = identifier(entry["id"]), let name = entry["name"]?.stringValue else {
                    throw AnnotationError(.malformed, "each entry of mifa:categories needs \"id\" and \"name\"", context: ErrorContext(file: file, pointer: "/mifa:categories/\(index)"))
                }
                var category = categoryIndex[name].map { document.categories[$0] } ?? Category(id: id, name: name)
                remap[category.id] = id
                category.id = id
                category.supercategory = entry["supercategory"]?.stringValue
                declared.append(category)
            }
            let declaredNames = Set(declared.map(\.name))
            document.categories = declared + document.categories.filter { !declaredNames.contains($0.name) }
            for index in document.annotations.indices {
                if let id = document.annotations[index].categoryID, let mapped = remap[id] { document.annotations[index].categoryID = mapped }
            }
        }
    }

    /// Counts one repair of a kind.
    mutating func repaired(_ code: AnnotationWarning.Code, pointer: String) {
        if let index = repairs.firstIndex(where: { $0.code == code }) {
            repairs[index].count += 1
        } else {
            repairs.append((code, 1, pointer))
        }
    }

    /// One warning per kind of repair, with its count and the first place.
    func repairReport() -> [AnnotationWarning] {
        repairs.map { code, count, pointer in
            let what = switch code {
            case .unclosedRing: "unclosed ring(s) closed (their first position repeated at the end)"
            case .extraDimensions: "position(s) with more than 3 numbers cut to x, y, z"
            default: "geometry(ies) mixing 2-D and 3-D positions read as 2-D"
            }
            return AnnotationWarning(code, "repaired \(count) \(what); the first at \(pointer)", context: ErrorContext(file: file, pointer: pointer))
        }
    }

    mutating func warn(_ code: AnnotationWarning.Code, _ message: String, pointer: String) {
        warnings.append(AnnotationWarning(code, message, context: ErrorContext(file: file, pointer: pointer)))
    }
}
