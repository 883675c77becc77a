import MIFACore
import Synchronization
public import Zarr

/// A wrapper around a conditional store that calls `before` ahead of every write it passes on
/// (`set`, `create`, `delete`, `copy`), with the number of writes before it, the operation and the
/// key: a test stops a writer at write N by throwing there (as if the process were killed: nothing
/// more reaches the store), or runs another writer at that moment. It keeps the keys read, for tests
/// of what an operation downloads.
public final class InterruptingStore: ConditionalStore {
    /// The wrapped store.
    public let base: any ConditionalStore
    private let writes = Atomic<Int>(0)
    private let readKeys = LockedState<[String]>([])
    private let before: @Sendable (_ index: Int, _ operation: String, _ key: String) throws -> Void

    /// A wrapper of `base` calling `before` ahead of each write.
    public init(_ base: any ConditionalStore, before: @escaping @Sendable (_ index: Int, _ operation: String, _ key: String) throws -> Void) {
        self.base = base
        self.before = before
    }

    /// The number of writes passed on (or stopped) so far.
    public var count: Int { writes.load(ordering: .relaxed) }

    /// The keys read so far (`get`, `getTagged`), in order.
    public var reads: [String] { readKeys.withLock { $0 } }

    private func check(_ operation: String, _ key: StoreKey) throws {
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
        readKeys.withLock { $0.append(key.value) }
        return try base.get(key, range: range)
    }
    /// Reads through.
    /// - Throws: what the wrapped store throws.
    public func getTagged(_ key: StoreKey) throws -> (bytes: [UInt8], tag: String)? {
        readKeys.withLock { $0.append(key.value) }
        return try base.getTagged(key)
    }
    /// Lists through.
    /// - Throws: what the wrapped store throws.
    public func list(prefix: String) throws -> [StoreKey] { try base.list(prefix: prefix) }
    /// Writes through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws { try check("set", key); try base.set(key, bytes) }
    /// Deletes through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func delete(_ key: StoreKey) throws { try check("delete", key); try base.delete(key) }
    /// Creates through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func create(_ key: StoreKey, _ bytes: [UInt8]) throws -> String? { try check("create", key); return try base.create(key, bytes) }
    /// Deletes conditionally through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func delete(_ key: StoreKey, ifTag tag: String) throws -> Bool { try check("delete-if", key); return try base.delete(key, ifTag: tag) }
    /// Copies through, after `before`.
    /// - Throws: what `before` or the wrapped store throws.
    public func copy(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> Bool { try check("copy", target); return try base.copy(source, to: target, size: size) }
}
