import Dispatch
import MIFACore

/// Values kept between reads, least recently used first out, never more than a byte bound: the one
/// cache of the Zarr layer, behind ``ShardIndexCache`` (decoded shard indexes) and
/// ``DecodedChunkCache`` (decoded chunks).
///
/// Nothing caches without one: a caller opts in by handing a cache to an array
/// (``ZarrArray/cachingShardIndexes(in:)``, ``ZarrArray/cachingDecodedChunks(in:)``). One cache may
/// serve several arrays under one bound: each array value that is handed it gets entries of its
/// own (stores do not have unique names, so arrays never share entries). Writes through a caching
/// array drop the entries of what they replace; a value rewritten by another process or through
/// another array value is not seen until its entry is evicted or ``removeAll()`` is called.
///
/// Thread safety: all state lives in a `LockedState` (MIFACore); values are immutable once cached.
public final class ByteBoundedCache<Value: Sendable>: Sendable {
    /// The most bytes the cached entries may account for.
    public let maxBytes: Int

    /// The bytes one value accounts for, beside its key and ``entryOverhead``.
    private let valueBytes: @Sendable (Value) -> Int

    /// The bytes every entry accounts for beside its key and its value: its slot, links and table entry.
    static var entryOverhead: Int { 96 }

    private struct Entry {
        var key: String
        var value: Value
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
        /// Keys whose value a caller is reading now; others asking for them wait on the group.
        var reading: [String: DispatchGroup] = [:]
    }

    private let state = LockedState(State())

    /// What a lookup of ``value(for:orRead:)`` does next.
    private enum Step {
        case found(Value)
        case wait(DispatchGroup)
        case read(DispatchGroup)
    }

    /// An empty cache holding at most `maxBytes` bytes; `valueBytes` says what a value accounts
    /// for (an entry adds its key and a fixed overhead).
    init(maxBytes: Int, valueBytes: @escaping @Sendable (Value) -> Int) {
        self.maxBytes = Swift.max(0, maxBytes)
        self.valueBytes = valueBytes
    }

    /// The bytes the entries account for now; never more than ``maxBytes``.
    public var bytes: Int { state.withLock { $0.bytes } }

    /// The number of cached values.
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

    /// The bytes an entry of `value` under `key` accounts for.
    func cost(of value: Value, key: String) -> Int {
        valueBytes(value) + key.utf8.count + Self.entryOverhead
    }

    /// Whether `key` is cached (counts nothing, changes no order).
    func contains(_ key: String) -> Bool {
        state.withLock { $0.positions[key] != nil }
    }

    /// The cached value for `key`, made the most recently used.
    func value(for key: String) -> Value? {
        state.withLock { state in
            guard let slot = state.positions[key] else {
                state.misses += 1
                return nil
            }
            return Self.hit(slot, in: &state)
        }
    }

    /// Counts a hit on the entry in `slot` and makes it the most recently used; returns its value.
    private static func hit(_ slot: Int, in state: inout State) -> Value {
        state.hits += 1
        unlink(slot, in: &state)
        linkAsNewest(slot, in: &state)
        return state.slots[slot]!.value
    }

    /// The cached value for `key` (made the most recently used), else the one `read` returns,
    /// cached. Callers asking for a key whose value another caller is reading wait for that read
    /// instead of reading it again (many patches of one shard start at once on a cold cache); when
    /// it gives nothing (an absent shard or chunk, an error), each reads for itself.
    /// - Throws: what `read` throws.
    func value(for key: String, orRead read: () throws -> Value?) throws -> Value? {
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
            case .found(let value):
                return value
            case .wait(let group):
                group.wait()
            case .read(let group):
                defer {
                    state.withLock { $0.reading[key] = nil }
                    group.leave()
                }
                let value = try read()
                if let value { insert(value, for: key) }
                return value
            }
        }
    }

    /// Caches `value` under `key`, evicting the least recently used entries to stay within the
    /// bound; a value larger than the whole bound is not kept. Returns the evicted values (and an
    /// earlier value of `key`), taken out under the lock, for the caller to reuse their storage or
    /// let go.
    @discardableResult
    func insert(_ value: Value, for key: String) -> [Value] {
        let cost = cost(of: value, key: key)
        var evicted: [Value] = []
        state.withLock { state in
            if let slot = state.positions[key] { evicted.append(Self.remove(slot, in: &state)) }
            guard cost <= maxBytes else { return }
            while state.bytes + cost > maxBytes, let oldest = state.oldest { evicted.append(Self.remove(oldest, in: &state)) }
            let entry = Entry(key: key, value: value, bytes: cost)
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
        return evicted  // freed (or reused) outside the lock
    }

    /// Drops the entry for `key`, if any.
    func remove(_ key: String) {
        let removed = state.withLock { state in
            state.positions[key].map { Self.remove($0, in: &state) }
        }
        _ = removed  // freed outside the lock
    }

    /// Drops every entry whose key starts with `prefix` (one pass over the entries).
    func removeAll(withPrefix prefix: String) {
        var removed: [Value] = []
        state.withLock { state in
            for (key, slot) in state.positions where key.hasPrefix(prefix) { removed.append(Self.remove(slot, in: &state)) }
        }
        removed.removeAll()  // freed outside the lock
    }

    @discardableResult
    private static func remove(_ slot: Int, in state: inout State) -> Value {
        unlink(slot, in: &state)
        let entry = state.slots[slot]!
        state.positions[entry.key] = nil
        state.bytes -= entry.bytes
        state.slots[slot] = nil
        state.free.append(slot)
        return entry.value
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
