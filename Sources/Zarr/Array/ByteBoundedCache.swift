import Dispatch
import MIFACore

/// Decoded shard indexes kept between reads, least recently used first out, never more than a
/// byte bound.
///
/// A sharded array reads a shard's index (one suffix request and a decode) before it can fetch
/// the inner chunks a region needs; a caller that reads many small regions of the same shards
/// (random patches, tiles) opts in by giving the array a cache
/// (``ZarrArray/cachingShardIndexes(in:)``), so each index is read once while it stays cached.
/// Nothing caches without it. One cache may serve several arrays under one bound: each
/// ``ZarrArray/cachingShardIndexes(in:)`` gets entries of its own (stores do not have unique
/// names, so arrays never share entries). Writes through a caching array drop the entries of the
/// shards they replace; a shard rewritten by another process or through another array value is
/// not seen until its entry is evicted or ``removeAll()`` is called.
public final class ShardIndexCache: Sendable {
    /// The most bytes the cached entries may account for.
    public let maxBytes: Int

    private struct Entry {
        var key: String
        var index: ShardIndex
        var bytes: Int
        var older: Int?
        var newer: Int?
    }

    /// Entries in slots linked from the newest to the oldest; free slots are reused.
    private struct State {
        var slots: [Entry?] = []
        var free: [Int] = []
        var positions: [String: Int] = [:]
        var newest: Int?
        var oldest: Int?
        var bytes = 0
        var hits = 0
        var misses = 0
        var namespaces = 0
        /// Keys whose index a caller is reading now; others asking for them wait on the group.
        var reading: [String: DispatchGroup] = [:]
    }

    private let state = LockedState(State())

    /// An empty cache holding at most `maxBytes` bytes of indexes (an entry counts its ranges,
    /// its key and a fixed overhead).
    public init(maxBytes: Int) {
        self.maxBytes = Swift.max(0, maxBytes)
    }

    /// The bytes the entries account for now; never more than ``maxBytes``.
    public var bytes: Int { state.withLock { $0.bytes } }

    /// The number of cached indexes.
    public var count: Int { state.withLock { $0.positions.count } }

    /// Lookups answered from the cache and lookups that were not, since the cache was made.
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// Forgets every entry.
    public func removeAll() {
        state.withLock { state in
            var empty = State()
            (empty.hits, empty.misses, empty.namespaces) = (state.hits, state.misses, state.namespaces)
            state = empty
        }
    }

    /// A prefix for the keys of one array value, different from every other one handed out.
    func newNamespace() -> String {
        state.withLock { state in
            state.namespaces += 1
            return "\(state.namespaces)\u{0}"
        }
    }

    /// The bytes an entry accounts for.
    static func cost(of index: ShardIndex, key: String) -> Int {
        index.ranges.count * MemoryLayout<Range<Int>?>.stride + key.utf8.count + 96
    }

    /// The cached index for `key`, made the most recently used.
    func index(for key: String) -> ShardIndex? {
        state.withLock { state in
            guard let slot = state.positions[key] else {
                state.misses += 1
                return nil
            }
            return Self.hit(slot, in: &state)
        }
    }

    /// Counts a hit on the entry in `slot` and makes it the most recently used; returns its index.
    private static func hit(_ slot: Int, in state: inout State) -> ShardIndex {
        state.hits += 1
        unlink(slot, in: &state)
        linkAsNewest(slot, in: &state)
        return state.slots[slot]!.index
    }

    /// The cached index for `key` (made the most recently used), else the one `read` returns,
    /// cached. Callers asking for a key whose index another caller is reading wait for that read
    /// instead of reading it again (many patches of one shard start at once on a cold cache); when
    /// it gives nothing (an absent shard, an error), each reads for itself.
    /// - Throws: what `read` throws.
    func index(for key: String, orRead read: () throws -> ShardIndex?) throws -> ShardIndex? {
        enum Step {
            case found(ShardIndex)
            case wait(DispatchGroup)
            case read(DispatchGroup)
        }
        while true {
            let step: Step = state.withLock { state in
                if let slot = state.positions[key] { return .found(Self.hit(slot, in: &state)) }
                if let group = state.reading[key] { return .wait(group) }
                state.misses += 1
                let group = DispatchGroup()
                group.enter()
                state.reading[key] = group
                return .read(group)
            }
            switch step {
            case .found(let index):
                return index
            case .wait(let group):
                group.wait()
            case .read(let group):
                defer {
                    state.withLock { $0.reading[key] = nil }
                    group.leave()
                }
                let index = try read()
                if let index { insert(index, for: key) }
                return index
            }
        }
    }

    /// Caches `index` under `key`, evicting the least recently used entries to stay within the
    /// bound; an index larger than the whole bound is not kept.
    func insert(_ index: ShardIndex, for key: String) {
        let cost = Self.cost(of: index, key: key)
        state.withLock { state in
            if let slot = state.positions[key] { Self.remove(slot, in: &state) }
            guard cost <= maxBytes else { return }
            while state.bytes + cost > maxBytes, let oldest = state.oldest { Self.remove(oldest, in: &state) }
            let entry = Entry(key: key, index: index, bytes: cost)
            let slot: Int
            if let reused = state.free.popLast() {
                slot = reused
                state.slots[slot] = entry
            } else {
                slot = state.slots.count
                state.slots.append(entry)
            }
            state.positions[key] = slot
            state.bytes += cost
            Self.linkAsNewest(slot, in: &state)
        }
    }

    /// Drops the entry for `key`, if any.
    func remove(_ key: String) {
        state.withLock { state in
            if let slot = state.positions[key] { Self.remove(slot, in: &state) }
        }
    }

    private static func remove(_ slot: Int, in state: inout State) {
        unlink(slot, in: &state)
        let entry = state.slots[slot]!
        state.positions[entry.key] = nil
        state.bytes -= entry.bytes
        state.slots[slot] = nil
        state.free.append(slot)
    }

    private static func unlink(_ slot: Int, in state: inout State) {
        let entry = state.slots[slot]!
        if let older = entry.older { state.slots[older]!.newer = entry.newer } else { state.oldest = entry.newer }
        if let newer = entry.newer { state.slots[newer]!.older = entry.older } else { state.newest = entry.older }
        state.slots[slot]!.older = nil
        state.slots[slot]!.newer = nil
    }

    private static func linkAsNewest(_ slot: Int, in state: inout State) {
        state.slots[slot]!.older = state.newest
        state.slots[slot]!.newer = nil
        if let newest = state.newest { state.slots[newest]!.newer = slot }
        state.newest = slot
        if state.oldest == nil { state.oldest = slot }
    }
}
