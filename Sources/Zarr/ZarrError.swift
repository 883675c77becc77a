public import MIFACore

/// An error from the Zarr engine: metadata, codecs, chunks, shards and stores.
///
/// The context names the store key (chunk key, `zarr.json`, `.zarray`), the JSON pointer inside a
/// metadata document, or the byte offset inside a chunk or shard.
public typealias ZarrError = LayerError<ZarrErrorCode>

/// The codes of ``ZarrError``: what went wrong, as a stable code.
public enum ZarrErrorCode: String, ErrorCode, CaseIterable {
    /// Metadata that is missing, malformed, of the wrong type, or uses an unsupported feature.
    case invalidMetadata = "invalid-metadata"
    /// An extension (codec, data type, chunk grid, storage transformer) that must be understood
    /// and is not.
    case unsupportedExtension = "unsupported-extension"
    /// A chunk or shard whose bytes do not decode to what the metadata declares.
    case corruptChunk = "corrupt-chunk"
    /// A checksum that does not match.
    case checksumMismatch = "checksum-mismatch"
    /// A key that would leave the store (`..`, absolute paths, symlinks out).
    case invalidKey = "invalid-key"
    /// A store operation that failed (I/O, HTTP, zip).
    case storeFailure = "store-failure"
    /// A write to a read-only store.
    case readOnly = "read-only"
    /// A region or array shape that does not fit the array.
    case invalidRegion = "invalid-region"
    /// A node that does not exist where one was expected.
    case notFound = "not-found"
    /// Something larger than an explicit limit allows: a response body, a zip entry, or the
    /// memory a read would allocate for what a header claims.
    case tooLarge = "too-large"
}
