import Foundation
import HeapModule
import Synchronization
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

/// Where a lookup comes from: the position of the patch in its epoch's schedule (see
/// ``ChunkCache/beginSchedule()``).
struct ChunkUse: Sendable {
    /// The schedule the position belongs to.
    var schedule: Int
    /// The patch's position in its epoch (this rank's shard).
    var position: Int
}

/// A cache of decoded chunks bounded in bytes, with a table of the chunks being decoded so that
/// concurrent requests for one chunk decode it once.
///
/// Eviction knows the future where the loader tells it: the sample order of an epoch is fixed by
/// its seed, so the pipeline registers, some thousands of patches ahead, which chunks each coming
/// patch will look up (``schedule(_:position:chunks:)``). A cached chunk no registered patch needs
/// goes first; among those needed, the one whose next use is furthest away per unit of decoding it
/// saves (`(next use - now) × size / cost`, Belady's rule weighed by what a miss costs, as in
/// Benchmarks/cache_policy_sim.py): keeping a 128 KiB image chunk that took 200 µs to decode and
/// is needed in 500 patches beats keeping a 256 KiB label chunk that took 45 µs and is needed in 100.
/// Chunks are grouped by that weight in buckets a quarter of a power of two wide, each a heap by next
/// use, so an eviction compares one candidate per bucket.
///
/// Chunks no registered patch needs are evicted by Greedy-Dual-Size-Frequency (Cherkasova 1998): a chunk's priority is
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
        /// The weight bucket the chunk is in while a registered patch needs it.
        var bucket: Int?
    }

    /// A chunk some registered patch needs, in the heap of its weight bucket (furthest use on top).
    private struct Scheduled: Comparable {
        var nextUse: Int
        var stamp: Int
        var id: ChunkID

        static func < (a: Scheduled, b: Scheduled) -> Bool { (a.nextUse, a.stamp) < (b.nextUse, b.stamp) }
        static func == (a: Scheduled, b: Scheduled) -> Bool { a.nextUse == b.nextUse && a.stamp == b.stamp }
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
        /// The current schedule, and for each chunk the positions of the registered patches that
        /// will look it up and have not yet (ascending).
        var schedule = 0
        var future: [ChunkID: [Int]] = [:]
        var futureCount = 0
        var unforeseen = 0
        /// The furthest position that has looked a chunk up: the schedule's present.
        var now = 0
        var scheduled: [Int: Heap<Scheduled>] = [:]
        var scheduledNodes = 0

        /// Gives `id` a fresh place from its entry: in its weight bucket when a registered patch
        /// needs it, else a Greedy-Dual-Size-Frequency priority.
        mutating func push(_ id: ChunkID, _ entry: inout Entry) {
            clock += 1
            entry.stamp = clock
            let perByte = entry.chunk.cost / Double(max(1, entry.chunk.byteCount))
            if let next = future[id]?.first {
                let bucket = Self.bucket(perByte)
                entry.bucket = bucket
                scheduled[bucket, default: Heap()].insert(Scheduled(nextUse: next, stamp: clock, id: id))
                scheduledNodes += 1
            } else {
                entry.bucket = nil
                entry.priority = inflation + entry.frequency * perByte
                heap.insert(Node(priority: entry.priority, stamp: clock, id: id))
            }
            entries[id] = entry
            if heap.count + scheduledNodes > 4 * entries.count + 1024 { compact() }
        }

        /// Rebuilds the heaps from the entries, dropping stale nodes.
        mutating func compact() {
            var unneeded: [Node] = []
            scheduled = [:]
            scheduledNodes = 0
            for (id, entry) in entries {
                if let bucket = entry.bucket, let next = future[id]?.first {
                    scheduled[bucket, default: Heap()].insert(Scheduled(nextUse: next, stamp: entry.stamp, id: id))
                    scheduledNodes += 1
                } else {
                    unneeded.append(Node(priority: entry.priority, stamp: entry.stamp, id: id))
                }
            }
            heap = Heap(unneeded)
        }

        /// The weight bucket of a chunk that cost `perByte` CPU nanoseconds per byte to decode:
        /// a quarter of a power of two wide.
        static func bucket(_ perByte: Double) -> Int {
            perByte > 0 ? Int((4 * log2(perByte)).rounded(.down)) : Int.min
        }

        /// Drops the chunk to go first (see ``ChunkCache``); `nil` when the cache is empty.
        mutating func popLowest() -> DecodedChunk? {
            while let node = heap.popMin() {
                guard let entry = entries[node.id], entry.stamp == node.stamp else { continue }
                inflation = max(inflation, node.priority)
                return remove(node.id, entry)
            }
            var best: (score: Double, bucket: Int)?
            for bucket in Array(scheduled.keys) {
                while let top = scheduled[bucket]?.max, entries[top.id]?.stamp != top.stamp {
                    _ = scheduled[bucket]?.popMax()
                    scheduledNodes -= 1
                }
                guard let top = scheduled[bucket]?.max, let entry = entries[top.id] else {
                    scheduled[bucket] = nil
                    continue
                }
                let score = Double(max(0, top.nextUse - now)) * Double(entry.chunk.byteCount) / max(1, entry.chunk.cost)
                if best == nil || score > best!.score { best = (score, bucket) }
            }
            guard let best, let top = scheduled[best.bucket]?.popMax(), let entry = entries[top.id] else { return nil }
            scheduledNodes -= 1
            return remove(top.id, entry)
        }

        private mutating func remove(_ id: ChunkID, _ entry: Entry) -> DecodedChunk {
            entries[id] = nil
            bytes -= entry.chunk.byteCount
            return entry.chunk
        }

        /// Counts the use of `id` at `use` in the schedule: the position is no longer ahead.
        mutating func consume(_ id: ChunkID, _ use: ChunkUse?) {
            guard let use, use.schedule == schedule else { return }
            now = max(now, use.position)
            guard var positions = future[id], let k = positions.firstIndex(of: use.position) else {
                unforeseen += 1
                return
            }
            positions.remove(at: k)
            futureCount -= 1
            future[id] = positions.isEmpty ? nil : positions
        }
    }

    /// The most bytes the cache keeps (the read stage moves bytes of its reserve to and from it:
    /// ``resize(to:)``).
    var capacity: Int { limit.load(ordering: .relaxed) }
    private let limit: Atomic<Int>
    private let state = LockedState(State())
    private let overflowed = Atomic(false)

    /// The bytes of the chunks kept now.
    var heldBytes: Int { state.withLock { $0.bytes } }

    /// Whether the cache has had to evict a chunk to keep another: the chunks the loader reads no
    /// longer fit its capacity (what ``ChunkReadAhead`` may borrow of it).
    var hasEvicted: Bool { overflowed.load(ordering: .relaxed) }

    /// A cache of at most `capacity` bytes (0 disables it).
    init(capacity: Int) {
        limit = Atomic(capacity)
    }

    /// Keeps at most `capacity` bytes from now on; a smaller capacity evicts what is beyond it.
    func resize(to capacity: Int) {
        limit.store(capacity, ordering: .relaxed)
        var evicted: [DecodedChunk] = []
        state.withLock { s in
            while s.bytes > capacity, let old = s.popLowest() { evicted.append(old) }
        }
        evicted.removeAll()  // released outside the lock
    }

    /// The chunk if cached (and counts the use), the load to wait for if another worker is reading
    /// it, or a new load the caller owns; counts a hit, a shared load or a miss.
    /// `use` says which registered patch looks it up (`nil`: none).
    func lookup(_ id: ChunkID, for use: ChunkUse? = nil) -> ChunkLookup {
        state.withLock { s in
            s.consume(id, use)
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
        let capacity = self.capacity
        guard chunk.byteCount <= capacity else { return }
        var evicted: [DecodedChunk] = []
        state.withLock { s in
            if s.entries[id] != nil { return }
            var entry = Entry(chunk: chunk, frequency: 1)
            s.push(id, &entry)
            s.bytes += chunk.byteCount
            while s.bytes > capacity, let old = s.popLowest() { evicted.append(old) }
        }
        if !evicted.isEmpty { overflowed.store(true, ordering: .relaxed) }
        evicted.removeAll()  // released outside the lock
    }

    /// Starts a new schedule (an epoch's run): forgets the patches registered before (their chunks
    /// become unneeded ones) and returns the schedule's number for ``schedule(_:position:chunks:)``
    /// and ``ChunkUse``.
    func beginSchedule() -> Int {
        state.withLock { s in
            s.schedule += 1
            s.future = [:]
            s.futureCount = 0
            s.unforeseen = 0
            s.now = 0
            for (id, entry) in s.entries where entry.bucket != nil {
                var entry = entry
                s.push(id, &entry)
            }
            return s.schedule
        }
    }

    /// Registers that the patch at `position` of schedule `schedule` will look up `chunks`
    /// (positions registered in ascending order); nothing when a newer schedule began.
    func schedule(_ schedule: Int, position: Int, chunks: [ChunkID]) {
        state.withLock { s in
            guard schedule == s.schedule else { return }
            for id in chunks {
                if s.future[id]?.last == position { continue }
                s.future[id, default: []].append(position)
                s.futureCount += 1
                if var entry = s.entries[id], entry.bucket == nil { s.push(id, &entry) }
            }
        }
    }

    /// The lookups registered in the current schedule that have not happened yet.
    var scheduledLookups: Int { state.withLock { $0.futureCount } }

    /// Lookups of a patch in the current schedule that its registration did not name (a patch
    /// registered beyond the lookups bound, or a registration out of step with the reads).
    var unforeseenLookups: Int { state.withLock { $0.unforeseen } }

    /// Drops the chunk to go first (see ``ChunkCache``); `false` when the cache is empty.
    func evictOne() -> Bool {
        let old = state.withLock { $0.popLowest() }
        return old != nil
    }

    /// Lookups answered from the cache, answered by waiting for another worker's load, and
    /// answered by reading the chunk.
    var counts: (hits: Int, shared: Int, misses: Int) { state.withLock { ($0.hits, $0.shared, $0.misses) } }
}
