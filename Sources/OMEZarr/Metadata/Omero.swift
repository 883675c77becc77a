public import MIFACore

/// The display window of a channel: the value range of the data type (`min`, `max`) and the range
/// mapped onto the display (`start`, `end`).
public struct OmeroWindow: Sendable, Hashable {
    /// Lowest value the channel can hold.
    public var min: Double
    /// Highest value the channel can hold.
    public var max: Double
    /// Value shown as black.
    public var start: Double
    /// Value shown at full intensity.
    public var end: Double

    /// A window from its four values.
    public init(min: Double, max: Double, start: Double, end: Double) {
        self.min = min
        self.max = max
        self.start = start
        self.end = end
    }
}

/// How one channel is rendered (the transitional `omero` block).
///
/// See https://ngff.openmicroscopy.org/0.5/#omero-md.
public struct OmeroChannel: Sendable, Hashable {
    /// The channel's name.
    public var label: String?
    /// The colour as six hex digits, e.g. `FF0000`.
    public var color: String?
    /// The display window.
    public var window: OmeroWindow?
    /// Whether the channel is shown.
    public var active: Bool?
    /// The intensity mapping family, e.g. `linear`.
    public var family: String?
    /// Whether the lookup table is inverted.
    public var inverted: Bool?
    /// The coefficient of the mapping family.
    public var coefficient: Double?

    /// A channel with the given rendering settings.
    public init(label: String? = nil, color: String? = nil, window: OmeroWindow? = nil, active: Bool? = true,
                family: String? = "linear", inverted: Bool? = false, coefficient: Double? = 1) {
        self.label = label
        self.color = color
        self.window = window
        self.active = active
        self.family = family
        self.inverted = inverted
        self.coefficient = coefficient
    }

    /// The channel as metadata.
    public var json: JSONValue {
        var object = JSONObject()
        func number(_ value: Double) -> JSONValue { JSONNumber(value).map(JSONValue.number) ?? .null }
        if let active { object["active"] = .bool(active) }
        if let coefficient { object["coefficient"] = number(coefficient) }
        if let color { object["color"] = .string(color) }
        if let family { object["family"] = .string(family) }
        if let inverted { object["inverted"] = .bool(inverted) }
        if let label { object["label"] = .string(label) }
        if let window {
            object["window"] = ["min": number(window.min), "max": number(window.max), "start": number(window.start), "end": number(window.end)]
        }
        return .object(object)
    }

    /// Reads a channel, keeping what is well-typed and ignoring the rest.
    init(json: JSONValue) {
        label = json["label"]?.stringValue
        color = json["color"]?.stringValue
        active = json["active"]?.boolValue
        family = json["family"]?.stringValue
        inverted = json["inverted"]?.boolValue
        coefficient = json["coefficient"]?.numberValue?.doubleValue
        if let window = json["window"], let min = window["min"]?.numberValue?.doubleValue, let max = window["max"]?.numberValue?.doubleValue,
           let start = window["start"]?.numberValue?.doubleValue, let end = window["end"]?.numberValue?.doubleValue {
            self.window = OmeroWindow(min: min, max: max, start: start, end: end)
        }
    }
}

/// The `omero` rendering metadata of an image: one entry per channel and the default rendering.
///
/// See https://ngff.openmicroscopy.org/0.4/#omero-md and https://ngff.openmicroscopy.org/0.5/#omero-md.
public struct OmeroMetadata: Sendable, Hashable {
    /// One entry per channel, in the order of the channel axis.
    public var channels: [OmeroChannel]
    /// `rdefs.model`: `color` or `greyscale`.
    public var model: String?
    /// `rdefs.defaultT`, `rdefs.defaultZ`: the planes shown first.
    public var defaultT: Int?
    /// The z plane shown first.
    public var defaultZ: Int?
    /// The image's name.
    public var name: String?

    /// Rendering metadata for the given channels.
    public init(channels: [OmeroChannel], model: String? = nil, defaultT: Int? = nil, defaultZ: Int? = nil, name: String? = nil) {
        self.channels = channels
        self.model = model
        self.defaultT = defaultT
        self.defaultZ = defaultZ
        self.name = name
    }

    /// The block as metadata.
    public var json: JSONValue {
        var object: JSONObject = ["channels": .array(channels.map(\.json))]
        if let name { object["name"] = .string(name) }
        var rdefs = JSONObject()
        if let model { rdefs["model"] = .string(model) }
        if let defaultT { rdefs["defaultT"] = .number(JSONNumber(defaultT)) }
        if let defaultZ { rdefs["defaultZ"] = .number(JSONNumber(defaultZ)) }
        if !rdefs.isEmpty { object["rdefs"] = .object(rdefs) }
        return .object(object)
    }

    /// Reads the block, keeping what is well-typed; `nil` when it has no `channels` list.
    init?(json: JSONValue) {
        guard let channels = json["channels"]?.arrayValue else { return nil }
        self.channels = channels.map(OmeroChannel.init(json:))
        name = json["name"]?.stringValue
        model = json["rdefs"]?["model"]?.stringValue
        defaultT = json["rdefs"]?["defaultT"]?.numberValue?.intValue
        defaultZ = json["rdefs"]?["defaultZ"]?.numberValue?.intValue
    }
}
