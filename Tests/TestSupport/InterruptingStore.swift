import MIFACore
import Synchronization
public import Zarr

/// A wrapper around a conditional store that calls `before` ahead of every write it passes on
/// (`set`, `create`, `delete`, `copy`, `copy-sha256`), with the number of writes before it, the
/// operation and the key: a test stops a writer at write N by throwing there (as if the process
/// were killed: nothing more reaches the store), or runs another writer at that moment. It keeps
/// every call passed on with the bytes it moved through this process, for tests of what an
/// operation downloads and uploads.
public final class InterruptingStore: ConditionalStore {
    /// The wrapped store.
    public let base: any ConditionalStore
    private let writes = Atomic<Int>(0)
    private let log = LockedState<[Call]>([])
    private let before: @Sendable (_ index: Int, _ operation: String, _ key: String) throws -> Void

    /// A wrapper of `base` calling `before` ahead of each write.
    public init(_ base: any ConditionalStore, before: @escaping @Sendable (_ index: Int, _ operation: String, _ key: String) throws -> Void) {
        self.base = base
        self.before = before
    }

    /// The number of writes passed on (or stopped) so far.
    public var count: Int { writes.load(ordering: .relaxed) }

    /// One call passed on to the wrapped store.
    public struct Call: Sendable, Equatable {
        /// `get`, `getTagged`, `list`, `set`, `create`, `delete`, `delete-if`, `copy`, `copy-sha256`.
        public var operation: String
        /// The key (a copy's target; a listing's prefix).
        public var key: String
        /// The bytes it moved through this process: read (`get`, `getTagged`) or written (`set`,
        /// `create`); 0 for the others (a copy's bytes stay in the store).
        public var bytes: Int
    }

    /// The calls passed on so far (or stopped, for writes), in order.
    public var calls: [Call] { log.withLock { $0 } }

    /// The keys read so far (`get`, `getTagged`), in order.
    public var reads: [String] { calls.filter { $0.operation == "get" || $0.operation == "getTagged" }.map(\.key) }

    private func record(_ operation: String, _ key: String, bytes: Int = 0) {
        log.withLock { $0.append(Call(operation: operation, key: key, bytes: bytes)) }
    }

    private func check(_ operation: String, _ key: StoreKey, bytes: Int = 0) throws {
        record(operation, key.value, bytes: bytes)
        try before(writes.add(1, ordering: .relaxed).oldValue, operation, key.value)
    }

    /// The wrapped store's location.
    public var location: String { base.location }
    /// The wrapped store's answer.
    public var isWritable: Bool { base.isWritable }
    /// Whether the wrapped store ignores byte ranges.
    public var rangesIgnored: Bool { base.rangesIgnored }
    /// Reads through.
    /// - Throws: what the wrapped store throws.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        let bytes = try base.get(key, range: range)
        record("get", key.value, bytes: bytes?.count ?? 0)
        return bytes
    }
    /// Reads through.
    /// - Throws: what the wrapped store throws.
    public func getTagged(_ key: StoreKey) throws -> (bytes: [UInt8], tag: String)? {
        let tagged = try base.getTagged(key)
        record("getTagged", key.value, bytes: tagged?.bytes.count ?? 0)
        return tagged
    }
    /// Lists through.
    /// - Throws: what the wrapped store throws.
    public func list(prefix: String) throws -> [StoreKey] { record("list", prefix); return try base.list(prefix: prefix) }
    /// Writes through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws { try check("set", key, bytes: bytes.count); try base.set(key, bytes) }
    /// Deletes through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func delete(_ key: StoreKey) throws { try check("delete", key); try base.delete(key) }
    /// Creates through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func create(_ key: StoreKey, _ bytes: [UInt8]) throws -> String? { try check("create", key, bytes: bytes.count); return try base.create(key, bytes) }
    /// Deletes conditionally through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func delete(_ key: StoreKey, ifTag tag: String) throws -> Bool { try check("delete-if", key); return try base.delete(key, ifTag: tag) }
    /// Copies through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func copy(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> Bool { try check("copy", target); return try base.copy(source, to: target, size: size) }
    /// Copies through, after `before`, giving the wrapped store's SHA-256.
    /// - Throws: what `before` or the wrapped store throws.
    public func copyComputingSHA256(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> StoreCopy? {
        try check("copy-sha256", target)
        return try base.copyComputingSHA256(source, to: target, size: size)
    }
}
