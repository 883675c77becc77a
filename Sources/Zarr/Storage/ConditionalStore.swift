import MIFACore

/// A store that can write a value only where none is, remove a value only if it is still the one
/// read, and copy values on the server: what a commit protocol needs from object storage (S3's
/// conditional writes, https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html).
///
/// A value's tag (S3's `ETag`) changes whenever the value is replaced; equal tags mean the same write.
public protocol ConditionalStore: ZarrStore {
    /// The value under `key` with its tag; `nil` when there is none.
    /// - Throws: ``ZarrError`` when the store fails.
    func getTagged(_ key: StoreKey) throws -> (bytes: [UInt8], tag: String)?

    /// Writes `bytes` under `key` only if no value is there (S3: `If-None-Match: *`).
    /// - Returns: the new value's tag, or `nil` when a value was already there (nothing is written).
    /// - Throws: ``ZarrError`` `.readOnly`, `.storeFailure`.
    func create(_ key: StoreKey, _ bytes: [UInt8]) throws -> String?

    /// Removes the value under `key` only if its tag is `tag` (S3: `DELETE` with `If-Match`).
    /// - Returns: `false` when another value is there (nothing is removed); `true` when the value
    ///   was removed or there is none.
    /// - Throws: ``ZarrError`` `.readOnly`, `.storeFailure`.
    func delete(_ key: StoreKey, ifTag tag: String) throws -> Bool

    /// Copies the value under `source` to `target` inside the store, without moving its bytes
    /// through this process (S3: `CopyObject`, or a multipart copy for an object over 5 GiB).
    /// `size` is the source's size in bytes when the caller knows it (it wrote the value), so that
    /// a store that plans copies by size need not ask for it (S3: no `HEAD` first); `nil` to ask.
    /// - Returns: `false` when there is no value under `source` (nothing is written).
    /// - Throws: ``ZarrError`` `.readOnly`, `.storeFailure` (also when `size` is not the source's).
    func copy(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> Bool

    /// Copies the value under `source` to `target` as ``copy(_:to:size:)`` does, the store computing
    /// the SHA-256 of the bytes it copied, so that a caller can check what was copied without
    /// reading it (S3: one `CopyObject` with `x-amz-checksum-algorithm: SHA256`, whose result names
    /// the copy's `ChecksumSHA256`; https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
    /// - Returns: `nil` when there is no value under `source` (nothing is written); else what the
    ///   store says of the copy (see ``StoreCopy/sha256``: it may not tell).
    /// - Throws: as ``copy(_:to:size:)``.
    func copyComputingSHA256(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> StoreCopy?

    /// Writes the regular file at `path` (never through a symbolic link) as the value under `key`.
    /// A store that writes large values in parts reads the file part by part (S3: over its
    /// multipart threshold), so that memory holds the parts in flight, never the whole file.
    /// - Throws: ``ZarrError`` `.readOnly`, `.storeFailure` (also when the file cannot be read).
    func set(_ key: StoreKey, contentsOf path: String) throws
}

/// What a store says of a copy it made (``ConditionalStore/copyComputingSHA256(_:to:size:)``).
public struct StoreCopy: Sendable, Hashable {
    /// The SHA-256 (32 bytes) of the bytes copied, computed by the store as it copied them; `nil`
    /// when it cannot tell: S3 gives a whole object's SHA-256 for a single `CopyObject` only (an
    /// object over ``S3Store/maxCopyBytes`` is copied in parts, whose checksum is one of its parts'
    /// checksums), and a server that does not compute checksums answers none. The copy is made
    /// either way; a caller that must know its bytes then reads them.
    public var sha256: [UInt8]?

    /// A copy of which the store gives the SHA-256 `sha256` (`nil`: it cannot tell).
    public init(sha256: [UInt8]?) {
        self.sha256 = sha256
    }
}

extension ConditionalStore {
    /// Copies the value under `source` to `target` inside the store, its size asked of the store
    /// where the copy depends on it (see ``copy(_:to:size:)``).
    /// - Returns: `false` when there is no value under `source` (nothing is written).
    /// - Throws: ``ZarrError`` `.readOnly`, `.storeFailure`.
    public func copy(_ source: StoreKey, to target: StoreKey) throws -> Bool {
        try copy(source, to: target, size: nil)
    }

    /// Writes the regular file at `path` (never through a symbolic link) whole as the value under
    /// `key`: for stores that hold values whole (memory); S3 reads it in parts.
    /// - Throws: ``ZarrError`` `.storeFailure` when the file cannot be read, what ``ZarrStore/set(_:_:)`` throws.
    public func set(_ key: StoreKey, contentsOf path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.contents(of: path, limit: .max, followingLinks: false)
        } catch let error as CoreError {
            throw ZarrError(.storeFailure, "cannot write '\(key)' of \(location) from the file: \(error.message)", context: error.context, underlying: error)
        }
        try set(key, bytes)
    }
}
