import Foundation
import MIFACore
public import Zarr

/// A MIFA dataset package on disk (DESIGN.md, "The package on disk"): a Zarr v3 root group holding
/// the MIFA metadata, OME-Zarr images, annotations, immutable version records and the manifest of
/// the current version.
///
/// Opening a package finishes or undoes a write that was interrupted (see ``PackageTransaction``),
/// so what is read is always one whole version.
public struct DatasetPackage: Sendable {
    /// The package folder, or the zip file or URL of a package read in place.
    public let root: String
    /// Where the package's files are read from (see ``PackageReader``).
    public let reader: PackageReader
    /// The root `zarr.json` as read when a package read in place (a zip or URL, which this value
    /// cannot change) was opened, so that opening reads it once; `nil` for a folder, whose root
    /// `zarr.json` a new version replaces, and which is read again when needed. Its consolidated
    /// metadata is checked against the manifest before it is used (``consolidatedMetadata(manifest:)``).
    var rootGroupBytes: [UInt8]?

    /// How ``open(_:recovery:http:readingFilesOnce:)`` treats an interrupted write.
    public enum Recovery: Sendable {
        /// Take the write lock (waiting for a running writer) and finish or undo an interrupted write.
        case required
        /// Finish or undo an interrupted write only if no other process is writing; otherwise read as is.
        case ifUnlocked
    }

    /// The root group's `zarr.json` bytes.
    public static let rootGroupJSON: [UInt8] = Array("""
        {
          "attributes": {
            "mifa": {
              "format": "\(PackageLayout.formatName)",
              "version": "\(PackageLayout.formatVersion)"
            }
          },
          "node_type": "group",
          "zarr_format": 3
        }

        """.utf8)

    init(unchecked root: String) {
        self.root = root
        reader = PackageReader(folder: root)
    }

    init(unchecked reader: PackageReader) {
        root = reader.location
        self.reader = reader
    }

    /// Opens the package at `root`, first finishing or undoing an interrupted write. `root` is a
    /// folder, or (read only) a `.zip` made by `mifa export --to zip`, an `http(s)://` or an
    /// `s3://bucket/prefix` URL (see ``PackageReader/open(_:http:)``, read within `http`); such a
    /// package is read as it is (nothing can be recovered there). With `readingFilesOnce`, for a
    /// command that reads a remote package's files several times (credits, diff), each file is
    /// requested once and kept for the package's life, within the bounds of the audit's `ReadOnceStore`; a folder
    /// or a local zip file is read as always.
    /// - Throws: ``PackageError`` `.notAPackage` when `root` is not a MIFA package, `.locked` when
    ///   recovery is required and another process holds the lock for too long, `.io`.
    public static func open(_ root: String, recovery: Recovery = .required, http: HTTPLimits = .default, readingFilesOnce: Bool = false) throws -> DatasetPackage {
        let reader = try PackageReader.open(root, http: http)
        let package = DatasetPackage(unchecked: readingFilesOnce ? reader.keepingWhatItReads() : reader)
        return try package.opened(rootGroup: package.checkRootGroup(), recovery: recovery)
    }

    /// The package at `root` opened as ``open(_:recovery:http:readingFilesOnce:)`` opens it, or `nil` when `root`
    /// is not a MIFA package: nothing there, no root `zarr.json` (a missing file, an HTTP 404, an
    /// S3 `NoSuchKey`) or one that does not name the format. A package however damaged is opened
    /// as one, so that its own error is reported instead of `root` being taken for something else;
    /// a root that could not be read (any other HTTP status, S3's `AccessDenied`, a timeout, a
    /// refused connection, a file that cannot be read) is an error, not "no package". The root
    /// `zarr.json` is read once.
    /// - Throws: as ``open(_:recovery:http:readingFilesOnce:)`` for a package; ``PackageError`` `.io` (with the
    ///   store's own message: the URL, the status, how to fix it) when `root` could not be read.
    public static func openIfPackage(_ root: String, recovery: Recovery = .required, http: HTTPLimits = .default) throws -> DatasetPackage? {
        guard let reader = try PackageReader.openIfPresent(root, http: http) else { return nil }
        let package = DatasetPackage(unchecked: reader)
        guard let (bytes, version) = try package.rootGroupIfPackage() else { return nil }
        try checkReadable(version, file: package.path(PackageLayout.rootGroup))
        return try package.opened(rootGroup: bytes, recovery: recovery)
    }

    /// This package, whose root `zarr.json` (`rootGroup`, checked) was just read, opened: its
    /// structure checked and, for a folder, an interrupted write finished or undone (unless
    /// `recovery` is `nil`).
    /// - Throws: as ``open(_:recovery:http:readingFilesOnce:)``.
    private func opened(rootGroup: [UInt8], recovery: Recovery?) throws -> DatasetPackage {
        var package = self
        try package.checkStructure()
        guard reader.folder != nil else {
            package.rootGroupBytes = rootGroup
            return package
        }
        // Nothing to finish or undo: read without touching the package (no lock file is created).
        guard let recovery, FileSystem.exists(package.path(PackageLayout.transaction)) else { return package }
        if let lock = try PackageFileSystem.lock(package.lockPath, wait: recovery == .required) {
            defer { lock.release() }
            try PackageTransaction.recover(package)
        }
        return package
    }

    /// Opens the package that `reader` reads, as it is: a folder is not recovered (use
    /// ``open(_:recovery:http:readingFilesOnce:)`` for that).
    /// - Throws: ``PackageError`` `.notAPackage` when there is no MIFA package, `.invalidInput`
    ///   for a folder with links in its own places, `.io`.
    public static func open(_ reader: PackageReader) throws -> DatasetPackage {
        let package = DatasetPackage(unchecked: reader)
        return try package.opened(rootGroup: package.checkRootGroup(), recovery: nil)
    }

    /// The package's name: the last component of its folder, zip (without `.zip`) or URL (without its query).
    public var name: String {
        var last = StoreURL.splittingQuery(root).path.split(separator: "/").last.map(String.init) ?? "package"
        if reader.folder == nil, last.lowercased().hasSuffix(".zip") { last.removeLast(4) }
        return last.isEmpty ? "package" : last
    }

    /// The absolute path (or URL) of a package-relative path.
    public func path(_ relative: String) -> String { "\(root)/\(relative)" }

    /// The lock file serialising writers.
    var lockPath: String { path(Self.lockName) }

    /// The object store.
    public var objects: ObjectStore { ObjectStore(packageRoot: root, reader: reader) }

    /// The current manifest.
    /// - Throws: ``PackageError`` `.malformed`, `.io`.
    public func manifest() throws -> Manifest {
        try Manifest.decode(reader.read(PackageLayout.manifest, limit: 1 << 30), file: path(PackageLayout.manifest))
    }

    /// The id of the current version.
    /// - Throws: as ``manifest()``.
    public func currentVersion() throws -> String { try manifest().version }

    /// The record of a version, with the digest of its file.
    /// - Throws: ``PackageError`` `.invalidVersion` for an unknown version, `.malformed`, `.io`.
    public func record(_ version: String) throws -> (record: VersionRecord, sha256: SHA256Digest) {
        let stored = try storedRecord(version)
        return (stored.record, stored.sha256)
    }

    /// The record of a version with the digest and the bytes of its file.
    /// - Throws: as ``record(_:)``.
    func storedRecord(_ version: String) throws -> (record: VersionRecord, sha256: SHA256Digest, bytes: [UInt8]) {
        guard SafeName.isSafe(version) else {
            throw PackageError(.invalidVersion, "'\(version)' is not a version id (letters, digits, '.', '_', '-')", context: ErrorContext(file: root))
        }
        let relative = PackageLayout.versionRecord(version)
        let file = path(relative)
        guard let bytes = try reader.readIfPresent(relative, limit: 64 << 20) else {
            let known = (try? versionIDs()) ?? []
            throw PackageError(.invalidVersion, "the package has no version '\(version)'; it has \(known.isEmpty ? "none" : known.joined(separator: ", "))", context: ErrorContext(file: file))
        }
        let record = try VersionRecord.decode(bytes, file: file)
        guard record.version == version else {
            throw PackageError(.malformed, "the record says it is version '\(record.version)' but is stored as '\(version)'", context: ErrorContext(file: file, pointer: "/version"))
        }
        return (record, SHA256Digest(of: bytes), bytes)
    }

    /// The ids of every stored version record (unordered by lineage; see ``lineage(to:)``); only
    /// those of the current lineage for a package that cannot be listed (over HTTP).
    /// - Throws: ``PackageError`` `.io`.
    public func versionIDs() throws -> [String] {
        guard let names = try reader.names(in: PackageLayout.versions) else { return try lineage().map(\.version) }
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter(SafeName.isSafe).sorted()
    }

    /// The versions from the first to `version` (the manifest's version when `nil`), following
    /// `previous_version` back. A caller that holds the manifest passes its version: decoding a
    /// manifest of many files again is most of the work otherwise.
    /// - Throws: ``PackageError`` `.malformed` for a cycle or a broken link, or what reading throws.
    public func lineage(to version: String? = nil) throws -> [VersionRecord] {
        var chain: [VersionRecord] = []
        var seen = Set<String>()
        var next: String? = try version ?? currentVersion()
        while let version = next {
            guard seen.insert(version).inserted else {
                throw PackageError(.malformed, "the version chain loops back to '\(version)'", context: ErrorContext(file: path(PackageLayout.versionRecord(version)), pointer: "/previous_version"))
            }
            let record = try record(version).record
            chain.append(record)
            next = record.previousVersion
        }
        return chain.reversed()
    }

    /// The file list of any version, read from the object store (the current one from the manifest).
    /// - Throws: ``PackageError`` `.missingObject`, `.digestMismatch`, `.malformed`, `.invalidVersion`, `.io`.
    public func fileList(of version: String) throws -> FileList {
        let manifest = try manifest()
        if manifest.version == version { return manifest.fileList }
        let record = try record(version).record
        let bytes = try objects.read(record.manifestSHA256)
        return try FileList.decode(bytes, file: PackageLayout.object(record.manifestSHA256))
    }

    /// The bytes of a content file as it was in some version: from the package tree when the file
    /// there still has that content, otherwise from the object store. Always checked against the digest.
    /// - Throws: ``PackageError`` `.missingObject` when neither place has it, `.invalidPath` for a
    ///   path the version does not have, `.io`.
    public func contents(of relative: String, in fileList: FileList) throws -> [UInt8] {
        guard let entry = fileList.files[relative] else {
            throw PackageError(.invalidPath, "the version has no file '\(relative)'", context: ErrorContext(file: relative))
        }
        // A tree file that cannot be read or holds another version's content is taken from the
        // object store; when that has no copy either, why the tree file could not be read is the error.
        let treeError: (any Error)?
        do {
            if let bytes = try reader.readIfPresent(relative), SHA256Digest(of: bytes) == entry.sha256 { return bytes }
            treeError = nil
        } catch {
            treeError = error
        }
        do {
            return try objects.read(entry.sha256)
        } catch let error as PackageError where error.kind == .missingObject {
            throw treeError ?? error
        }
    }

    /// Writes every content file of `version` into `destination` (a folder that must not exist yet),
    /// each checked against its digest: the version restored bit for bit, as a package tree without history.
    /// - Parameters:
    ///   - version: the version to restore.
    ///   - destination: a folder that must not exist yet.
    ///   - progress: called after each file with the files done and the total.
    /// - Throws: ``PackageError`` `.alreadyExists` when `destination` exists, `.missingObject`, `.io`.
    public func restore(version: String, to destination: String, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws {
        guard !FileSystem.exists(destination) else {
            throw PackageError(.alreadyExists, "'\(destination)' already exists; give a new folder", context: ErrorContext(file: destination))
        }
        let list = try fileList(of: version)
        try PackageFileSystem.removeAbandonedStaging(for: destination, purpose: "restore")
        let staging = PackageFileSystem.stagingPath(for: destination, purpose: "restore")
        do {
            for (done, relative) in list.paths.enumerated() {
                defer { progress(done + 1, list.files.count) }
                let entry = list.files[relative]!
                let target = "\(staging)/\(relative)"
                try PackageFileSystem.createDirectories(FileSystem.parent(of: target))
                guard reader.folder != nil else {
                    // Read in place (zip, URL): the bytes are checked against the digest by `contents`.
                    do {
                        try AtomicFile.write(try contents(of: relative, in: list), to: target)
                    } catch let error as CoreError {
                        throw PackageError(error)
                    }
                    continue
                }
                if FileSystem.kind(of: path(relative)) == .file {
                    do {
                        try PackageFileSystem.copy(path(relative), to: target, expected: entry.sha256, displayPath: relative)
                        continue
                    } catch let error as PackageError where error.kind == .digestMismatch {
                        // The tree holds another version's content: the object store has this one's.
                    }
                }
                guard objects.contains(entry.sha256) else {
                    throw PackageError(.missingObject, "no intact copy of '\(relative)' of version \(version) is left: the object \(entry.sha256.hex) is missing; run `mifa audit`", context: ErrorContext(file: relative))
                }
                try PackageFileSystem.copy(objects.path(of: entry.sha256), to: target, expected: entry.sha256, displayPath: PackageLayout.object(entry.sha256))
            }
            try PackageFileSystem.renameWithoutReplacing(staging, to: destination)
        } catch {
            try? PackageFileSystem.removeTree(staging)
            throw error
        }
    }

    /// The package's own places (`zarr.json`, `mifa.json`, `manifest.json`, `.mifa-lock`, and the
    /// folders `images/`, `annotations/`, `versions/`, its object store and `.mifa-transaction/`)
    /// that are not what they must be: a regular file or a folder (or absent). A symbolic link
    /// there would lead reads and writes out of the package.
    /// - Returns: each such place, package-relative, with what it must be and what it is instead.
    public func structuralProblems() -> [(path: String, expected: String, found: String)] {
        // A zip or a URL has keys, not links.
        guard reader.folder != nil else { return [] }
        var problems: [(path: String, expected: String, found: String)] = []
        // A folder where the lock file belongs is harmless (the lock cannot be taken, as on a
        // read-only copy); a link there would make the lock file elsewhere.
        let places: [(String, FileSystem.EntryKind, allowed: Set<FileSystem.EntryKind>)] = [
            (PackageLayout.rootGroup, .file, []), (PackageLayout.metadata, .file, []), (PackageLayout.manifest, .file, []), (Self.lockName, .file, [.directory]),
            (PackageLayout.images, .directory, []), (PackageLayout.annotations, .directory, []), (PackageLayout.versions, .directory, []),
            ("\(PackageLayout.versions)/objects", .directory, []), (PackageLayout.objects, .directory, []), (PackageLayout.transaction, .directory, []),
        ]
        for (relative, expected, allowed) in places {
            guard let kind = FileSystem.kind(of: path(relative)), kind != expected, !allowed.contains(kind) else { continue }
            let found = switch kind {
            case .symbolicLink: "a symbolic link"
            case .file: "a file"
            case .directory: "a folder"
            case .other: "a special file (FIFO, device or socket)"
            }
            problems.append((relative, expected == .file ? "regular file" : "folder", found))
        }
        return problems
    }

    /// Refuses a package whose own places are links or of the wrong kind (see ``structuralProblems()``).
    /// - Throws: ``PackageError`` `.invalidInput` naming the first one.
    public func checkStructure() throws {
        guard let problem = structuralProblems().first else { return }
        throw PackageError(
            .invalidInput,
            "'\(problem.path)' in the package is \(problem.found), not a \(problem.expected); mifa never reads or writes a package through links or special files (they can lead out of its folder). Replace it with the real \(problem.expected) (`mifa audit` lists every problem)",
            context: ErrorContext(file: path(problem.path)))
    }

    /// The name of the writers' lock file.
    static let lockName = ".mifa-lock"

    /// Whether `root` is a MIFA package (a root `zarr.json` naming the format), however damaged the
    /// rest: a command given a package then reads it as one and reports what is wrong, instead of
    /// taking it for something else.
    /// - Throws: ``PackageError`` `.io` when `root` or its `zarr.json` could not be read (see
    ///   ``openIfPackage(_:recovery:http:)``): that is not an answer.
    public static func isPackage(at root: String, http: HTTPLimits = .default) throws -> Bool {
        guard let reader = try PackageReader.openIfPresent(root, http: http) else { return false }
        return try DatasetPackage(unchecked: reader).rootGroupIfPackage() != nil
    }

    /// The root `zarr.json` and the package format version it names, or `nil` when there is no
    /// MIFA package here: no folder, no root `zarr.json` (a missing file, an HTTP 404, an S3
    /// `NoSuchKey`), or one that is not JSON naming the format. Any other failure to read it is
    /// thrown, never taken for "not a package".
    /// - Throws: ``PackageError`` `.io` with the store's or file system's own error, `.invalidInput`
    ///   for a `zarr.json` over ``PackageLayout/rootGroupSizeLimit``.
    func rootGroupIfPackage() throws -> (bytes: [UInt8], version: String)? {
        do {
            let bytes = try readRootGroup()
            return (bytes, try Self.formatVersion(ofRootGroup: bytes, file: path(PackageLayout.rootGroup)))
        } catch let error as PackageError where error.kind == .notAPackage {
            return nil
        }
    }

    /// Refuses a folder that is not a MIFA package: no root `zarr.json` with `attributes.mifa.format`,
    /// or one of a format version this build cannot read.
    /// - Returns: the bytes of the root `zarr.json`.
    /// - Throws: ``PackageError`` `.notAPackage`.
    @discardableResult
    func checkRootGroup() throws -> [UInt8] {
        let bytes = try readRootGroup()
        let file = path(PackageLayout.rootGroup)
        try Self.checkReadable(Self.formatVersion(ofRootGroup: bytes, file: file), file: file)
        return bytes
    }

    /// The bytes of the root `zarr.json` (at most ``PackageLayout/rootGroupSizeLimit``).
    /// - Throws: ``PackageError`` `.notAPackage` when a folder is not one or there is no root
    ///   `zarr.json`, `.io`, `.invalidInput` when it is too large.
    func readRootGroup() throws -> [UInt8] {
        let file = path(PackageLayout.rootGroup)
        if reader.folder == nil {
            guard let bytes = try reader.readIfPresent(PackageLayout.rootGroup, limit: PackageLayout.rootGroupSizeLimit) else {
                throw PackageError(.notAPackage, "'\(root)' has no zarr.json; a MIFA package is a Zarr v3 group made by `mifa pack`", context: ErrorContext(file: file))
            }
            return bytes
        }
        guard FileSystem.kind(of: root) == .directory else {
            throw PackageError(.notAPackage, "'\(root)' is not a folder; a MIFA package is a folder made by `mifa pack`", context: ErrorContext(file: root))
        }
        guard FileSystem.kind(of: file) == .file else {
            throw PackageError(.notAPackage, "'\(root)' has no zarr.json; a MIFA package is a Zarr v3 group made by `mifa pack`", context: ErrorContext(file: file))
        }
        return try PackageFileSystem.read(file, limit: PackageLayout.rootGroupSizeLimit)
    }

    /// Refuses a format version this build cannot read.
    /// - Throws: ``PackageError`` `.notAPackage` saying to use a newer mifa.
    static func checkReadable(_ version: String, file: String) throws {
        guard PackageLayout.readableFormatVersions.contains(version) else {
            throw PackageError(
                .notAPackage,
                "the package is in format version '\(version.prefix(40))', which this MIFAKit (formats \(PackageLayout.readableFormatVersions.sorted().joined(separator: ", "))) cannot read; use a newer mifa",
                context: ErrorContext(file: file, pointer: "/attributes/mifa/version"))
        }
    }

    /// The package format version (`attributes.mifa.version`) a root `zarr.json` names; `"1"` when
    /// it names none (the first packages).
    /// - Throws: ``PackageError`` `.notAPackage` when the bytes are not JSON naming the MIFA format.
    static func formatVersion(ofRootGroup bytes: [UInt8], file: String) throws -> String {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, file: file)
        } catch let error as CoreError {
            throw PackageError(.notAPackage, error.message, context: error.context)
        }
        guard case .string(PackageLayout.formatName)? = value["attributes"]?["mifa"]?["format"] else {
            throw PackageError(.notAPackage, "zarr.json has no attributes.mifa.format = \"\(PackageLayout.formatName)\"; this Zarr group is not a MIFA package", context: ErrorContext(file: file, pointer: "/attributes/mifa/format"))
        }
        return value["attributes"]?["mifa"]?["version"]?.stringValue ?? "1"
    }

    /// The package's format version (see ``PackageLayout/formatVersion``).
    /// - Throws: ``PackageError`` `.notAPackage`, `.io`.
    public func formatVersion() throws -> String {
        try Self.formatVersion(ofRootGroup: rootGroupBytes ?? reader.read(PackageLayout.rootGroup, limit: PackageLayout.rootGroupSizeLimit), file: path(PackageLayout.rootGroup))
    }
}
