/// Decoded shard indexes kept between reads, least recently used first out, never more than a
/// byte bound (a ``ByteBoundedCache`` of ``ShardIndex`` values).
///
/// A sharded array reads a shard's index (one suffix request and a decode) before it can fetch
/// the inner chunks a region needs; a caller that reads many small regions of the same shards
/// (random patches, tiles) opts in by giving the array a cache
/// (``ZarrArray/cachingShardIndexes(in:)``), so each index is read once while it stays cached.
public typealias ShardIndexCache = ByteBoundedCache<ShardIndex>

extension ByteBoundedCache where Value == ShardIndex {
    /// An empty cache holding at most `maxBytes` bytes of indexes (an entry counts its ranges,
    /// its key and a fixed overhead).
    public convenience init(maxBytes: Int) {
        self.init(maxBytes: maxBytes) { $0.ranges.count * MemoryLayout<Range<Int>?>.stride }
    }
}
