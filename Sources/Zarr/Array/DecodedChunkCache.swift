/// Decoded chunks (inner chunks of a sharded array) kept between region reads, least recently
/// used first out, never more than a byte bound (a ``ByteBoundedCache`` of decoded bytes, each
/// chunk in the layout of the codec chain that decoded it, ``BoundCodecChain/layoutStrides``, in
/// native byte order).
///
/// Region reads decode every chunk they touch, every time; a caller that reads many small,
/// overlapping regions (random patches, tiles, a viewer's pans) opts in by giving the array a cache
/// (``ZarrArray/cachingDecodedChunks(in:)``), so each chunk is fetched and decoded once while it
/// stays cached, as tensorstore's cache pool does. A hit costs a copy of the part of the chunk the
/// region needs; a miss costs a copy more than an uncached read of a chunk the region covers whole
/// (it is decoded into its own buffer to be kept). Chunks that are not stored (the fill value) are
/// not cached.
public typealias DecodedChunkCache = ByteBoundedCache<[UInt8]>

extension ByteBoundedCache where Value == [UInt8] {
    /// An empty cache holding at most `maxBytes` bytes of decoded chunks (an entry counts its
    /// bytes, its key and a fixed overhead).
    public convenience init(maxBytes: Int) {
        self.init(maxBytes: maxBytes) { $0.count }
    }
}
