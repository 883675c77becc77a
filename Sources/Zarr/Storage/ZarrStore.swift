/// Where Zarr keys and their bytes live: a directory, memory, a zip file, an HTTP server, an S3 bucket.
///
/// The protocol is small on purpose (https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#abstract-store-interface):
/// read a value (optionally one byte range or a suffix), write, delete, list. A missing key is
/// `nil`, never an error. Stores are synchronous and `Sendable`; arrays call them from several
/// threads at once. Caches and metrics wrap a store; no store caches silently.
public protocol ZarrStore: Sendable {
    /// Where the store is (a directory, file or URL), for messages.
    var location: String { get }

    /// Whether ``set(_:_:)`` and ``delete(_:)`` are supported.
    var isWritable: Bool { get }

    /// Whether a read of a byte range has been answered by reading the whole value (an HTTP server
    /// that ignores `Range`), so that every ranged read may cost a download of the whole value.
    /// A store that wraps another answers for the one it wraps: what reads a file in place by
    /// ranges (``ZipStore`` over a remote object) refuses such a store, however it is wrapped.
    var rangesIgnored: Bool { get }

    /// The value of `key`, or the part of it `range` names; `nil` when the key does not exist.
    /// - Throws: ``ZarrError`` `.storeFailure` when the value exists but cannot be read.
    func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]?

    /// Stores `bytes` under `key`, replacing any earlier value as one step.
    /// - Throws: ``ZarrError`` `.readOnly` for read-only stores, `.storeFailure` when writing fails.
    func set(_ key: StoreKey, _ bytes: [UInt8]) throws

    /// Removes `key`; removing a missing key is not an error.
    /// - Throws: ``ZarrError`` `.readOnly` for read-only stores, `.storeFailure` when removing fails.
    func delete(_ key: StoreKey) throws

    /// Every key that starts with `prefix` (`""` for all, `a/b/` for everything under `a/b`), sorted.
    /// - Throws: ``ZarrError`` `.invalidKey` for a prefix that leaves the store, `.storeFailure`
    ///   when the store cannot list (HTTP servers cannot).
    func list(prefix: String) throws -> [StoreKey]

    /// The names directly under `prefix`: keys (files) and prefixes (directories), each sorted.
    /// - Throws: as ``list(prefix:)``.
    func listDirectory(prefix: String) throws -> (keys: [String], prefixes: [String])

    /// Whether `key` exists.
    /// - Throws: ``ZarrError`` `.storeFailure` when the store cannot tell.
    func exists(_ key: StoreKey) throws -> Bool
}

extension ZarrStore {
    /// The whole value of `key`, or `nil` when it does not exist.
    /// - Throws: ``ZarrError`` `.storeFailure` when the value exists but cannot be read.
    public func get(_ key: StoreKey) throws -> [UInt8]? {
        try get(key, range: nil)
    }

    /// Whether `key` exists, by reading no bytes of it.
    /// - Throws: ``ZarrError`` `.storeFailure` when the store cannot tell.
    public func exists(_ key: StoreKey) throws -> Bool {
        try get(key, range: .range(offset: 0, length: 0)) != nil
    }

    /// The direct children of `prefix`, derived from ``list(prefix:)``.
    /// - Throws: as ``list(prefix:)``.
    public func listDirectory(prefix: String) throws -> (keys: [String], prefixes: [String]) {
        let normalized = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        var keys = Set<String>()
        var prefixes = Set<String>()
        for key in try list(prefix: normalized) {
            let rest = key.value.dropFirst(normalized.count)
            if let slash = rest.firstIndex(of: "/") {
                prefixes.insert(String(rest[..<slash]))
            } else {
                keys.insert(String(rest))
            }
        }
        return (keys.sorted(), prefixes.sorted())
    }

    /// The error a read-only store throws from ``set(_:_:)`` and ``delete(_:)``.
    func readOnlyError(_ key: StoreKey) -> ZarrError {
        ZarrError(.readOnly, "the store at \(location) is read-only; write to a directory or memory store instead",
                  context: .init(file: location, key: key.value))
    }
}
