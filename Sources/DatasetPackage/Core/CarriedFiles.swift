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
/// - read through ``PackageReader`` (which the package layer reads with, the object store included),
///   it is fetched from the store on demand and checked against its digest (its manifest entry, or
///   an object's name), so the change sees the real bytes or fails;
/// - read any other way (a path opened directly), it cannot be opened (`ELOOP`): never taken for a
///   missing file (which Zarr would read as fill values) or an empty one.
struct CarriedFiles: Sendable {
    /// The manifest entries of the carried content files (package-relative paths).
    let entries: [String: ManifestEntry]
    /// The store they are fetched from.
    let store: any ZarrStore

    /// Whether a change leaves the package file `relative` in the store: a file of an image that
    /// is not Zarr metadata nor under the image's `labels/`, or an object of the object store.
    static func isLeftInStore(_ relative: String) -> Bool {
        if relative.hasPrefix(PackageLayout.objects + "/") { return true }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 2, parts[0] == Substring(PackageLayout.images), parts[2] != "labels", let name = parts.last else { return false }
        return name != Substring(PackageLayout.rootGroup) && !name.hasPrefix(".z")
    }

    /// The bytes of the carried file `relative`, fetched from the store and checked against its
    /// manifest entry (an object against its name).
    /// - Throws: ``PackageError`` `.io` when it is missing from the store or cannot be read,
    ///   `.invalidInput` when it is over `limit`, `.digestMismatch` when it is not what the
    ///   manifest (or the object's name) says.
    func fetch(_ relative: String, limit: Int) throws -> [UInt8] {
        guard let bytes = try PackageReader(store: store).readIfPresent(relative, limit: limit) else {
            throw PackageError(.io, "'\(relative)' was left in \(store.location) while the change was made, and is no longer there (another writer may be at work); nothing was changed",
                               context: ErrorContext(file: relative))
        }
        let expected = entries[relative]?.sha256 ?? (relative.hasPrefix(PackageLayout.objects + "/") ? SHA256Digest(hex: String(relative.dropFirst(PackageLayout.objects.count + 1))) : nil)
        if let expected, SHA256Digest(of: bytes) != expected {
            throw PackageError(.digestMismatch, "'\(relative)' in \(store.location) is not the file the manifest lists (another writer may be at work); nothing was changed",
                               context: ErrorContext(file: relative))
        }
        return bytes
    }
}
