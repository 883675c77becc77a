import Dispatch
import Foundation
import Zarr

/// The read stage of the loader: when a batch opens, the encoded bytes of the chunks its patches
/// need (and that are neither cached nor being decoded) are read on queues of their own, at most
/// ``concurrency`` reads at once, so that a worker finds them in memory when it decodes instead of
/// waiting for the store. Reads and decodes so have separate concurrency limits: a remote store
/// (HTTP) can have many reads in flight while decoding stays at one thread per worker.
///
/// Reads are hints: a read that fails, or whose bytes do not fit the reserve, is dropped, and the
/// worker reads the chunk itself (and reports the error with the chunk's key). Bytes read ahead
/// count against the memory budget and never exceed ``reserve`` bytes together, which the loader
/// keeps out of the cache's share, so they can never starve the workers' decode buffers.
/// Sharded arrays are not read ahead (their chunks are byte ranges of shard files).
///
/// Thread safety: every mutable field is guarded by `condition` (an `NSCondition`); workers wait
/// on it for a read in flight. Hence `@unchecked Sendable`.
final class ChunkReadAhead: @unchecked Sendable {
    /// One chunk to read: its key in a store wrapped by ``ReadAheadStore``.
    struct Job {
        let store: ReadAheadStore
        let key: StoreKey
    }

    private struct EntryKey: Hashable {
        var store: Int
        var key: String
    }

    private enum Entry {
        case queued
        case reading
        case ready([UInt8])
    }

    /// The most reads in flight at once.
    let concurrency: Int
    /// The most bytes read ahead and not yet taken.
    let reserve: Int
    private let budget: MemoryBudget
    private let queues: [DispatchQueue]
    private let condition = NSCondition()
    private var entries: [EntryKey: Entry] = [:]
    private var jobs: [Job] = []
    private var head = 0
    private var idle: [Int]
    private var readyBytes = 0
    private var taken = 0
    private var dropped = 0

    /// A read stage of `concurrency` queues keeping at most `reserve` bytes of `budget`.
    init(concurrency: Int, reserve: Int, budget: MemoryBudget) {
        self.concurrency = concurrency
        self.reserve = reserve
        self.budget = budget
        queues = (0..<concurrency).map { DispatchQueue(label: "mifa.batchloader.read.\($0)", qos: .userInitiated) }
        idle = Array((0..<concurrency).reversed())
    }

    /// Queues reads of the chunks in `jobs` not already queued, read or being read.
    func schedule(_ new: [Job]) {
        guard !new.isEmpty else { return }
        condition.lock()
        for job in new {
            let key = EntryKey(store: job.store.number, key: job.key.value)
            guard entries[key] == nil else { continue }
            entries[key] = .queued
            jobs.append(job)
        }
        pump()
        condition.unlock()
    }

    /// The chunk's bytes if they were read ahead (waiting for a read in flight); `nil` when the
    /// caller must read it itself (a queued read of it is dropped).
    func take(_ store: ReadAheadStore, _ key: StoreKey) -> [UInt8]? {
        let entryKey = EntryKey(store: store.number, key: key.value)
        condition.lock()
        defer { condition.unlock() }
        while case .reading = entries[entryKey] { condition.wait() }
        switch entries.removeValue(forKey: entryKey) {
        case .ready(let bytes):
            readyBytes -= bytes.count
            budget.release(bytes.count)
            taken += 1
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
        condition.unlock()
    }

    /// The bytes read ahead and not taken yet.
    var heldBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return readyBytes
    }

    /// Chunks whose bytes a worker took from the read stage, and reads whose bytes were dropped.
    var counts: (taken: Int, dropped: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (taken, dropped)
    }

    /// Starts queued reads on idle queues. Call with the lock held.
    private func pump() {
        while !idle.isEmpty, head < jobs.count {
            let job = jobs[head]
            head += 1
            let key = EntryKey(store: job.store.number, key: job.key.value)
            guard case .queued = entries[key] else { continue }  // taken by a worker meanwhile
            entries[key] = .reading
            let queue = idle.removeLast()
            queues[queue].async { self.read(job, key: key, queue: queue) }
        }
        if head > 1024, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
    }

    private func read(_ job: Job, key: EntryKey, queue: Int) {
        let bytes = try? job.store.base.get(job.key, range: nil)
        condition.lock()
        idle.append(queue)
        if case .reading = entries[key], let bytes, readyBytes + bytes.count <= reserve, budget.tryAcquire(bytes.count) {
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

/// A store wrapper through which the loader's arrays read: a chunk read ahead by
/// ``ChunkReadAhead`` is answered from memory, anything else from the wrapped store.
struct ReadAheadStore: ForwardingStore {
    /// The wrapped store (which the read stage reads from).
    let base: any ZarrStore
    /// This wrapper's number in the loader (keys of different stores never collide).
    let number: Int
    let readAhead: ChunkReadAhead

    func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        if range == nil, let bytes = readAhead.take(self, key) { return bytes }
        return try base.get(key, range: range)
    }
}
