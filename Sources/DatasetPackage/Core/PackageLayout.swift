import MIFACore

/// The names and folders of a package on disk (DESIGN.md, "The package on disk").
///
/// ```
/// <name>/
///   zarr.json                 root Zarr v3 group; attributes.mifa = {"format": "mifa-package", "version": "2"},
///                             with the consolidated metadata of every node below it (see ``DatasetPackage/ConsolidatedMetadata``)
///   mifa.json                 the MIFA metadata (Schemas/mifa.schema.json)
///   images/zarr.json          a plain group, so Zarr tools walk root -> images -> image
///   images/<image_id>/        one OME-Zarr 0.5 image each; raster annotations under labels/<set_id>/
///   annotations/<set_id>/     vector annotations, normalised as annotations.geojson (features grouped
///                             by image) and index.json, each image's byte range in it (format 2)
///   annotations/files.json    where each source file went, with the file list's other columns
///   versions/<version>.json   immutable version records
///   versions/objects/sha256/  content-addressed copies of replaced files and of each version's file list
///   manifest.json             the current version's file list and its version record's digest
/// ```
///
/// Files under `zarr.json`, `mifa.json`, `images/` and `annotations/` are the package's *content*:
/// the manifest lists exactly them. `versions/` is the history, `manifest.json` the pointer to the
/// current version, `.mifa-lock` the writers' lock file (made by the first write), and
/// `.mifa-transaction/` exists only while a write is under way or was interrupted. Annotation set
/// ids are `set1`, `set2`, ... in the order of the metadata's annotation sets (MIFA gives sets no id).
///
/// Format versions: `"1"` had no annotation indexes; `"2"` adds `annotations/<set_id>/index.json`
/// to every vector set (so a reader fetches one image's objects with range reads, see
/// ``VectorSetReader``). A version-1 package opens and reads as before (its sets whole); every
/// new version of it (`mifa version`, with only `--changes` for a version that changes nothing else)
/// writes the indexes and format version 2, as ordinary content of that version.
public enum PackageLayout {
    /// The root group's metadata.
    public static let rootGroup = "zarr.json"
    /// Most bytes of the root `zarr.json` read: its consolidated metadata grows with the images
    /// (a few KiB each), so 256 MiB hold some 50,000 images.
    public static let rootGroupSizeLimit = 256 << 20
    /// The MIFA metadata document.
    public static let metadata = "mifa.json"
    /// The current version's manifest.
    public static let manifest = "manifest.json"
    /// The folder of OME-Zarr images.
    public static let images = "images"
    /// The folder of vector annotation sets.
    public static let annotations = "annotations"
    /// The folder of version records.
    public static let versions = "versions"
    /// The content-addressed object store.
    public static let objects = "versions/objects/sha256"
    /// The staging folder of a write in progress.
    public static let transaction = ".mifa-transaction"
    /// The name of the normalised vector annotation file inside `annotations/<set_id>/`.
    public static let annotationFileName = "annotations.geojson"
    /// The name of a vector set's index inside `annotations/<set_id>/` (format 2; see ``AnnotationIndex``).
    public static let annotationIndexName = "index.json"
    /// The value of `attributes.mifa.format` in the root `zarr.json`.
    public static let formatName = "mifa-package"
    /// The version of this layout, `attributes.mifa.version`: `"2"` (every vector set has an
    /// ``AnnotationIndex``). Packages of version `"1"` (no indexes) open as they are, their sets
    /// read whole; the next version made of them (`mifa version`) writes the
    /// indexes and this version.
    public static let formatVersion = "2"
    /// The format versions this build reads.
    public static let readableFormatVersions: Set<String> = ["1", "2"]

    /// The OME-Zarr image folder of an image id.
    public static func image(_ imageID: String) -> String { "\(images)/\(imageID)" }

    /// The labels folder of an annotation set on an image.
    public static func label(_ setID: String, of imageID: String) -> String { "\(images)/\(imageID)/labels/\(setID)" }

    /// The folder of a vector annotation set.
    public static func annotationSet(_ setID: String) -> String { "\(annotations)/\(setID)" }

    /// The normalised GeoJSON of a vector annotation set.
    public static func annotationFile(_ setID: String) -> String { "\(annotations)/\(setID)/\(annotationFileName)" }

    /// The index of a vector annotation set (see ``AnnotationIndex``).
    public static func annotationIndex(_ setID: String) -> String { "\(annotations)/\(setID)/\(annotationIndexName)" }

    /// The record of a version.
    public static func versionRecord(_ version: String) -> String { "\(versions)/\(version).json" }

    /// The stored object with a digest.
    public static func object(_ digest: SHA256Digest) -> String { "\(objects)/\(digest.hex)" }

    /// Whether a package-relative path is content (listed in the manifest).
    public static func isContent(_ path: String) -> Bool {
        path == rootGroup || path == metadata || path.hasPrefix(images + "/") || path.hasPrefix(annotations + "/")
    }

    /// Whether a package-relative path stays inside the package: not empty, not absolute, no
    /// empty, `.` or `..` components, no backslashes, NUL or other control characters.
    public static func isRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) else { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// Checks that a package-relative path stays inside the package (see ``isRelativePath(_:)``).
    /// - Throws: ``PackageError`` `.invalidPath` naming the path.
    public static func checkRelativePath(_ path: String) throws {
        guard isRelativePath(path) else {
            throw PackageError(.invalidPath, "'\(path)' is not a relative path inside the package (no leading '/', no empty, '.' or '..' parts, no control characters or backslashes)", context: .init(file: path))
        }
    }

    /// Checks a path read from a package's file list: a relative path inside the package (see
    /// ``isRelativePath(_:)``) in its content area (see ``isContent(_:)``). This is the one check
    /// every path from a manifest or a stored file list passes before anything reads or writes it.
    /// - Throws: ``PackageError`` `.invalidPath` naming the path and `file`.
    public static func checkContentPath(_ path: String, listedIn file: String) throws {
        guard isRelativePath(path), isContent(path) else {
            let shown = String(path.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
            throw PackageError(
                .invalidPath,
                "the file list names '\(shown)', which is not a file inside the package's content (zarr.json, mifa.json, images/, annotations/; no '..', absolute or empty parts): the package is damaged or crafted to write outside its folder; nothing was read or written",
                context: ErrorContext(file: file, pointer: JSONPointer(tokens: ["files", path]).description))
        }
    }
}
