import Foundation
import HeapModule
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
    /// What reading and decoding the chunk cost: CPU nanoseconds of the thread that did it.
    let cost: Double
    private let pool: ChunkBufferPool

    /// Wraps `elements` already accounted in the budget of `pool`, which took `cost` CPU
    /// nanoseconds to read and decode.
    init(elements: AnyNDArray, cost: Double, pool: ChunkBufferPool) {
        self.elements = elements
        self.shape = elements.shape
        self.byteCount = elements.dataType.byteSize * elements.shape.reduce(1, *)
        self.cost = cost
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

/// A cache of decoded chunks bounded in bytes, with a table of the chunks being decoded so that
/// concurrent requests for one chunk decode it once.
///
/// Eviction is Greedy-Dual-Size-Frequency (Cherkasova 1998): a chunk's priority is
/// `L + frequency × cost / size`, where `cost` is the CPU time its read and decode took, `size`
/// its bytes and `L` the priority of the last chunk evicted (which ages every chunk kept). The
/// chunk of lowest priority goes first, so the cache keeps the chunks that save the most decoding
/// per byte held: a 128 KiB image chunk that took 200 µs to decode outlives a 256 KiB label chunk
/// that took 45 µs, and among equals the one used least often and least recently goes first.
/// Plain least-recently-used eviction would keep both alike.
///
/// Thread safety: all state lives in a ``LockedState``; the bytes themselves are immutable.
final class ChunkCache: Sendable {
    private struct Entry {
        var chunk: DecodedChunk
        var frequency: Double
        var priority = 0.0
        var stamp = 0
    }

    /// A priority in the heap; stale when its chunk has a newer stamp or is gone.
    private struct Node: Comparable {
        var priority: Double
        var stamp: Int
        var id: ChunkID

        static func < (a: Node, b: Node) -> Bool { (a.priority, a.stamp) < (b.priority, b.stamp) }
        static func == (a: Node, b: Node) -> Bool { a.priority == b.priority && a.stamp == b.stamp }
    }

    private struct State {
        var entries: [ChunkID: Entry] = [:]
        var loading: [ChunkID: ChunkLoad] = [:]
        var heap = Heap<Node>()
        var inflation = 0.0
        var clock = 0
        var bytes = 0
        var hits = 0
        var misses = 0
        var shared = 0

        /// Gives `id` a fresh priority from its entry.
        mutating func push(_ id: ChunkID, _ entry: inout Entry) {
            clock += 1
            entry.stamp = clock
            entry.priority = inflation + entry.frequency * entry.chunk.cost / Double(max(1, entry.chunk.byteCount))
            heap.insert(Node(priority: entry.priority, stamp: clock, id: id))
            entries[id] = entry
            if heap.count > 4 * entries.count + 1024 {  // drop stale nodes
                heap = Heap(entries.map { Node(priority: $0.value.priority, stamp: $0.value.stamp, id: $0.key) })
            }
        }

        /// Drops the chunk of lowest priority and ages the rest; `nil` when the cache is empty.
        mutating func popLowest() -> DecodedChunk? {
            while let node = heap.popMin() {
                guard let entry = entries[node.id], entry.stamp == node.stamp else { continue }
                entries[node.id] = nil
                bytes -= entry.chunk.byteCount
                inflation = max(inflation, node.priority)
                return entry.chunk
            }
            return nil
        }
    }

    /// The most bytes the cache keeps.
    let capacity: Int
    private let state = LockedState(State())

    /// A cache of at most `capacity` bytes (0 disables it).
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The chunk if cached (and counts the use), the load to wait for if another worker is reading
    /// it, or a new load the caller owns; counts a hit, a shared load or a miss.
    func lookup(_ id: ChunkID) -> ChunkLookup {
        state.withLock { s in
            guard var entry = s.entries[id] else {
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
            entry.frequency += 1
            s.push(id, &entry)
            return .hit(entry.chunk)
        }
    }

    /// Whether the chunk is cached or being decoded (counts nothing, changes no priority).
    func holds(_ id: ChunkID) -> Bool {
        state.withLock { $0.entries[id] != nil || $0.loading[id] != nil }
    }

    /// Ends the load of a ``lookup(_:)`` miss: keeps the chunk (on success) and wakes the workers
    /// waiting for it.
    func finish(_ id: ChunkID, _ load: ChunkLoad, _ outcome: Result<DecodedChunk, any Error>) {
        if case .success(let chunk) = outcome { insert(id, chunk) }
        state.withLock { _ = $0.loading.removeValue(forKey: id) }
        load.finish(outcome)
    }

    /// Keeps `chunk`, evicting the chunks of lowest priority beyond the capacity.
    private func insert(_ id: ChunkID, _ chunk: DecodedChunk) {
        guard chunk.byteCount <= capacity else { return }
        var evicted: [DecodedChunk] = []
        state.withLock { s in
            if s.entries[id] != nil { return }
            var entry = Entry(chunk: chunk, frequency: 1)
            s.push(id, &entry)
            s.bytes += chunk.byteCount
            while s.bytes > capacity, let old = s.popLowest() { evicted.append(old) }
        }
        evicted.removeAll()  // released outside the lock
    }

    /// Drops the chunk of lowest priority; `false` when the cache is empty.
    func evictOne() -> Bool {
        let old = state.withLock { $0.popLowest() }
        return old != nil
    }

    /// Lookups answered from the cache, answered by waiting for another worker's load, and
    /// answered by reading the chunk.
    var counts: (hits: Int, shared: Int, misses: Int) { state.withLock { ($0.hits, $0.shared, $0.misses) } }
}
