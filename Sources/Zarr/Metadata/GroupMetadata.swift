public import MIFACore

/// What the metadata of a group says: its attributes and, when consolidated, the metadata of every
/// node below it.
///
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#group-metadata,
/// https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#groups and, for consolidated
/// metadata, zarr-python's `.zmetadata` (v2) and inline `consolidated_metadata` (v3).
public struct GroupMetadata: Sendable, Hashable {
    /// The version the group was read from or will be written as.
    public var format: ZarrFormat
    /// User attributes.
    public var attributes: JSONObject
    /// The metadata of every node below the group by path relative to it (`a`, `a/b`), when the
    /// group carries consolidated metadata.
    public var consolidated: [String: NodeMetadata]?

    /// A group with these attributes.
    public init(format: ZarrFormat = .v3, attributes: JSONObject = JSONObject(), consolidated: [String: NodeMetadata]? = nil) {
        self.format = format
        self.attributes = attributes
        self.consolidated = consolidated
    }

    /// Parses a v3 group `zarr.json`, with inline consolidated metadata if present.
    /// - Throws: ``ZarrError`` `.invalidMetadata` with a JSON pointer; `.unsupportedExtension` for
    ///   unknown members that must be understood.
    public static func parseV3(_ document: JSONValue, file: String? = nil) throws -> GroupMetadata {
        let root = MetadataField(document, file: file)
        let format = try root.member("zarr_format")
        guard try format.int() == 3 else { throw format.fail("zarr_format must be 3 in zarr.json") }
        let nodeType = try root.member("node_type")
        guard try nodeType.string() == "group" else { throw nodeType.fail("node_type must be \"group\" for a group") }
        try root.refuseUnknownMembers(known: ["zarr_format", "node_type", "attributes", "consolidated_metadata"])
        let attributes = try root.optionalMember("attributes").map { try $0.object() } ?? JSONObject()
        var consolidated: [String: NodeMetadata]?
        if let inline = try root.nonNullMember("consolidated_metadata") {
            let kind = try inline.member("kind")
            guard try kind.string() == "inline" else { throw kind.fail("consolidated metadata kind must be \"inline\"") }
            var nodes: [String: NodeMetadata] = [:]
            let metadata = try inline.member("metadata")
            for member in try metadata.object() {
                try StoreKey.validatePrefix(member.key)
                let field = MetadataField(member.value, pointer: metadata.pointer.appending(member.key), file: file)
                let type = try field.member("node_type").string()
                if type == "array" {
                    nodes[member.key] = .array(try ArrayMetadata.parseV3(member.value, file: file))
                } else {
                    var group = try GroupMetadata.parseV3(member.value, file: file)
                    group.consolidated = nil
                    nodes[member.key] = .group(group)
                }
            }
            consolidated = nodes
        }
        return GroupMetadata(format: .v3, attributes: attributes, consolidated: consolidated)
    }

    /// Parses a v2 `.zgroup` with its `.zattrs`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` with a JSON pointer.
    public static func parseV2(_ document: JSONValue, attributes: JSONValue? = nil, file: String? = nil) throws -> GroupMetadata {
        let root = MetadataField(document, file: file)
        let format = try root.member("zarr_format")
        guard try format.int() == 2 else { throw format.fail("zarr_format must be 2 in .zgroup") }
        let attributeObject = try attributes.map { try MetadataField($0, file: file.map { ArrayMetadata.sibling($0, ".zattrs") }).object() }
        return GroupMetadata(format: .v2, attributes: attributeObject ?? JSONObject())
    }

    /// Parses a v2 `.zmetadata` document into the root group's metadata with every node below it.
    /// - Throws: ``ZarrError`` `.invalidMetadata` with a JSON pointer.
    public static func parseV2Consolidated(_ document: JSONValue, file: String? = nil) throws -> GroupMetadata {
        let root = MetadataField(document, file: file)
        let metadata = try root.member("metadata")
        let documents = try metadata.object()
        func field(_ key: String) -> JSONValue? { documents[key] }
        guard let rootGroup = field(".zgroup") else { throw metadata.fail("consolidated metadata has no '.zgroup'") }
        var group = try parseV2(rootGroup, attributes: field(".zattrs"), file: file)
        var nodes: [String: NodeMetadata] = [:]
        for member in documents {
            let key = member.key
            for (suffix, isArray) in [("/.zarray", true), ("/.zgroup", false)] where key.hasSuffix(suffix) {
                let path = String(key.dropLast(suffix.count))
                try StoreKey.validatePrefix(path)
                let attributes = field(path + "/.zattrs")
                nodes[path] = isArray
                    ? .array(try ArrayMetadata.parseV2(member.value, attributes: attributes, file: file))
                    : .group(try parseV2(member.value, attributes: attributes, file: file))
            }
        }
        group.consolidated = nodes
        return group
    }

    /// The v3 `zarr.json` document (with inline consolidated metadata when present).
    public func v3Document() -> JSONValue {
        var object = JSONObject()
        object["zarr_format"] = 3
        object["node_type"] = "group"
        object["attributes"] = .object(attributes)
        if let consolidated {
            var nodes = JSONObject()
            for path in consolidated.keys.sorted() {
                switch consolidated[path]! {
                case .array(let array): nodes[path] = array.v3Document()
                case .group(let group): nodes[path] = GroupMetadata(format: .v3, attributes: group.attributes).v3Document()
                }
            }
            object["consolidated_metadata"] = ["kind": "inline", "must_understand": false, "metadata": .object(nodes)]
        }
        return .object(object)
    }
}

/// The metadata of an array or a group.
public enum NodeMetadata: Sendable, Hashable {
    /// An array.
    case array(ArrayMetadata)
    /// A group.
    case group(GroupMetadata)

    /// The node's attributes.
    public var attributes: JSONObject {
        switch self {
        case .array(let array): array.attributes
        case .group(let group): group.attributes
        }
    }

    /// The node's format.
    public var format: ZarrFormat {
        switch self {
        case .array(let array): array.format
        case .group(let group): group.format
        }
    }
}
