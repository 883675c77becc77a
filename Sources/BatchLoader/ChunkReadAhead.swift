import Foundation
import Zarr

/// The read stage of the loader: when a batch opens, the encoded bytes of the chunks its patches
/// need (and that are neither cached nor being decoded) are read on threads of their own, at most
/// ``target`` reads at once (at most ``concurrency``), so that a worker finds them in memory when
/// it decodes instead of waiting for the store. Reads and decodes so have separate concurrency
/// limits: a remote store (HTTP) can have many reads in flight while decoding stays at one thread
/// per worker. The reads in flight are a fixed number (``BatchLoaderConfiguration/readAhead``) or
/// sized as the loader runs (``ReadAheadSizing``: Little's law); the pipeline queues the reads of
/// the patches ahead, beyond the batches it has opened, while fewer than ``target`` wait
/// (``needsJobs``), so the reads in flight do not fall to the few left of the open batches.
///
/// Reads are hints: a read that fails, or whose bytes do not fit the reserve, is dropped, and the
/// worker reads the chunk itself (and reports the error with the chunk's key). Bytes read ahead
/// count against the memory budget and never exceed ``reserve`` bytes together, which the loader
/// keeps out of the cache's share, so they can never starve the workers' decode buffers; a read
/// starts only while the bytes held and those in flight leave room for it. A read in flight is
/// counted for ``chunkBytes`` (a decoded chunk) until the first read ends, then for the most
/// bytes a read brought: reads bring encoded chunks, which compression makes several times
/// smaller (the benchmark's zstd chunks: ~40 kB of 128-256 KiB), so a reserve holds that many
/// more reads in flight.
///
/// How a stage that sizes itself splits the reserve given (`maximumReserve`) with the cache:
/// it starts with room for twice the start's reads in flight, as decoded chunks
/// (`startReserve`), and keeps at least that. Beyond it, it takes room for twice the reads it
/// wants in flight only out of what the cache does not hold, and only while the cache has never
/// had to evict (``ChunkCache/hasEvicted``); from the cache's first eviction on it gives back all
/// it took. A cache that evicts holds less than the chunks the epoch reads, and with random
/// patches over the images it keeps them in proportion to its bytes: every byte the reserve took
/// from it would be decoded chunks read and decoded again (measured at a 512 MiB budget over
/// sharded images: 1.03-1.08 chunks decoded per patch instead of 0.99, when the reserve grew with
/// the reads wanted, and fewer patches per second than with 32 reads in flight). A cache that has
/// not evicted holds all it was asked for and has room it does not use, which costs it nothing to lend.
/// Bytes move between the two with ``ChunkCache/resize(to:)``.
///
/// An inner chunk of a sharded array is a byte range of its shard: its read first locates it
/// (``ZarrArray/readChunkLocation(_:)``, which may read the shard's index, cached for the workers
/// too), then reads exactly that range, which a worker's read of the same range takes.
///
/// A read starts only while no worker holds or decodes its chunk (``ChunkCache/holds(_:)``,
/// checked under this stage's lock when the read is about to start): a worker that got there
/// first reads the chunk itself, and the chunk is not read twice.
///
/// Thread safety: every mutable field is guarded by `condition` (an `NSCondition`); workers wait
/// on it for a read in flight. Hence `@unchecked Sendable`.
final class ChunkReadAhead: @unchecked Sendable {
    /// One chunk to read: its key in a store wrapped by ``ReadAheadStore``.
    struct Job {
        let store: ReadAheadStore
        /// The chunk's key; for an inner chunk of a sharded array, its shard's key.
        let key: StoreKey
        /// The chunk in the loader's cache.
        let chunk: ChunkID
        /// For an inner chunk of a sharded array: the array (reading through `store`), whose read
        /// chunk `chunk.index` is located before it is read.
        var sharded: ZarrArray? = nil
    }

    /// Bytes read or to read: a store, a key and a byte range (`nil`: the whole value).
    private struct EntryKey: Hashable {
        var store: Int
        var key: String
        var range: Range<Int>? = nil
    }

    private enum Entry {
        case queued
        case reading
        case ready([UInt8])
    }

    /// The most reads in flight at once.
    let concurrency: Int
    /// The most bytes read ahead and not yet taken or in flight (for a stage that sizes itself,
    /// between `startReserve` and `maximumReserve`).
    private(set) var reserve: Int
    /// The reserve given, and the bytes of the cache and the reserve together.
    private let maximumReserve: Int, cacheShare: Int
    /// The reserve of a stage that sizes itself at its start and at least: twice the start's reads
    /// in flight of ``chunkBytes`` each, at most `maximumReserve`.
    private let startReserve: Int
    /// The largest decoded chunk's bytes: what a read in flight is counted for until one ends.
    let chunkBytes: Int
    /// The most bytes a read brought so far (0 before the first).
    private var largestRead = 0
    private let budget: MemoryBudget
    private let cache: ChunkCache
    /// The loader's counters (the workers' totals for ``ReadAheadSizing``).
    let counters: LoaderCounters
    /// How many reads are wanted in flight, when the stage sizes itself; `nil`: ``concurrency``.
    private var sizing: ReadAheadSizing?
    private var mostInFlight = 0
    private let queues: [WorkerThread]
    private let condition = NSCondition()
    private var entries: [EntryKey: Entry] = [:]
    /// Inner chunks queued or being located, by store and shard key.
    private var locating: [EntryKey: Set<[Int]>] = [:]
    private var jobs: [Job] = []
    private var head = 0
    private var idle: [Int]
    private var readyBytes = 0
    private var taken = 0
    private var dropped = 0

    /// A read stage of `concurrency` threads keeping at most `reserve` bytes of `budget` (chunks of
    /// at most `chunkBytes`), reading no chunk that `cache` holds or is loading; with `sizing`,
    /// keeping as many reads in flight as it says (measured with the workers' `counters`).
    init(concurrency: Int, reserve: Int, chunkBytes: Int, budget: MemoryBudget, cache: ChunkCache, counters: LoaderCounters,
         sizing: ReadAheadSizing? = nil) {
        self.concurrency = concurrency
        self.reserve = reserve
        maximumReserve = reserve
        cacheShare = cache.capacity + reserve
        startReserve = sizing.map { min(reserve, checkedProduct([2, $0.target, chunkBytes]) ?? reserve) } ?? reserve
        self.chunkBytes = chunkBytes
        self.budget = budget
        self.cache = cache
        self.counters = counters
        self.sizing = sizing
        queues = (0..<concurrency).map { WorkerThread(name: "mifa-read-\($0)") }
        idle = Array((0..<concurrency).reversed())
        resizeReserve()
    }

    /// The bytes a read in flight is counted for: the most a read brought, ``chunkBytes`` before
    /// the first read ends.
    private var bytesPerRead: Int { largestRead > 0 ? largestRead : chunkBytes }

    /// For a stage that sizes itself: `startReserve`, or room for twice the reads it wants in
    /// flight (at most the reserve given) out of what a cache that never evicted does not hold;
    /// the rest of the share to the cache (see ``ChunkReadAhead``). Call with the lock held (or in init).
    private func resizeReserve() {
        guard let target = sizing?.target else { return }
        var size = startReserve
        if !cache.hasEvicted {
            let wanted = checkedProduct([2, target, bytesPerRead]) ?? maximumReserve
            size = max(startReserve, min(wanted, maximumReserve, cacheShare - cache.heldBytes))
        }
        guard size != reserve else { return }
        reserve = size
        cache.resize(to: cacheShare - size)
    }

    /// Queues reads of the chunks in `jobs` not already queued, read or being read (inner chunks
    /// of a sharded array: not already queued or being located).
    func schedule(_ new: [Job]) {
        guard !new.isEmpty else { return }
        condition.lock()
        for job in new {
            let key = EntryKey(store: job.store.number, key: job.key.value)
            if job.sharded != nil {
                guard locating[key, default: []].insert(job.chunk.index).inserted else { continue }
            } else {
                guard entries[key] == nil else { continue }
                entries[key] = .queued
            }
            jobs.append(job)
        }
        pump()
        condition.unlock()
    }

    /// The bytes of `key` in `range` (`nil`: the whole value) if they were read ahead (waiting
    /// for a read in flight); `nil` when the caller must read them itself (a queued read of them
    /// is dropped).
    func take(_ store: ReadAheadStore, _ key: StoreKey, range: Range<Int>?) -> [UInt8]? {
        let entryKey = EntryKey(store: store.number, key: key.value, range: range)
        condition.lock()
        defer { condition.unlock() }
        while case .reading = entries[entryKey] { condition.wait() }
        switch entries.removeValue(forKey: entryKey) {
        case .ready(let bytes):
            readyBytes -= bytes.count
            budget.release(bytes.count)
            taken += 1
            pump()  // room in the reserve for another read
            return bytes
        case .queued, .reading, nil:
            return nil
        }
    }

    /// Drops every queued read and the bytes read ahead (the runs in flight finish and drop theirs).
    func clear() {
        condition.lock()
        jobs.removeAll()
        head = 0
        for case .ready(let bytes) in entries.values {
            budget.release(bytes.count)
            dropped += 1
        }
        readyBytes = 0
        entries = entries.filter { if case .reading = $0.value { return true } else { return false } }
        locating.removeAll()  // the chunks being located are dropped when they are
        condition.unlock()
    }

    /// The bytes read ahead and not taken yet.
    var heldBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return readyBytes
    }

    /// Chunks whose bytes a worker took from the read stage, reads whose bytes were dropped, and
    /// the most reads in flight at once.
    var counts: (taken: Int, dropped: Int, mostInFlight: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (taken, dropped, mostInFlight)
    }

    /// The reads wanted in flight now: ``concurrency``, or what ``ReadAheadSizing`` says.
    var target: Int {
        condition.lock()
        defer { condition.unlock() }
        return sizing?.target ?? concurrency
    }

    /// Whether fewer reads wait to start than ``target``: the pipeline then queues the reads of
    /// more patches ahead.
    var needsJobs: Bool {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head < (sizing?.target ?? concurrency)
    }

    /// Starts queued reads on idle queues, while fewer than the target are in flight and the
    /// reserve has room for the bytes of one more. Call with the lock held.
    private func pump() {
        while !idle.isEmpty, head < jobs.count {
            let inFlight = concurrency - idle.count
            guard inFlight < (sizing?.target ?? concurrency), readyBytes + (inFlight + 1) * bytesPerRead <= reserve else { break }
            let job = jobs[head]
            head += 1
            let key = EntryKey(store: job.store.number, key: job.key.value)
            if let array = job.sharded {
                let queue = idle.removeLast()
                queues[queue].async { self.locate(job, array: array, queue: queue) }
                continue
            }
            guard case .queued = entries[key] else { continue }  // taken by a worker meanwhile
            guard !cache.holds(job.chunk) else {  // a worker read it meanwhile
                entries[key] = nil
                continue
            }
            entries[key] = .reading
            let queue = idle.removeLast()
            queues[queue].async { self.read(job, key: key, queue: queue) }
        }
        mostInFlight = max(mostInFlight, concurrency - idle.count)
        if head > 1024, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
    }

    /// Finds where the job's inner chunk of `array` is (which may read the shard's index), then
    /// reads that range unless the chunk is not stored, is read or being read already, or a worker
    /// holds or decodes it.
    private func locate(_ job: Job, array: ZarrArray, queue: Int) {
        // A hint: a chunk that cannot be located is read by its worker, which reports the error.
        let location = ReadAheadStore.$isReadStage.withValue(true) { Result { try array.readChunkLocation(job.chunk.index) } }
        let shard = EntryKey(store: job.store.number, key: job.key.value)
        condition.lock()
        var wanted: EntryKey?
        if locating[shard]?.remove(job.chunk.index) != nil {  // not dropped by clear()
            if locating[shard]?.isEmpty == true { locating[shard] = nil }
            if case .success(let found?) = location, let range = found.range {
                let key = EntryKey(store: job.store.number, key: found.key.value, range: range)
                if entries[key] == nil, !cache.holds(job.chunk) { wanted = key }
            }
        }
        if case .failure = location { dropped += 1 }
        guard let wanted else {
            idle.append(queue)
            pump()
            condition.unlock()
            return
        }
        entries[wanted] = .reading
        condition.unlock()
        read(job, key: wanted, queue: queue)
    }

    private func read(_ job: Job, key: EntryKey, queue: Int) {
        let range = key.range.map { ByteRange.range(offset: $0.lowerBound, length: $0.count) }
        let start = DispatchTime.now().uptimeNanoseconds
        // A hint: a failed read is dropped and the worker reads the chunk itself, reporting the error.
        let read = Result { try job.store.base.get(job.key, range: range) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        condition.lock()
        idle.append(queue)
        if case .success(let bytes?) = read { largestRead = max(largestRead, bytes.count) }
        if case .success = read {  // a failure's time (a refused connection: microseconds) is not a read's
            sizing?.readFinished(seconds: seconds, chunksDecoded: counters.chunksDecoded.load(ordering: .relaxed),
                                 workerNanoseconds: counters.workerNanoseconds.load(ordering: .relaxed)
                                     - counters.workerReadNanoseconds.load(ordering: .relaxed),
                                 patches: counters.patches.load(ordering: .relaxed))
            resizeReserve()
        }
        if case .reading = entries[key], case .success(let bytes?) = read, readyBytes + bytes.count <= reserve, budget.tryAcquire(bytes.count) {
            entries[key] = .ready(bytes)
            readyBytes += bytes.count
        } else {
            if case .reading = entries[key] { entries[key] = nil }
            dropped += 1
        }
        condition.broadcast()
        pump()
        condition.unlock()
    }
}

/// A store wrapper through which the loader's arrays read: a chunk (or an inner chunk's byte
/// range) read ahead by ``ChunkReadAhead`` is answered from memory, anything else from the
/// wrapped store.
struct ReadAheadStore: ForwardingStore {
    /// The wrapped store (which the read stage reads from).
    let base: any ZarrStore
    /// This wrapper's number in the loader (keys of different stores never collide).
    let number: Int
    let readAhead: ChunkReadAhead

    /// Whether the calling thread is the read stage locating an inner chunk (reading its shard's
    /// index, ``ChunkReadAhead``): such reads are not the workers' and are not counted as their
    /// time in reads (``LoaderCounters/workerReadNanoseconds``). Counted, the stage's reads on its
    /// many threads added up to more than the workers' whole time, and ``ReadAheadSizing`` found
    /// no time outside reads to measure: over sharded images it never left its start.
    @TaskLocal static var isReadStage: Bool = false

    func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        if Self.isReadStage { return try base.get(key, range: range) }
        let started = DispatchTime.now().uptimeNanoseconds
        defer { readAhead.counters.workerReadNanoseconds.add(Int(DispatchTime.now().uptimeNanoseconds - started), ordering: .relaxed) }
        switch range {
        case nil:
            if let bytes = readAhead.take(self, key, range: nil) { return bytes }
        case .range(let offset, let length)? where offset >= 0 && length >= 0 && offset <= Int.max - length:
            if let bytes = readAhead.take(self, key, range: offset..<(offset + length)) { return bytes }
        default:
            break
        }
        return try base.get(key, range: range)
    }
}
