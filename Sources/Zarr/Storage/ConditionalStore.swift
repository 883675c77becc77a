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

    /// Writes the regular file at `path` (never through a symbolic link) as the value under `key`.
    /// A store that writes large values in parts reads the file part by part (S3: over its
    /// multipart threshold), so that memory holds the parts in flight, never the whole file.
    /// - Throws: ``ZarrError`` `.readOnly`, `.storeFailure` (also when the file cannot be read).
    func set(_ key: StoreKey, contentsOf path: String) throws
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
