import Foundation
import MIFACore

/// Writes a package version in another form: one zip file, one annotation set as COCO or GeoJSON,
/// a Croissant description, or a citation (CITATION.cff or DataCite JSON, see ``PackageCitation``). The package is only read; the output is written under a temporary
/// name and renamed, and an existing output is never replaced.
public struct PackageExporter: Sendable {
    /// What was written.
    public struct Summary: Sendable {
        /// The output file.
        public var output: String
        /// The version exported.
        public var version: String
        /// Files in the zip, or objects in the annotation file, or distribution entries of the
        /// description, or people the citation credits.
        public var items: Int
        /// What ``items`` counts: "files", "objects", "distribution entries", "people credited".
        public var counted: String
        /// The set exported (coco, geojson).
        public var setID: String?
    }

    /// The package.
    public let package: DatasetPackage

    /// An exporter of `package`.
    public init(package: DatasetPackage) {
        self.package = package
    }

    /// An exporter of the package at `root`, opened as ``DatasetPackage/open(_:recovery:http:readingFilesOnce:)`` with
    /// ``DatasetPackage/Recovery/ifUnlocked``; a package that cannot be locked (a read-only copy) is
    /// read as it is (every file read is still checked against its digest).
    /// - Throws: ``PackageError`` `.notAPackage`, `.io` for other failures than the lock.
    public init(opening root: String) throws {
        do {
            package = try DatasetPackage.open(root, recovery: .ifUnlocked)
        } catch let error as PackageError where error.kind == .io && FileSystem.kind(of: "\(root)/\(PackageLayout.rootGroup)") == .file {
            package = DatasetPackage(unchecked: root)
        }
    }

    /// Writes `format` to `output`.
    /// - Parameters:
    ///   - format: what to write (zip, COCO, GeoJSON, Croissant, CITATION.cff or DataCite).
    ///   - output: the file to write; it must not exist.
    ///   - version: the version to export; `nil` for the current one. A zip of the current version
    ///     holds the whole package, history included; a zip of another version holds its content.
    ///   - setID: the annotation set (coco, geojson); `nil` for the only one.
    ///   - image: only this image's objects (coco, geojson; read without the other images' where
    ///     the set has an index); `nil` for all.
    ///   - progress: called as the work goes with the steps done and the total (zip: files;
    ///     coco, geojson: label images converted).
    /// - Throws: ``PackageError`` `.alreadyExists` when `output` exists, `.invalidArgument` when it
    ///   is inside the package, `.invalidVersion`,
    ///   `.invalidArgument` for a missing or ambiguous set, `.invalidInput` for annotations the
    ///   format cannot hold, `.digestMismatch` / `.missingObject` when the package is damaged, `.io`.
    @discardableResult
    public func export(_ format: Format, to output: String, version: String? = nil, setID: String? = nil, image: String? = nil, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Summary {
        guard !FileSystem.exists(output) else {
            throw PackageError(.alreadyExists, "'\(output)' already exists; give a new file name", context: ErrorContext(file: output))
        }
        // A package read in place (zip, URL) cannot be written into; a folder can, so refuse that.
        if let root = package.reader.folder {
            let folder = URL(fileURLWithPath: root).resolvingSymlinksInPath().standardizedFileURL.path
            let parent = URL(fileURLWithPath: FileSystem.parent(of: output)).resolvingSymlinksInPath().standardizedFileURL.path
            guard parent != folder, !parent.hasPrefix(folder + "/") else {
                throw PackageError(.invalidArgument, "'\(output)' is inside the package; write the export outside the package folder so the package stays unchanged", context: ErrorContext(file: output))
            }
        }
        let snapshot = try PackageSnapshot(package: package, version: version)
        return try format.handler.export(snapshot, of: self, to: output, request: Request(version: version, setID: setID, image: image), progress: progress)
    }

    /// The path of `target` as seen from `folder` (both absolute): `..` up to their common folder, then down.
    static func relativePath(from folder: String, to target: String) -> String {
        let from = folder.split(separator: "/"), to = target.split(separator: "/")
        var common = 0
        while common < min(from.count, to.count), from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)).joined(separator: "/")
    }
}
