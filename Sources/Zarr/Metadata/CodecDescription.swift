public import MIFACore

/// A codec as metadata names it: a name and its configuration, not yet checked.
///
/// v3 writes `{"name": "zstd", "configuration": {"level": 3}}`; v2 compressors and filters
/// (`{"id": "blosc", "cname": "lz4", ...}`) are normalised into the same form when read, with
/// their numcodecs id as the name. ``CodecRegistry`` turns a description into a codec.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#codecs.
public struct CodecDescription: Sendable, Hashable {
    /// The codec name or v2 id, e.g. `bytes`, `blosc`, `numcodecs.zlib`, `delta`.
    public var name: String
    /// The configuration members.
    public var configuration: JSONObject
    /// Where the description sits in its metadata document (JSON pointer), for errors.
    public var pointer: String

    /// A description with its name, configuration and place.
    public init(name: String, configuration: JSONObject = JSONObject(), pointer: String = "") {
        self.name = name
        self.configuration = configuration
        self.pointer = pointer
    }

    /// Equal when name and configuration are equal, wherever they were read.
    public static func == (lhs: CodecDescription, rhs: CodecDescription) -> Bool {
        lhs.name == rhs.name && lhs.configuration == rhs.configuration
    }

    /// Hashes name and configuration.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(configuration)
    }

    /// The v3 JSON object: `{"name": ..., "configuration": ...}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        if !configuration.isEmpty { object["configuration"] = .object(configuration) }
        return .object(object)
    }
}
