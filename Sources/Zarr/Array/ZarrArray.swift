import MIFACore

/// A Zarr array (v2 or v3) in a store: its metadata, its bound codec chain, and region reads and
/// writes (``read(_:order:concurrency:maxBytes:)``, ``write(_:at:concurrency:)-(AnyNDArray,_,_)``).
///
/// Opening validates everything the metadata says (shape, data type, fill value, every codec and
/// their order, bound to the chunk shape) before any chunk is touched. Chunks are decoded and
/// encoded in parallel within a caller-given concurrency budget.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#array-metadata.
public struct ZarrArray: Sendable {
    /// The store holding the array.
    public let store: any ZarrStore
    /// The array's node path in the store (`""` for the root).
    public let path: String
    /// The metadata, normalised to the v3 model.
    public let metadata: ArrayMetadata
    /// The configured codec chain.
    public let codecs: CodecChain
    /// The chain bound to the chunk (or shard) shape.
    public let chain: BoundCodecChain
    /// Whether chunks that equal the fill value everywhere are stored (`true`) or deleted (`false`,
    /// zarr-python's and tensorstore's default).
    public var writesEmptyChunks = false
    /// Where this array value keeps the shard indexes it reads, if its user opted in
    /// (``cachingShardIndexes(in:)``); `nil`: every region read of a sharded array reads the
    /// indexes of the shards it touches.
    public private(set) var shardIndexCache: ShardIndexCache?
    /// This array value's prefix for its keys in ``shardIndexCache``.
    private var shardIndexNamespace = ""
    /// Where this array value keeps the chunks its region reads decode, if its user opted in
    /// (``cachingDecodedChunks(in:)``); `nil`: every region read decodes every chunk it touches.
    public private(set) var decodedChunkCache: DecodedChunkCache?
    /// This array value's prefix for its keys in ``decodedChunkCache``.
    private var decodedChunkNamespace = ""

    /// The largest chunk (or shard, when it is decoded whole) MIFAKit decodes: 2 GiB.
    public static let maximumChunkBytes = Int(Int32.max)

    /// An array over `store` at `path` with the given metadata, validated and bound.
    /// - Throws: ``ZarrError`` `.invalidMetadata`, `.unsupportedExtension` from the codecs.
    public init(store: any ZarrStore, path: String, metadata: ArrayMetadata, registry: CodecRegistry = .standard) throws {
        try StoreKey.validatePrefix(path)
        let file = Self.metadataKey(path: path, format: metadata.format)
        try metadata.validate(file: file)
        self.store = store
        self.path = path
        self.metadata = metadata
        let codecs = try ZarrError.locating(file: file, key: nil) { try registry.chain(metadata.codecs, file: file) }
        let representation = ChunkRepresentation(shape: metadata.chunkShape, dataType: metadata.dataType, fillValue: metadata.fillValue)
        self.codecs = codecs
        self.chain = try ZarrError.locating(file: file, key: nil) { try codecs.bind(to: representation) }
    }

    /// Opens the array at `path`: `zarr.json` (v3) or `.zarray` with `.zattrs` (v2).
    /// - Throws: ``ZarrError`` `.notFound` when there is no array there, `.invalidMetadata` or
    ///   `.unsupportedExtension` for metadata MIFAKit cannot read, `.storeFailure` from the store.
    public static func open(_ store: any ZarrStore, path: String = "", registry: CodecRegistry = .standard) throws -> ZarrArray {
        guard case .array(let metadata) = try ZarrNode.readMetadata(store, path: path) else {
            throw ZarrError(.notFound, "'\(path.isEmpty ? "/" : path)' is a group, not an array", context: ErrorContext(file: store.location, key: path))
        }
        return try ZarrArray(store: store, path: path, metadata: metadata, registry: registry)
    }

    /// Creates an array: validates the metadata and codecs, then writes `zarr.json` (v3) or
    /// `.zarray` and `.zattrs` (v2).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when a node exists and `overwrite` is false or
    ///   the metadata is invalid; `.readOnly` or `.storeFailure` from the store.
    @discardableResult
    public static func create(_ store: any ZarrStore, path: String = "", metadata: ArrayMetadata, overwrite: Bool = false,
                              registry: CodecRegistry = .standard) throws -> ZarrArray {
        let array = try ZarrArray(store: store, path: path, metadata: metadata, registry: registry)
        try ZarrNode.prepareForCreate(store, path: path, overwrite: overwrite)
        try ZarrNode.writeMetadata(store, path: path, .array(metadata))
        return array
    }

    /// This array, keeping the shard indexes its reads decode in `cache` and looking them up
    /// there first (for arrays without sharding, the cache is never used).
    public func cachingShardIndexes(in cache: ShardIndexCache) -> ZarrArray {
        var copy = self
        copy.shardIndexCache = cache
        copy.shardIndexNamespace = cache.newNamespace()
        return copy
    }

    /// The key of a shard in ``shardIndexCache``: this array value's namespace and the shard's key.
    func shardIndexCacheKey(_ key: StoreKey) -> String {
        shardIndexNamespace + key.value
    }

    /// This array, keeping the chunks its region reads decode (inner chunks of a sharded array) in
    /// `cache` and looking them up there first: a chunk found there is neither fetched nor decoded
    /// (for a sharded array whose inner chunks a region finds all cached, not even the shard index
    /// is read). Writes through the returned array drop the chunks they replace.
    public func cachingDecodedChunks(in cache: DecodedChunkCache) -> ZarrArray {
        var copy = self
        copy.decodedChunkCache = cache
        copy.decodedChunkNamespace = cache.newNamespace()
        return copy
    }

    /// The key of a chunk in ``decodedChunkCache``: this array value's namespace, the key of the
    /// chunk (or of its shard), and with sharding the inner chunk's position in the shard.
    func decodedChunkCacheKey(_ key: StoreKey, inner: Int? = nil) -> String {
        decodedChunkCachePrefix(key) + (inner.map(String.init) ?? "")
    }

    /// The start of the keys of every chunk stored under `key` in ``decodedChunkCache``.
    func decodedChunkCachePrefix(_ key: StoreKey) -> String {
        decodedChunkNamespace + key.value + "\u{0}"
    }

    /// Number of axes.
    public var rank: Int { metadata.rank }

    /// Extent per axis.
    public var shape: [Int] { metadata.shape }

    /// The element type.
    public var dataType: ZarrDataType { metadata.dataType }

    /// Chunks per axis.
    public var gridShape: [Int] { metadata.gridShape }

    /// The store key of the chunk (or shard) at a grid index.
    public func chunkKey(_ index: [Int]) -> StoreKey {
        let name = metadata.chunkKeyEncoding.key(for: index)
        return StoreKey(unchecked: path.isEmpty ? name : "\(path)/\(name)")
    }

    /// The inner chunk shape of a sharded array, or the chunk shape.
    public var readChunkShape: [Int] { chain.sharding?.innerChunkShape ?? metadata.chunkShape }

    /// The key of the metadata document, for error messages.
    static func metadataKey(path: String, format: ZarrFormat) -> String {
        let name = format == .v3 ? "zarr.json" : ".zarray"
        return path.isEmpty ? name : "\(path)/\(name)"
    }

    /// Checks that `region` lies inside the array.
    /// - Throws: ``ZarrError`` `.invalidRegion` otherwise.
    func checkRegion(_ region: Region) throws {
        guard region.rank == rank, Region(shape: shape).contains(region) else {
            throw ZarrError(.invalidRegion, "region [\(region)] does not lie inside the array of shape \(shape)",
                            context: ErrorContext(file: store.location, key: path, shape: shape))
        }
    }

    /// The grid indices of the chunks of shape `chunkShape` that `region` touches, in C order.
    static func chunkIndices(of region: Region, chunkShape: [Int]) -> GridRange {
        GridRange(region: region, chunkShape: chunkShape)
    }

    /// Wraps an error from work on one chunk with its key and the store location.
    func locate(_ error: any Error, key: StoreKey) -> any Error {
        if let zarr = error as? ZarrError { return zarr.adding(file: store.location, key: key.value) }
        return error
    }
}
