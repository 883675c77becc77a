import Crypto

extension MemoryStore: ConditionalStore {
    /// The value with its tag (the hex SHA-256 of the value).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func getTagged(_ key: StoreKey) throws -> (bytes: [UInt8], tag: String)? {
        guard let bytes = try get(key) else { return nil }
        return (bytes, Self.tag(bytes))
    }

    /// Writes `bytes` only if `key` has no value; atomic with respect to every other call.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func create(_ key: StoreKey, _ bytes: [UInt8]) throws -> String? {
        setIfAbsent(key, bytes) ? Self.tag(bytes) : nil
    }

    /// Removes the value only if its tag is `tag`; atomic with respect to every other call.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func delete(_ key: StoreKey, ifTag tag: String) throws -> Bool {
        removeIf(key) { Self.tag($0) == tag }
    }

    /// Copies the value of `source` to `target` (`size` is not needed here).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func copy(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> Bool {
        try copyComputingSHA256(source, to: target, size: size) != nil
    }

    /// Copies the value of `source` to `target` and gives its SHA-256, as S3 does for a single copy.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func copyComputingSHA256(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> StoreCopy? {
        guard let bytes = try get(source) else { return nil }
        try set(target, bytes)
        return StoreCopy(sha256: Array(SHA256.hash(data: bytes)))
    }

    /// The tag of a value: its SHA-256, in hex (S3's ETag is the MD5 of a single-part value).
    static func tag(_ bytes: [UInt8]) -> String {
        S3Signer.hex(SHA256.hash(data: bytes))
    }
}
