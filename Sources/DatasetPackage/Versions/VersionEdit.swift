public import Annotations
import MIFACore

/// One change that makes a new version, applied in order to the staged copy of the current version
/// (see ``VersionMaker``).
public enum VersionEdit: Sendable {
    /// Replace `mifa.json` by a metadata file (YAML or JSON, as curators write it), which must
    /// validate; it is stored normalised as canonical JSON.
    case replaceMetadata(file: String)
    /// Add or replace the vector annotation set `set` from an annotation file in any format the
    /// Annotations module reads (`format` `nil`: detected), normalised to
    /// `annotations/<set>/annotations.geojson`; its images must be images of the package.
    case setAnnotations(set: String, file: String, format: AnnotationFormat? = nil)
    /// Remove the vector annotation set `set` (`annotations/<set>/`).
    case removeAnnotations(set: String)
    /// Any other change to the staged tree (e.g. re-ingesting a source folder). The closure must
    /// replace files (write to a new name and rename, or remove then write), never write into an
    /// existing file: unchanged files are hard links to the current version's.
    case custom(@Sendable (VersionStaging) throws -> Void)
}

/// The staged content of a version being made, with the helpers edits need.
public struct VersionStaging: Sendable {
    /// The folder holding the staged content (package-relative paths below it).
    public let root: String
    /// The package the version is made for.
    public let package: DatasetPackage

    /// The absolute path of a package-relative path in the staged tree.
    public func path(_ relative: String) -> String { "\(root)/\(relative)" }

    /// Writes a file of the new version by replacing (never writing through a hard link).
    /// - Throws: ``PackageError`` `.invalidPath`, `.io`.
    public func replaceFile(_ relative: String, with bytes: [UInt8]) throws {
        try PackageLayout.checkRelativePath(relative)
        guard PackageLayout.isContent(relative) else {
            throw PackageError(.invalidPath, "'\(relative)' is not content of a package (zarr.json, mifa.json, images/, annotations/)", context: ErrorContext(file: relative))
        }
        try PackageFileSystem.createDirectories(FileSystem.parent(of: path(relative)))
        try write(bytes, to: path(relative))
    }

    /// Removes a file or folder from the new version.
    /// - Throws: ``PackageError`` `.invalidPath`, `.io`.
    public func remove(_ relative: String) throws {
        try PackageLayout.checkRelativePath(relative)
        try PackageFileSystem.removeTree(path(relative))
    }

    /// The ids of the images the staged content holds (folders `images/<id>/` with a `zarr.json`), sorted.
    /// - Throws: ``PackageError`` `.io`.
    public func imageIDs() throws -> [String] {
        let folder = path(PackageLayout.images)
        guard FileSystem.kind(of: folder) == .directory else { return [] }
        return try PackageFileSystem.walkTopLevel(folder).filter {
            SafeName.isSafe($0) && FileSystem.kind(of: "\(folder)/\($0)/zarr.json") == .file
        }.sorted()
    }
}
