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
    /// - Returns: `false` when there is no value under `source` (nothing is written).
    /// - Throws: ``ZarrError`` `.readOnly`, `.storeFailure`.
    func copy(_ source: StoreKey, to target: StoreKey) throws -> Bool
}
