public import MIFACore

/// The display colour of one label value.
public struct LabelColor: Sendable, Hashable {
    /// The pixel value.
    public var labelValue: Int64
    /// Red, green, blue, alpha, each 0...255.
    public var rgba: [UInt8]?

    /// A colour for a label value.
    public init(labelValue: Int64, rgba: [UInt8]?) {
        self.labelValue = labelValue
        self.rgba = rgba
    }

    /// The colour as metadata.
    public var json: JSONValue {
        var object: JSONObject = ["label-value": .number(JSONNumber(labelValue))]
        if let rgba { object["rgba"] = .array(rgba.map { .number(JSONNumber(Int($0))) }) }
        return .object(object)
    }

    /// A stable, well-spread colour for a label value: transparent black for 0 (background),
    /// otherwise an opaque colour whose hue follows the golden ratio from the value.
    public static func automatic(for value: Int64) -> LabelColor {
        guard value != 0 else { return LabelColor(labelValue: 0, rgba: [0, 0, 0, 0]) }
        let hue = (Double(UInt64(bitPattern: value) % 100_003) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
        let saturation = 0.65 + 0.35 * Double((UInt64(bitPattern: value) / 7) % 2)
        let brightness = 0.95 - 0.25 * Double((UInt64(bitPattern: value) / 3) % 2)
        let sector = hue * 6
        let f = sector - sector.rounded(.down)
        let p = brightness * (1 - saturation), q = brightness * (1 - saturation * f), t = brightness * (1 - saturation * (1 - f))
        let (r, g, b): (Double, Double, Double)
        switch Int(sector) % 6 {
        case 0: (r, g, b) = (brightness, t, p)
        case 1: (r, g, b) = (q, brightness, p)
        case 2: (r, g, b) = (p, brightness, t)
        case 3: (r, g, b) = (p, q, brightness)
        case 4: (r, g, b) = (t, p, brightness)
        default: (r, g, b) = (brightness, p, q)
        }
        return LabelColor(labelValue: value, rgba: [r, g, b].map { UInt8(($0 * 255).rounded()) } + [255])
    }
}

/// The `image-label` metadata of a label image: colours and properties per label value and the
/// image the labels were drawn on.
///
/// See https://ngff.openmicroscopy.org/0.4/#label-md and https://ngff.openmicroscopy.org/0.5/#label-md.
public struct ImageLabelMetadata: Sendable, Hashable {
    /// Display colours, at most one per label value.
    public var colors: [LabelColor]?
    /// Free-form properties per label value: each object has `label-value` and any other keys.
    public var properties: [JSONObject]?
    /// The path of the labelled image relative to the label image, normally `../../`.
    public var sourceImage: String?

    /// Label metadata with colours, properties and the source image.
    public init(colors: [LabelColor]? = nil, properties: [JSONObject]? = nil, sourceImage: String? = "../../") {
        self.colors = colors
        self.properties = properties
        self.sourceImage = sourceImage
    }

    /// The block as metadata; `version` is written inside it for 0.4 only.
    public func json(version: NGFFVersion) -> JSONValue {
        var object = JSONObject()
        if version == .v04 { object["version"] = .string(version.rawValue) }
        if let colors { object["colors"] = .array(colors.map(\.json)) }
        if let properties { object["properties"] = .array(properties.map(JSONValue.object)) }
        if let sourceImage { object["source"] = ["image": .string(sourceImage)] }
        return .object(object)
    }

    /// Reads the block, keeping what is well-typed (a colour whose value is not an integer is left out).
    init(json: JSONValue) {
        colors = json["colors"]?.arrayValue?.compactMap { item in
            guard let value = item["label-value"]?.numberValue?.int64Value else { return nil }
            let rgba = item["rgba"]?.arrayValue?.compactMap { $0.numberValue?.intValue }.compactMap { UInt8(exactly: $0) }
            return LabelColor(labelValue: value, rgba: rgba?.count == 4 ? rgba : nil)
        }
        properties = json["properties"]?.arrayValue?.compactMap(\.objectValue)
        sourceImage = json["source"]?["image"]?.stringValue
    }
}
