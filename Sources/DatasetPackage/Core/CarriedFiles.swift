import MIFACore
import Zarr

/// The files of a package in object storage that a change made on a local copy
/// (``StoreTransaction/change(in:work:_:)``) leaves in the store: image data (the chunk and shard
/// files of the images, not their `zarr.json` nor their label images, which are annotations) and
/// the object store's copies (`versions/objects/sha256/`). Together they are nearly all of a large
/// package, and a change of metadata or annotations opens none of them.
///
/// Each has a placeholder in the local copy: a symbolic link to itself (see
/// ``PackageFileSystem/makePlaceholder(_:)``). So:
/// - the change removes or replaces it as any file (the placeholder goes, or a file takes its place);
/// - one neither removed nor replaced is carried into the new version with its manifest entry (same
///   digest, not read, hashed or uploaded; see ``ContentScanner`` and ``StoreTransaction``);
/// - one removed or replaced is kept for the old version as an object of the object store that
///   is a placeholder too (``ObjectStore/storePlaceholder(_:)``), never downloaded: publishing
///   copies the file to the object's place on the server (``stageKept(_:at:)``), checked against
///   its digest;
/// - read through ``PackageReader`` (which the package layer reads with, the object store included),
///   it is fetched from the store on demand and checked against its digest (its manifest entry, or
///   an object's name), so the change sees the real bytes or fails;
/// - read any other way (a path opened directly), it cannot be opened (`ELOOP`): never taken for a
///   missing file (which Zarr would read as fill values) or an empty one.
struct CarriedFiles: Sendable {
    /// The manifest entries of the carried content files (package-relative paths).
    let entries: [String: ManifestEntry]
    /// The store they are fetched from.
    let store: any ConditionalStore
    /// A carried file of each digest: where an object the change keeps is copied from.
    private let sources: [SHA256Digest: String]

    /// The carried files `entries` of `store`.
    init(entries: [String: ManifestEntry], store: any ConditionalStore) {
        self.entries = entries
        self.store = store
        sources = Dictionary(entries.map { ($0.value.sha256, $0.key) }) { first, _ in first }
    }

    /// Whether a change leaves the package file `relative` in the store: a file of an image that
    /// is not Zarr metadata nor under the image's `labels/`, or an object of the object store.
    static func isLeftInStore(_ relative: String) -> Bool {
        if relative.hasPrefix(PackageLayout.objects + "/") { return true }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 2, parts[0] == Substring(PackageLayout.images), parts[2] != "labels", let name = parts.last else { return false }
        return name != Substring(PackageLayout.rootGroup) && !name.hasPrefix(".z")
    }

    /// The bytes of the carried file `relative`, fetched from the store and checked against its
    /// manifest entry (an object against its name; an object the change keeps, not in the store
    /// before the change is published, is fetched from the file it keeps).
    /// - Throws: ``PackageError`` `.io` when it is missing from the store or cannot be read,
    ///   `.invalidInput` when it is over `limit`, `.digestMismatch` when it is not what the
    ///   manifest (or the object's name) says.
    func fetch(_ relative: String, limit: Int) throws -> [UInt8] {
        let reader = PackageReader(store: store)
        let expected = entries[relative]?.sha256 ?? Self.objectDigest(relative)
        var source = relative
        var bytes = try reader.readIfPresent(relative, limit: limit)
        if bytes == nil, entries[relative] == nil, let kept = expected.flatMap({ sources[$0] }) {
            // An object the change keeps is in the store once the change is published; until then its file is.
            source = kept
            bytes = try reader.readIfPresent(kept, limit: limit)
        }
        guard let bytes else {
            throw PackageError(.io, "'\(source)' was left in \(store.location) while the change was made, and is no longer there (another writer may be at work); nothing was changed",
                               context: ErrorContext(file: source))
        }
        if let expected, SHA256Digest(of: bytes) != expected { throw mismatch(source) }
        return bytes
    }

    /// Puts the object `relative` that the change keeps (see ``ObjectStore/storePlaceholder(_:)``)
    /// under `key` without moving its bytes through this process: the carried file of its digest
    /// is copied there on the server, and the SHA-256 the store computes as it copies
    /// (``ConditionalStore/copyComputingSHA256(_:to:size:)``; S3: `CopyObject`'s `ChecksumSHA256`)
    /// must be the digest. Where the store cannot tell (S3: an object over 5 GiB, copied in parts;
    /// a server that computes no checksums), the copy is read back and hashed instead.
    /// - Returns: the object's size in bytes.
    /// - Throws: ``PackageError`` `.digestMismatch` when the file in the store is not what the
    ///   manifest lists (the copy stays under `key`, to be discarded), `.io` when it is missing or
    ///   the store fails.
    func stageKept(_ relative: String, at key: StoreKey) throws -> Int {
        guard let digest = Self.objectDigest(relative), let source = sources[digest], let entry = entries[source] else {
            throw PackageError(.io, "'\(relative)' stands for no file left in \(store.location); nothing was changed. This is a bug, please report it",
                               context: ErrorContext(file: relative))
        }
        let copied: StoreCopy?
        do {
            copied = try store.copyComputingSHA256(try PackageReader.key(source), to: key, size: entry.bytes)
        } catch let error as ZarrError {
            throw PackageError(.io, error.message, context: ErrorContext(file: source), underlying: error)
        }
        guard let copied else {
            throw PackageError(.io, "'\(source)' was left in \(store.location) while the change was made, and is no longer there (another writer may be at work); nothing was changed",
                               context: ErrorContext(file: source))
        }
        if let sha256 = copied.sha256 {
            guard sha256 == digest.bytes else { throw mismatch(source) }
        } else {
            guard try PackageReader(store: store).digest(of: key.value).digest == digest else { throw mismatch(source) }
        }
        return entry.bytes
    }

    /// The digest an object's path names; `nil` for any other path.
    private static func objectDigest(_ relative: String) -> SHA256Digest? {
        relative.hasPrefix(PackageLayout.objects + "/") ? SHA256Digest(hex: String(relative.dropFirst(PackageLayout.objects.count + 1))) : nil
    }

    /// The error for the carried file `relative` when its bytes are not what the manifest lists.
    private func mismatch(_ relative: String) -> PackageError {
        PackageError(.digestMismatch, "'\(relative)' in \(store.location) is not the file the manifest lists (another writer may be at work); nothing was changed",
                     context: ErrorContext(file: relative))
    }
}
