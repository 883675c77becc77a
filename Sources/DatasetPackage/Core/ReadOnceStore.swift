import Foundation
import MIFACore
import Zarr

/// A read-only view of a remote package's store for a command that reads the same files several
/// times (an audit hashes every file, then its checks read the metadata, annotations and labels
/// again): every file read whole is kept in memory and read from there afterwards, within two
/// bounds: documents (any key outside a Zarr array's `c/` chunk folder: `zarr.json`, `manifest.json`,
/// GeoJSON) up to ``documentBudget`` bytes in all, chunks up to ``chunkBudget`` (a missing file is
/// kept as missing, counted by its key's length). Files read once the bounds are reached go to the
/// store each time. Byte-range reads always go to the store.
///
/// Over HTTP or S3 this makes an audit's checks cost no request for what it hashed (the sample
/// package: 283 requests, 180 of them one after another, became 104, all in the concurrent hashing
/// pass), and the checks read exactly the bytes that were hashed. Made by ``PackageAuditor`` for one
/// audit; nothing else keeps files (DESIGN: nothing caches silently).
///
/// Thread safety: `kept` and the byte counts are guarded by `lock`. Hence `@unchecked Sendable`.
final class ReadOnceStore: ZarrStore, @unchecked Sendable {
    /// The most bytes of documents kept (64 MiB unless given).
    let documentBudget: Int
    /// The most bytes of chunks kept (192 MiB unless given).
    let chunkBudget: Int

    /// The package's store.
    let base: any ZarrStore
    private let lock = NSLock()
    /// Files read whole, by key: their bytes, or `nil` when missing.
    private var kept: [String: [UInt8]?] = [:]
    private var documentBytes = 0
    private var chunkBytes = 0

    /// A view of `base` keeping what is read through it, within the budgets.
    init(base: any ZarrStore, documentBudget: Int = 64 << 20, chunkBudget: Int = 192 << 20) {
        self.base = base
        self.documentBudget = documentBudget
        self.chunkBudget = chunkBudget
    }

    /// The package's location.
    var location: String { base.location }

    /// Always `false`: the view only reads.
    var isWritable: Bool { false }

    /// Whether `base` ignores byte ranges.
    var rangesIgnored: Bool { base.rangesIgnored }

    /// The file from memory when it was read whole before (or found missing: an array's chunks that
    /// hold only the fill value are not stored), else from `base` (kept when it fits).
    func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        guard range == nil else { return try base.get(key, range: range) }
        lock.lock()
        let found = kept[key.value]
        lock.unlock()
        if let found { return found }
        let bytes = try base.get(key, range: nil)
        let isChunk = key.value.hasPrefix("c/") || key.value.contains("/c/")
        let cost = (bytes?.count ?? 0) + key.value.utf8.count
        lock.lock()
        if kept[key.value] == nil {
            if isChunk, chunkBytes + cost <= chunkBudget {
                chunkBytes += cost
                kept[key.value] = .some(bytes)
            } else if !isChunk, documentBytes + cost <= documentBudget {
                documentBytes += cost
                kept[key.value] = .some(bytes)
            }
        }
        lock.unlock()
        return bytes
    }

    /// Refused: the view only reads.
    func set(_ key: StoreKey, _ bytes: [UInt8]) throws {
        throw ZarrError(.readOnly, "the package is read for an audit; nothing is written", context: ErrorContext(file: location, key: key.value))
    }

    /// Refused: the view only reads.
    func delete(_ key: StoreKey) throws { try set(key, []) }

    /// The keys of `base` under `prefix`.
    func list(prefix: String) throws -> [StoreKey] { try base.list(prefix: prefix) }

    /// Whether `key` exists, from memory when it was read whole before.
    func exists(_ key: StoreKey) throws -> Bool {
        lock.lock()
        let found = kept[key.value]
        lock.unlock()
        if let found { return found != nil }
        return try base.exists(key)
    }
}
