import Zarr
import Synchronization

/// The loader's metrics counters, shared by its threads (atomics, so `Sendable`).
final class LoaderCounters: Sendable {
    /// Encoded bytes read from stores.
    let bytesRead = Atomic<Int>(0)
    /// Chunks decoded.
    let chunksDecoded = Atomic<Int>(0)
    /// Patches assembled.
    let patches = Atomic<Int>(0)
    /// Batches delivered.
    let batches = Atomic<Int>(0)
    /// Nanoseconds the consumer waited for a batch.
    let consumerWaitNanos = Atomic<Int>(0)
    /// Nanoseconds the workers spent on patches (wall time; ``ReadAheadSizing``).
    let workerNanoseconds = Atomic<Int>(0)
    /// Nanoseconds of that the workers spent in reads of a store with read-ahead (waiting for a
    /// read in flight, or reading themselves; ``ReadAheadSizing``).
    let workerReadNanoseconds = Atomic<Int>(0)
}

/// A read-only store wrapper: everything but `get` goes to the wrapped store, and the loader's
/// wrappers never write.
protocol ForwardingStore: ZarrStore {
    /// The wrapped store.
    var base: any ZarrStore { get }
}

extension ForwardingStore {
    var location: String { base.location }
    var isWritable: Bool { false }
    var rangesIgnored: Bool { base.rangesIgnored }
    func set(_ key: StoreKey, _ bytes: [UInt8]) throws { try base.set(key, bytes) }
    func delete(_ key: StoreKey) throws { try base.delete(key) }
    func list(prefix: String) throws -> [StoreKey] { try base.list(prefix: prefix) }
    func listDirectory(prefix: String) throws -> (keys: [String], prefixes: [String]) { try base.listDirectory(prefix: prefix) }
    func exists(_ key: StoreKey) throws -> Bool { try base.exists(key) }
}

/// A store wrapper that counts the bytes read through it (DESIGN: metrics wrap a store).
struct CountingStore: ForwardingStore {
    let base: any ZarrStore
    let counters: LoaderCounters

    func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        let bytes = try base.get(key, range: range)
        counters.bytesRead.add(bytes?.count ?? 0, ordering: .relaxed)
        return bytes
    }
}
