public import MIFACore

/// The `type` of an OME-NGFF axis: `space`, `time`, `channel`, or any other (custom) string.
///
/// See https://ngff.openmicroscopy.org/0.5/#axes-md.
public enum AxisType: Sendable, Hashable, CustomStringConvertible {
    /// A spatial axis (`z`, `y`, `x`); 2 or 3 per image, always last.
    case space
    /// A time axis; at most one, always first.
    case time
    /// A channel axis; at most one, between time and space.
    case channel
    /// Any other type, e.g. `angle`.
    case custom(String)

    /// The type named by `text`.
    public init(_ text: String) {
        switch text {
        case "space": self = .space
        case "time": self = .time
        case "channel": self = .channel
        default: self = .custom(text)
        }
    }

    /// The string written in the metadata.
    public var rawValue: String {
        switch self {
        case .space: "space"
        case .time: "time"
        case .channel: "channel"
        case .custom(let text): text
        }
    }

    /// The string written in the metadata.
    public var description: String { rawValue }
}

/// One axis of a multiscale image: its name, type and unit.
///
/// See https://ngff.openmicroscopy.org/0.4/#axes-md and https://ngff.openmicroscopy.org/0.5/#axes-md.
public struct Axis: Sendable, Hashable, CustomStringConvertible {
    /// The name, unique among the image's axes, e.g. `t`, `c`, `z`, `y`, `x`.
    public var name: String
    /// The type, when given.
    public var type: AxisType?
    /// The unit, when given, e.g. `micrometer`, `second` (UDUNITS-2 names are recommended).
    public var unit: String?

    /// An axis with a name and optional type and unit.
    public init(name: String, type: AxisType? = nil, unit: String? = nil) {
        self.name = name
        self.type = type
        self.unit = unit
    }

    /// A spatial axis.
    public static func space(_ name: String, unit: String? = nil) -> Axis { Axis(name: name, type: .space, unit: unit) }
    /// A time axis named `t`.
    public static func time(unit: String? = nil) -> Axis { Axis(name: "t", type: .time, unit: unit) }
    /// A channel axis named `c`.
    public static func channel() -> Axis { Axis(name: "c", type: .channel) }

    /// The axes OME-NGFF readers assume for a rank: the trailing names of `t, c, z, y, x`
    /// with their types; `nil` outside 2...5.
    public static func defaults(rank: Int, spaceUnit: String? = nil) -> [Axis]? {
        guard (2...5).contains(rank) else { return nil }
        let all: [Axis] = [.time(), .channel(), .space("z", unit: spaceUnit), .space("y", unit: spaceUnit), .space("x", unit: spaceUnit)]
        return Array(all.suffix(rank))
    }

    /// The position of the type in the required order: time 0, channel or custom 1, space 2.
    var orderRank: Int {
        switch type {
        case .time?: 0
        case .space?: 2
        default: 1
        }
    }

    /// Whether the axis is spatial.
    public var isSpace: Bool { type == .space }

    /// `name(type, unit)`.
    public var description: String {
        let details = [type?.rawValue, unit].compactMap { $0 }
        return details.isEmpty ? name : "\(name)(\(details.joined(separator: ", ")))"
    }

    /// The axis as metadata: `{"name": .., "type": .., "unit": ..}`.
    public var json: JSONValue {
        var object: JSONObject = ["name": .string(name)]
        if let type { object["type"] = .string(type.rawValue) }
        if let unit { object["unit"] = .string(unit) }
        return .object(object)
    }

    /// Reads an axis; the validator has already checked the types, so this only fails on input
    /// that was not validated.
    /// - Throws: ``OMEZarrError`` `.invalidMetadata` when `name` is not a string or `type`/`unit`
    ///   are not strings.
    init(json: JSONValue, at pointer: JSONPointer, file: String?) throws {
        guard let object = json.objectValue, let name = object["name"]?.stringValue else {
            throw OMEZarrError(.invalidMetadata, "an axis must be an object with a string 'name', found \(json.summary)", file: file, pointer: pointer)
        }
        self.name = name
        if let type = object["type"], !type.isNull {
            guard let text = type.stringValue else {
                throw OMEZarrError(.invalidMetadata, "axis type must be a string, found \(type.summary)", file: file, pointer: pointer.appending("type"))
            }
            self.type = AxisType(text)
        }
        if let unit = object["unit"], !unit.isNull {
            guard let text = unit.stringValue else {
                throw OMEZarrError(.invalidMetadata, "axis unit must be a string, found \(unit.summary)", file: file, pointer: pointer.appending("unit"))
            }
            self.unit = text
        }
    }
}
