public import MIFACore

/// A Zarr group: attributes and children (arrays and groups), v2 or v3.
///
/// Children are listed from consolidated metadata when the group has it (so HTTP stores, which
/// cannot list, work), otherwise by listing the store.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#group-metadata.
public struct ZarrGroup: Sendable {
    /// The store holding the group.
    public let store: any ZarrStore
    /// The group's node path (`""` for the root).
    public let path: String
    /// The group's metadata.
    public let metadata: GroupMetadata

    /// Opens the group at `path`.
    /// - Throws: ``ZarrError`` `.notFound` when there is no group there (or an array),
    ///   `.invalidMetadata` for bad metadata, store errors.
    public static func open(_ store: any ZarrStore, path: String = "") throws -> ZarrGroup {
        guard case .group(let metadata) = try ZarrNode.readMetadata(store, path: path) else {
            throw ZarrError(.notFound, "'\(path.isEmpty ? "/" : path)' is an array, not a group", context: ErrorContext(file: store.location, key: path))
        }
        return ZarrGroup(store: store, path: path, metadata: metadata)
    }

    /// Creates a group (writing `zarr.json`, or `.zgroup` and `.zattrs`).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when a node exists and `overwrite` is false; store errors.
    @discardableResult
    public static func create(_ store: any ZarrStore, path: String = "", format: ZarrFormat = .v3,
                              attributes: JSONObject = JSONObject(), overwrite: Bool = false) throws -> ZarrGroup {
        try StoreKey.validatePrefix(path)
        try ZarrNode.prepareForCreate(store, path: path, overwrite: overwrite)
        let metadata = GroupMetadata(format: format, attributes: attributes)
        try ZarrNode.writeMetadata(store, path: path, .group(metadata))
        return ZarrGroup(store: store, path: path, metadata: metadata)
    }

    init(store: any ZarrStore, path: String, metadata: GroupMetadata) {
        self.store = store
        self.path = path
        self.metadata = metadata
    }

    /// The group's attributes.
    public var attributes: JSONObject { metadata.attributes }

    /// The group with new attributes, written to the store.
    /// - Throws: store errors.
    public func settingAttributes(_ attributes: JSONObject) throws -> ZarrGroup {
        var metadata = self.metadata
        metadata.attributes = attributes
        try ZarrNode.writeMetadata(store, path: path, .group(metadata))
        return ZarrGroup(store: store, path: path, metadata: metadata)
    }

    /// The path of a child.
    public func childPath(_ name: String) -> String {
        path.isEmpty ? name : "\(path)/\(name)"
    }

    /// The direct children, sorted by name, with their metadata.
    /// - Throws: ``ZarrError`` from the store or from a child's metadata.
    public func children() throws -> [(name: String, metadata: NodeMetadata)] {
        if let consolidated = metadata.consolidated {
            return consolidated.filter { !$0.key.contains("/") }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        var result: [(String, NodeMetadata)] = []
        for name in try store.listDirectory(prefix: path.isEmpty ? "" : path + "/").prefixes {
            guard (try? StoreKey(name)) != nil else { continue }
            do {
                result.append((name, try ZarrNode.readMetadata(store, path: childPath(name))))
            } catch let error as ZarrError where error.kind == .notFound {
                continue
            }
        }
        return result
    }

    /// Opens a child array by name (or relative path).
    /// - Throws: as ``ZarrArray/open(_:path:registry:)``.
    public func openArray(_ name: String) throws -> ZarrArray {
        try ZarrArray.open(store, path: childPath(name))
    }

    /// Opens a child group by name (or relative path).
    /// - Throws: as ``open(_:path:)``.
    public func openGroup(_ name: String) throws -> ZarrGroup {
        try ZarrGroup.open(store, path: childPath(name))
    }

    /// The metadata of every node below the group at `path` of `store`, by path relative to it
    /// (`a`, `a/b`), read from the nodes themselves by listing the store (never from consolidated
    /// metadata): what ``consolidate()`` writes, and what consolidated metadata is checked against.
    /// The group itself need not have metadata yet.
    /// - Throws: ``ZarrError`` from the store or from a node's metadata.
    public static func hierarchy(_ store: any ZarrStore, path: String = "", format: ZarrFormat = .v3) throws -> [String: NodeMetadata] {
        var nodes: [String: NodeMetadata] = [:]
        func walk(_ group: ZarrGroup, prefix: String) throws {
            for (name, child) in try ZarrGroup(store: group.store, path: group.path, metadata: GroupMetadata(format: group.metadata.format)).children() {
                let relative = prefix.isEmpty ? name : "\(prefix)/\(name)"
                nodes[relative] = child
                if case .group(let metadata) = child {
                    try walk(ZarrGroup(store: store, path: group.childPath(name), metadata: metadata), prefix: relative)
                }
            }
        }
        try walk(ZarrGroup(store: store, path: path, metadata: GroupMetadata(format: format)), prefix: "")
        return nodes
    }

    /// Writes consolidated metadata for everything below the group: inline in `zarr.json` (v3) or
    /// `.zmetadata` (v2), as zarr-python's `consolidate_metadata` does.
    /// - Throws: store and metadata errors.
    @discardableResult
    public func consolidate() throws -> ZarrGroup {
        let nodes = try Self.hierarchy(store, path: path, format: metadata.format)
        var metadata = self.metadata
        metadata.consolidated = nodes
        switch metadata.format {
        case .v3:
            try ZarrNode.writeMetadata(store, path: path, .group(metadata))
        case .v2:
            var documents = JSONObject()
            documents[".zgroup"] = ["zarr_format": 2]
            if !metadata.attributes.isEmpty { documents[".zattrs"] = .object(metadata.attributes) }
            for (relative, node) in nodes.sorted(by: { $0.key < $1.key }) {
                switch node {
                case .array(let array):
                    documents[relative + "/.zarray"] = try array.v2Document()
                    if !array.attributes.isEmpty { documents[relative + "/.zattrs"] = .object(array.attributes) }
                case .group(let group):
                    documents[relative + "/.zgroup"] = ["zarr_format": 2]
                    if !group.attributes.isEmpty { documents[relative + "/.zattrs"] = .object(group.attributes) }
                }
            }
            let document: JSONValue = ["metadata": .object(documents), "zarr_consolidated_format": 1]
            try store.set(try StoreKey.joining(path, ".zmetadata"), try ZarrNode.encode(document))
        }
        return ZarrGroup(store: store, path: path, metadata: metadata)
    }
}
