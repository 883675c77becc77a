public import Zarr

/// How ``OMEZarrImageWriter`` lays out a new OME-Zarr image: version, pyramid, chunks, shards, codec.
public struct OMEZarrWriteOptions: Sendable, Hashable {
    /// The NGFF version: 0.5 (Zarr v3, the default) or 0.4 (Zarr v2).
    public var version: NGFFVersion
    /// The number of levels including the full resolution; `nil` picks one: halve y and x until
    /// both fit in 256 pixels (2048×2048 gives 4 levels).
    public var levels: Int?
    /// Chunk extents, one per axis or only the trailing axes (the others get 1); `nil` gives 1
    /// along t, c and z and up to 256 along y and x. Smaller levels clip the chunks to their shape.
    public var chunks: [Int]?
    /// Shard extents (0.5 only), multiples of the chunks, given like ``chunks``; `nil` for no sharding.
    public var shards: [Int]?
    /// The compressor of every chunk.
    public var compressor: ArrayMetadata.Compressor
    /// The reduction between levels; `nil` gives ``PyramidReduction/mean`` for images and
    /// ``PyramidReduction/mode`` for labels.
    public var reduction: PyramidReduction?
    /// Whether z is halved from level to level too (y and x always are).
    public var downsampleZ: Bool
    /// The multiscale's name.
    public var name: String?
    /// Whether to replace an existing node at the destination (everything under it is deleted).
    public var overwrite: Bool
    /// The most chunks encoded at once; `nil` for the processor count.
    public var concurrency: Int?
    /// The shape of every level, full resolution first, when the levels are given rather than
    /// computed (a TIFF's own pyramid): nothing is reduced, each level's planes are written with
    /// ``OMEZarrImageWriter/write(plane:at:level:)``, and the scale of level `k` is level 0's times
    /// `shape0 / shapek` on each axis, exactly as floats (NGFF allows any scale). `nil` builds the
    /// pyramid from level 0 (``levels``, ``reduction``, ``downsampleZ``).
    public var levelShapes: [[Int]]?

    /// Options; every value has a default.
    public init(version: NGFFVersion = .v05, levels: Int? = nil, chunks: [Int]? = nil, shards: [Int]? = nil,
                compressor: ArrayMetadata.Compressor = .zstd(level: 3), reduction: PyramidReduction? = nil, downsampleZ: Bool = false,
                name: String? = nil, overwrite: Bool = false, concurrency: Int? = nil) {
        self.version = version
        self.levels = levels
        self.chunks = chunks
        self.shards = shards
        self.compressor = compressor
        self.reduction = reduction
        self.downsampleZ = downsampleZ
        self.name = name
        self.overwrite = overwrite
        self.concurrency = concurrency
    }

    /// The automatic number of levels for a plane of `height` × `width`.
    public static func automaticLevels(height: Int, width: Int) -> Int {
        var levels = 1
        var (h, w) = (height, width)
        while Swift.max(h, w) > 256 && levels < 12 {
            h = (h + 1) / 2
            w = (w + 1) / 2
            levels += 1
        }
        return levels
    }
}
