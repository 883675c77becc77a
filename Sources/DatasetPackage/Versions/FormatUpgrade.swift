import Annotations
import MIFACore

/// Brings a staged version to the current package format (``PackageLayout/formatVersion``): every
/// vector set gets its features grouped by image and an up-to-date ``AnnotationIndex``. Run on every
/// new version, after its edits, so a package written in format 1 is upgraded by its next version,
/// as ordinary content of that version (listed in the manifest, digested, diffed: regrouping
/// changes no object). The indexing part also runs in ``DatasetPackage/create(at:scanner:build:makeRecord:)``
/// and in ``PackageTransaction/commit(_:)``, so no write leaves a set without a valid index; both
/// also write the root `zarr.json` naming the current format (with the consolidated metadata).
enum FormatUpgrade {
    /// Writes the missing or stale indexes (and regroups those sets).
    /// - Throws: as ``indexVectorSets(root:replace:)``.
    static func apply(to staging: VersionStaging) throws {
        try indexVectorSets(root: staging.root, replace: staging.replaceFile)
    }

    /// Gives every vector set under `root` (a staged package tree) an index that describes its
    /// GeoJSON: a set whose index is missing or stale is regrouped by image and indexed anew.
    /// - Parameters:
    ///   - root: the staged tree.
    ///   - replace: writes a package-relative file of the tree by replacing it.
    /// - Throws: ``PackageError`` `.invalidInput` for a set that is not readable GeoJSON or has an
    ///   object naming no image, `.io`.
    static func indexVectorSets(root: String, replace: (String, [UInt8]) throws -> Void) throws {
        let folder = "\(root)/\(PackageLayout.annotations)"
        let sets = FileSystem.kind(of: folder) == .directory ? try PackageFileSystem.walkTopLevel(folder) : []
        for set in sets where SafeName.isSafe(set) && FileSystem.kind(of: "\(root)/\(PackageLayout.annotationFile(set))") == .file {
            let file = PackageLayout.annotationFile(set)
            let bytes = try PackageFileSystem.read("\(root)/\(file)")
            let indexPath = "\(root)/\(PackageLayout.annotationIndex(set))"
            // An index that cannot be read, does not describe the file or does not count its
            // objects' kinds (written before `kinds`) is rewritten from the GeoJSON below: it is
            // derived data, so dropping the reason loses nothing.
            if FileSystem.kind(of: indexPath) == .file,
                let index = try? PackageFileSystem.read(indexPath, limit: AnnotationIndex.sizeLimit),
                (try? AnnotationIndex.decode(index, describing: ManifestEntry(sha256: SHA256Digest(of: bytes), bytes: bytes.count), file: indexPath))?.countsKinds == true
            {
                continue
            }
            let encoded = try AnnotationIndex.encode(VectorSetReader.parse(bytes, file: file), file: file)
            // A set already grouped by image (its index only lacked the kinds) keeps its file as it is.
            if encoded.geojson != bytes { try replace(file, encoded.geojson) }
            try replace(PackageLayout.annotationIndex(set), encoded.index)
        }
    }
}
