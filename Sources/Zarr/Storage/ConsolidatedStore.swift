import MIFACore

/// A read-only view of a store in which the `zarr.json` of every node below a group comes from
/// that group's consolidated metadata, not from the store: opening the hierarchy's groups and arrays
/// (an OME-Zarr image, its levels, its labels) costs no request. Everything else (chunks, shard
/// indexes, other files, listings) is read from ``base``.
///
/// The consolidated metadata is taken to describe the whole hierarchy below the group, as
/// zarr-python takes it (`use_consolidated=True`): a `zarr.json` of a node below the group that it
/// does not list is missing (`nil`), and is not looked for in the store. So wrap a store only in
/// consolidated metadata known to be current (a MIFA package checks it against its manifest first).
/// Metadata of Zarr v2 (`.zarray`, `.zgroup`, `.zattrs`) is always read from the store.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#group-metadata and
/// zarr-python's inline `consolidated_metadata`.
public struct ConsolidatedStore: ZarrStore {
    /// The store read for everything but the consolidated `zarr.json` documents.
    public let base: any ZarrStore
    /// The path of the group whose consolidated metadata this is (`""`: the store's root).
    public let root: String
    /// The metadata of every node below ``root``, by path relative to it.
    public let nodes: [String: NodeMetadata]

    /// A view of `base` answering the `zarr.json` of the nodes below `root` from `nodes`, the
    /// group's consolidated metadata (``GroupMetadata/consolidated``).
    public init(base: any ZarrStore, root: String = "", nodes: [String: NodeMetadata]) {
        self.base = base
        self.root = root
        self.nodes = nodes
    }

    /// The location of ``base`` (the view reads the same package, image or bucket).
    public var location: String { base.location }

    /// Always `false`: a write would make the consolidated metadata stale.
    public var isWritable: Bool { false }

    /// Whether ``base`` ignores byte ranges.
    public var rangesIgnored: Bool { base.rangesIgnored }

    /// What the consolidated metadata says of `key`: `.some(bytes)` for the `zarr.json` of a v3 node
    /// it lists, `.some(nil)` for any other `zarr.json` below ``root``, `nil` for keys read from ``base``.
    private func consolidated(_ key: StoreKey) throws -> [UInt8]?? {
        let value = key.value
        guard value.hasSuffix("/zarr.json") else { return nil }
        let parent = String(value.dropLast("/zarr.json".count))
        let relative: String
        if root.isEmpty {
            relative = parent
        } else {
            guard parent.hasPrefix(root + "/") else { return nil }
            relative = String(parent.dropFirst(root.count + 1))
        }
        switch nodes[relative] {
        case .array(let array)? where array.format == .v3:
            return .some(try ZarrNode.encode(array.v3Document()))
        case .group(let group)? where group.format == .v3:
            return .some(try ZarrNode.encode(GroupMetadata(format: .v3, attributes: group.attributes).v3Document()))
        default:
            return .some(nil)
        }
    }

    /// The consolidated `zarr.json` of a node below ``root`` (`nil` when not listed), or the value from ``base``.
    /// - Throws: ``ZarrError`` from ``base``, `.invalidMetadata` when a node cannot be written as JSON.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        guard let answer = try consolidated(key) else { return try base.get(key, range: range) }
        guard let bytes = answer, range != nil else { return answer }
        let (offset, count) = ByteRange.resolve(range, size: bytes.count)
        return Array(bytes[offset..<(offset + count)])
    }

    /// Refused: the view is read-only.
    /// - Throws: ``ZarrError`` `.readOnly`.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws { throw readOnlyError(key) }

    /// Refused: the view is read-only.
    /// - Throws: ``ZarrError`` `.readOnly`.
    public func delete(_ key: StoreKey) throws { throw readOnlyError(key) }

    /// The keys of ``base`` (listing is not answered from the metadata).
    /// - Throws: as ``base``'s `list(prefix:)`.
    public func list(prefix: String) throws -> [StoreKey] { try base.list(prefix: prefix) }

    /// The names directly under `prefix` in ``base``.
    /// - Throws: as ``base``'s `listDirectory(prefix:)`.
    public func listDirectory(prefix: String) throws -> (keys: [String], prefixes: [String]) { try base.listDirectory(prefix: prefix) }

    /// Whether `key` exists: from the consolidated metadata for a `zarr.json` below ``root``, else in ``base``.
    /// - Throws: as ``base``'s `exists(_:)`.
    public func exists(_ key: StoreKey) throws -> Bool {
        guard let answer = try consolidated(key) else { return try base.exists(key) }
        return answer != nil
    }
}
