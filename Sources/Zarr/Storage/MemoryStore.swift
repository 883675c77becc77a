import MIFACore

/// A store that keeps every value in memory; for tests, temporary arrays and building a hierarchy
/// before writing it elsewhere. Safe to use from any number of threads.
public final class MemoryStore: ZarrStore {
    private let values: LockedState<[StoreKey: [UInt8]]>

    /// An empty store, or one holding `values`.
    public init(_ values: [StoreKey: [UInt8]] = [:]) {
        self.values = LockedState(values)
    }

    /// `memory`.
    public var location: String { "memory" }

    /// Always `true`.
    public var isWritable: Bool { true }

    /// Always `false`: a range is cut from the value in memory.
    public var rangesIgnored: Bool { false }

    /// The value or the part of it `range` names; `nil` when missing.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        values.withLock { values in
            guard let value = values[key] else { return nil }
            guard range != nil else { return value }
            let (offset, count) = ByteRange.resolve(range, size: value.count)
            return Array(value[offset..<(offset + count)])
        }
    }

    /// Stores `bytes` under `key`.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws {
        values.withLock { $0[key] = bytes }
    }

    /// Removes `key`.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func delete(_ key: StoreKey) throws {
        _ = values.withLock { $0.removeValue(forKey: key) }
    }

    /// Every key starting with `prefix`, sorted.
    /// - Throws: ``ZarrError`` `.invalidKey` for an invalid prefix.
    public func list(prefix: String) throws -> [StoreKey] {
        try StoreKey.validatePrefix(prefix)
        return values.withLock { values in values.keys.filter { $0.value.hasPrefix(prefix) }.sorted() }
    }

    /// Whether `key` exists.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func exists(_ key: StoreKey) throws -> Bool {
        values.withLock { $0[key] != nil }
    }

    /// Writes `bytes` under `key` if it has no value, in one step; whether it wrote.
    func setIfAbsent(_ key: StoreKey, _ bytes: [UInt8]) -> Bool {
        values.withLock { values in
            guard values[key] == nil else { return false }
            values[key] = bytes
            return true
        }
    }

    /// Removes the value of `key` if `condition` holds for it, in one step; `false` when it does not.
    func removeIf(_ key: StoreKey, _ condition: ([UInt8]) -> Bool) -> Bool {
        values.withLock { values in
            guard let value = values[key] else { return true }
            guard condition(value) else { return false }
            values[key] = nil
            return true
        }
    }

    /// A copy of every key and value (for tests and copying a hierarchy).
    public var snapshot: [StoreKey: [UInt8]] {
        values.withLock { $0 }
    }
}
