import Foundation
import MIFACore

/// The decoded elements of one chunk; their bytes count against the budget for as long as they
/// live (the cache and any worker copying from it share them); when the last reference goes, the
/// buffer goes to the loader's ``ChunkBufferPool`` (or its bytes back to the budget).
final class DecodedChunk: Sendable {
    /// The chunk's decoded elements, C order, native byte order, shape ``shape``.
    let elements: AnyNDArray
    /// The chunk's extent (clipped at the array's edge).
    let shape: [Int]
    /// The size of the elements in bytes.
    let byteCount: Int
    private let pool: ChunkBufferPool

    /// Wraps `elements` already accounted in the budget of `pool`.
    init(elements: AnyNDArray, pool: ChunkBufferPool) {
        self.elements = elements
        self.shape = elements.shape
        self.byteCount = elements.dataType.byteSize * elements.shape.reduce(1, *)
        self.pool = pool
    }

    deinit { pool.recycle(elements, bytes: byteCount) }
}

/// Which chunk: the array (its number in the loader) and the chunk's grid index.
struct ChunkID: Hashable, Sendable {
    /// The array's number (source × 2, +1 for labels).
    var array: Int
    /// The chunk's grid index.
    var index: [Int]
}

/// A chunk being read and decoded by one worker; other workers that need it wait for it instead
/// of decoding it again.
///
/// Thread safety: `result` is guarded by `condition`; hence `@unchecked Sendable`.
final class ChunkLoad: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<DecodedChunk, any Error>?

    /// Publishes the outcome and wakes the waiters.
    func finish(_ outcome: Result<DecodedChunk, any Error>) {
        condition.lock()
        result = outcome
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the outcome.
    /// - Throws: the error of the worker that read the chunk.
    func wait() throws -> DecodedChunk {
        condition.lock()
        while result == nil { condition.wait() }
        let outcome = result!
        condition.unlock()
        return try outcome.get()
    }
}

/// What a chunk lookup found.
enum ChunkLookup {
    /// The chunk, cached.
    case hit(DecodedChunk)
    /// Another worker is reading it: wait for it.
    case inFlight(ChunkLoad)
    /// Nobody has it: the caller reads it and must call ``ChunkCache/finish(_:_:_:)``.
    case miss(ChunkLoad)
}

/// A least-recently-used cache of decoded chunks bounded in bytes, with a table of the chunks
/// being decoded so that concurrent requests for one chunk decode it once.
///
/// Thread safety: all state lives in a ``LockedState``; the bytes themselves are immutable.
final class ChunkCache: Sendable {
    private struct State {
        var entries: [ChunkID: (chunk: DecodedChunk, stamp: Int)] = [:]
        var loading: [ChunkID: ChunkLoad] = [:]
        var queue: [(ChunkID, Int)] = []
        var head = 0
        var clock = 0
        var bytes = 0
        var hits = 0
        var misses = 0
        var shared = 0
    }

    /// The most bytes the cache keeps.
    let capacity: Int
    private let state = LockedState(State())

    /// A cache of at most `capacity` bytes (0 disables it).
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The chunk if cached (and marks it used), the load to wait for if another worker is reading
    /// it, or a new load the caller owns; counts a hit, a shared load or a miss.
    func lookup(_ id: ChunkID) -> ChunkLookup {
        state.withLock { s in
            guard let entry = s.entries[id] else {
                if let load = s.loading[id] {
                    s.shared += 1
                    return .inFlight(load)
                }
                s.misses += 1
                let load = ChunkLoad()
                s.loading[id] = load
                return .miss(load)
            }
            s.hits += 1
            s.clock += 1
            s.entries[id] = (entry.chunk, s.clock)
            s.queue.append((id, s.clock))
            if s.queue.count - s.head > 4 * s.entries.count + 1024 {
                s.queue = s.entries.map { ($0.key, $0.value.stamp) }.sorted { $0.1 < $1.1 }
                s.head = 0
            }
            return .hit(entry.chunk)
        }
    }

    /// Ends the load of a ``lookup(_:)`` miss: keeps the chunk (on success) and wakes the workers
    /// waiting for it.
    func finish(_ id: ChunkID, _ load: ChunkLoad, _ outcome: Result<DecodedChunk, any Error>) {
        if case .success(let chunk) = outcome { insert(id, chunk) }
        state.withLock { _ = $0.loading.removeValue(forKey: id) }
        load.finish(outcome)
    }

    /// Keeps `chunk`, evicting the least recently used chunks beyond the capacity.
    private func insert(_ id: ChunkID, _ chunk: DecodedChunk) {
        guard chunk.byteCount <= capacity else { return }
        var evicted: [DecodedChunk] = []
        state.withLock { s in
            if s.entries[id] != nil { return }
            s.clock += 1
            s.entries[id] = (chunk, s.clock)
            s.queue.append((id, s.clock))
            s.bytes += chunk.byteCount
            while s.bytes > capacity, let old = Self.popOldest(&s) { evicted.append(old) }
        }
        evicted.removeAll()  // released outside the lock
    }

    /// Drops the least recently used chunk; `false` when the cache is empty.
    func evictOne() -> Bool {
        let old = state.withLock { Self.popOldest(&$0) }
        return old != nil
    }

    private static func popOldest(_ s: inout State) -> DecodedChunk? {
        while s.head < s.queue.count {
            let (id, stamp) = s.queue[s.head]
            s.head += 1
            if s.head > 1024 && s.head * 2 > s.queue.count {
                s.queue.removeFirst(s.head)
                s.head = 0
            }
            if let entry = s.entries[id], entry.stamp == stamp {
                s.entries[id] = nil
                s.bytes -= entry.chunk.byteCount
                return entry.chunk
            }
        }
        return nil
    }

    /// Lookups answered from the cache, answered by waiting for another worker's load, and
    /// answered by reading the chunk.
    var counts: (hits: Int, shared: Int, misses: Int) { state.withLock { ($0.hits, $0.shared, $0.misses) } }
}
