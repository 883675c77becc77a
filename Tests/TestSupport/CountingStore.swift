import MIFACore
import Synchronization
public import Zarr

/// A read-only store wrapper counting the reads (`get`) made through it, and keeping each read's
/// key and range, for tests that bound how many reads an operation costs and what they fetch.
public final class CountingStore: ZarrStore {
    /// The wrapped store.
    public let base: any ZarrStore
    private let reads = Atomic<Int>(0)
    private let log = LockedState<[(key: String, range: ByteRange?)]>([])

    /// A counter of the reads of `base`.
    public init(_ base: any ZarrStore) { self.base = base }

    /// The wrapped store's location.
    public var location: String { base.location }
    /// Always `false`: the wrapper refuses writes.
    public var isWritable: Bool { false }
    /// Whether the wrapped store ignores byte ranges.
    public var rangesIgnored: Bool { base.rangesIgnored }

    /// Reads through the wrapped store, counting one read.
    /// - Throws: what the wrapped store throws.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        reads.add(1, ordering: .relaxed)
        log.withLock { $0.append((key.value, range)) }
        return try base.get(key, range: range)
    }

    /// Refused: the wrapper is read-only.
    /// - Throws: `ZarrError` `.readOnly`.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws { throw ZarrError(.readOnly, "the counting store is read-only") }

    /// Refused: the wrapper is read-only.
    /// - Throws: `ZarrError` `.readOnly`.
    public func delete(_ key: StoreKey) throws { throw ZarrError(.readOnly, "the counting store is read-only") }

    /// The wrapped store's listing (not counted).
    /// - Throws: what the wrapped store throws.
    public func list(prefix: String) throws -> [StoreKey] { try base.list(prefix: prefix) }

    /// The number of reads so far.
    public var count: Int { reads.load(ordering: .relaxed) }

    /// The reads so far, in order: each one's key and range (`nil` for the whole value).
    public var history: [(key: String, range: ByteRange?)] { log.withLock { $0 } }
}
