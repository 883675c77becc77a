import MIFACore

/// What a new version is made from, handed to the closure that writes its record.
public struct CommitContext: Sendable {
    /// The package being changed (for a new package, the folder it is being built in).
    public var packageRoot: String
    /// The staged content of the new version.
    public var stagingRoot: String
    /// The current version's manifest; `nil` for a new package.
    public var previousManifest: Manifest?
    /// The current version's record; `nil` for a new package.
    public var previousRecord: VersionRecord?
    /// The new version's files.
    public var fileList: FileList
    /// The digest of the new file list (the record's `manifest_sha256`).
    public var fileListSHA256: SHA256Digest
    /// Files added, removed and modified since the current version (all added for a new package).
    public var fileChanges: FileChanges
}

/// A change to a package: the new version's whole content is staged in ``stagingRoot`` (unchanged
/// files may be hard links to the current ones, see ``stageCurrentContent()``; writers must replace
/// files by renaming, never write into them), then ``commit(_:)`` makes it the current version.
///
/// Crash safety: until the commit point (the file `.mifa-transaction/COMMIT`, written with fsync)
/// the package is untouched apart from copies of soon-replaced files added to the object store;
/// after it, moving the staged files into place is repeatable. Opening the package (any command)
/// finishes a committed write or discards an uncommitted one, so a package is always one whole
/// version: the old one or the new one.
public struct PackageTransaction: ~Copyable {
    /// The package.
    public let package: DatasetPackage
    /// Where the new version's content is staged.
    public let stagingRoot: String
    private let lock: FileLock
    private let scanner: ContentScanner

    /// Starts a change: takes the package's write lock (waiting for another writer), finishes or
    /// undoes an interrupted write, and creates an empty staging folder.
    /// - Throws: ``PackageError`` `.invalidArgument` for a package read in place (a zip or URL),
    ///   `.notAPackage`, `.io`.
    public init(package: DatasetPackage, scanner: ContentScanner = ContentScanner()) throws {
        guard package.reader.folder != nil else {
            throw PackageError(.invalidArgument, "'\(package.root)' is read in place (a zip or URL) and cannot be changed; `mifa checkout` it into a folder and make the version there",
                               context: ErrorContext(file: package.root))
        }
        guard let lock = try PackageFileSystem.lock(package.lockPath, wait: true) else {
            throw PackageError(.locked, "another process is writing to the package", context: ErrorContext(file: package.root))
        }
        do {
            try package.checkStructure()
            try Self.recover(package)
            // A partial copy's placeholders stand for files left in object storage (see ``CarriedFiles``).
            if let entry = try scanner.list(package.root).irregular.first(where: { !package.reader.isCarried($0) }) {
                throw PackageError(
                    .invalidInput,
                    "'\(entry)' is a symbolic link or special file; a package holds regular files only, and no change is made to a package through one (it could lead out of the folder). Replace it with the file itself (`mifa audit` lists them all)",
                    context: ErrorContext(file: package.path(entry)))
            }
        } catch {
            lock.release()
            throw error
        }
        let transaction = package.path(PackageLayout.transaction)
        try PackageFileSystem.createDirectories("\(transaction)/tree")
        self.package = package
        self.stagingRoot = "\(transaction)/tree"
        self.lock = lock
        self.scanner = scanner
    }

    /// Hard-links every current content file into the staging folder, so that only what changes
    /// needs to be written (a file left in object storage gets a placeholder there, see `CarriedFiles`).
    /// - Throws: ``PackageError`` `.io`.
    public func stageCurrentContent() throws {
        let manifest = try package.manifest()
        for relative in manifest.fileList.paths {
            let target = "\(stagingRoot)/\(relative)"
            try PackageFileSystem.createDirectories(FileSystem.parent(of: target))
            if package.reader.isCarried(relative) {
                try PackageFileSystem.makePlaceholder(target)
            } else {
                try PackageFileSystem.link(package.path(relative), to: target)
            }
        }
    }

    /// Makes the staged content the package's new current version.
    ///
    /// A vector set whose index no longer describes its GeoJSON (or has none) is first regrouped
    /// by image and indexed (see ``AnnotationIndex``), and the root `zarr.json` is written anew:
    /// the current format version and the consolidated metadata of the staged nodes (see
    /// ``DatasetPackage/ConsolidatedMetadata``). `makeRecord` gets the new file list and the
    /// changes and returns the version record (its `manifest_sha256`, `previous_*`, `file_count`
    /// and `total_bytes` are filled in here). Throwing from it abandons the change.
    /// - Returns: the record written.
    /// - Throws: ``PackageError`` `.invalidVersion` when the version id is unsafe or taken,
    ///   `.digestMismatch` when a file about to be replaced was altered since the current version,
    ///   `.invalidInput` for a staged vector set that cannot be indexed (not GeoJSON, an object
    ///   naming no image), or what `makeRecord` throws. The package is unchanged in every case.
    public consuming func commit(_ makeRecord: (CommitContext) throws -> VersionRecord) throws -> VersionRecord {
        defer { lock.release() }
        let transaction = package.path(PackageLayout.transaction)
        do {
            let manifest = try package.manifest()
            let previous = try package.record(manifest.version)
            // Every vector set keeps an index that describes it (format 2), whoever staged the content.
            let staged = stagingRoot
            try FormatUpgrade.indexVectorSets(root: staged) { relative, bytes in try write(bytes, to: "\(staged)/\(relative)") }
            // The root group names the current format and consolidates the staged nodes (replaced, never written into: it may be a link to the current one).
            try write(DatasetPackage.rootGroup(consolidating: staged), to: "\(staged)/\(PackageLayout.rootGroup)")
            let fileList = try scanner.fileList(of: stagingRoot, carried: package.reader.carried)
            let changes = FileChanges(from: manifest.fileList, to: fileList)
            let context = CommitContext(
                packageRoot: package.root, stagingRoot: stagingRoot, previousManifest: manifest, previousRecord: previous.record,
                fileList: fileList, fileListSHA256: try fileList.digest(), fileChanges: changes)
            var record = try makeRecord(context)
            try Self.complete(&record, context: context, previousSHA256: previous.sha256)
            guard !FileSystem.exists(package.path(PackageLayout.versionRecord(record.version))) else {
                throw PackageError(.invalidVersion, "version '\(record.version)' already exists; versions are immutable, choose a new id", context: ErrorContext(file: package.path(PackageLayout.versionRecord(record.version))))
            }
            for relative in changes.removed + changes.modified {
                let expected = manifest.files[relative]!.sha256
                if package.reader.isCarried(relative) {
                    // Left in object storage: kept there, copied on the server when published (see ``CarriedFiles``).
                    try package.objects.storePlaceholder(expected)
                } else {
                    try package.objects.store(fileAt: package.path(relative), expected: expected, displayPath: relative)
                }
            }
            try package.objects.store(fileList.canonicalJSON())
            let recordBytes = try record.canonicalJSON()
            try write(recordBytes, to: "\(transaction)/record.json")
            let plan = CommitPlan(
                version: record.version, fileListSHA256: context.fileListSHA256, recordSHA256: SHA256Digest(of: recordBytes),
                moves: changes.added + changes.modified, removals: changes.removed)
            try write(try CanonicalJSON.encode(plan), to: "\(transaction)/COMMIT")
            try Self.apply(plan, to: package)
            return record
        } catch {
            if !FileSystem.exists("\(transaction)/COMMIT") { try? PackageFileSystem.removeTree(transaction) }
            throw error
        }
    }

    /// Discards the staged change.
    public consuming func abandon() {
        try? PackageFileSystem.removeTree(package.path(PackageLayout.transaction))
        lock.release()
    }

    /// Finishes a committed write or discards an uncommitted one, and removes the temporary files
    /// an interrupted write leaves (see ``removeTemporaries(of:)``). The caller holds the lock.
    static func recover(_ package: DatasetPackage) throws {
        let transaction = package.path(PackageLayout.transaction)
        guard FileSystem.exists(transaction) else { return }
        guard FileSystem.kind(of: transaction) == .directory else {
            throw PackageError(.invalidInput, "'\(transaction)' is not a folder (a symbolic link or special file); remove it", context: ErrorContext(file: transaction))
        }
        let commitFile = "\(transaction)/COMMIT"
        if FileSystem.kind(of: commitFile) == .file {
            let plan = try PackageJSON.decode(CommitPlan.self, from: PackageFileSystem.read(commitFile), file: commitFile)
            try removeTemporaries(of: package)
            try apply(plan, to: package)
        } else {
            try removeTemporaries(of: package)
            try PackageFileSystem.removeTree(transaction)
        }
    }

    /// Removes the temporary files that only an interrupted write leaves beside the package's own
    /// files (at the root, in `versions/`, its proposals, reviews and flags folders and in the object store; see
    /// ``PackageFileSystem/isTemporaryName(_:)``). Folders are left alone.
    /// - Throws: ``PackageError`` `.io`.
    static func removeTemporaries(of package: DatasetPackage) throws {
        let sideFolders = SideRecordKind.allCases.map { package.path($0.folder) }
        for folder in [package.root, package.path(PackageLayout.versions), package.path(PackageLayout.objects)] + sideFolders where FileSystem.kind(of: folder) == .directory {
            for name in try PackageFileSystem.walkTopLevel(folder) where PackageFileSystem.isTemporaryName(name) {
                let kind = FileSystem.kind(of: "\(folder)/\(name)")
                if kind == .file || kind == .symbolicLink { try PackageFileSystem.remove("\(folder)/\(name)") }
            }
        }
    }

    /// Fills in the parts of a record that follow from the content and the chain.
    static func complete(_ record: inout VersionRecord, context: CommitContext, previousSHA256: SHA256Digest?) throws {
        guard SafeName.isSafe(record.version) else {
            throw PackageError(.invalidVersion, "'\(record.version)' cannot be a version id: use 1-128 letters, digits, '.', '_' or '-', not starting with '.' or '-'", context: ErrorContext(file: context.packageRoot))
        }
        record.previousVersion = context.previousRecord?.version
        record.previousRecordSHA256 = previousSHA256
        record.manifestSHA256 = context.fileListSHA256
        record.fileCount = context.fileList.files.count
        record.totalBytes = context.fileList.totalBytes
    }

    /// Moves the staged files into place, writes the record and the manifest, and removes the
    /// staging folder. Every step can be repeated after a crash.
    static func apply(_ plan: CommitPlan, to package: DatasetPackage) throws {
        let transaction = package.path(PackageLayout.transaction)
        for relative in plan.moves {
            try PackageLayout.checkRelativePath(relative)
            let staged = "\(transaction)/tree/\(relative)"
            guard FileSystem.kind(of: staged) == .file else { continue }
            try PackageFileSystem.createDirectories(FileSystem.parent(of: package.path(relative)))
            try PackageFileSystem.rename(staged, to: package.path(relative))
        }
        for relative in plan.removals {
            try PackageLayout.checkRelativePath(relative)
            try PackageFileSystem.remove(package.path(relative))
            try pruneEmptyFolders(above: relative, in: package)
        }
        let recordFile = package.path(PackageLayout.versionRecord(plan.version))
        if FileSystem.kind(of: "\(transaction)/record.json") == .file {
            try PackageFileSystem.createDirectories(package.path(PackageLayout.versions))
            try PackageFileSystem.rename("\(transaction)/record.json", to: recordFile)
        }
        let fileList = try FileList.decode(package.objects.read(plan.fileListSHA256), file: PackageLayout.object(plan.fileListSHA256))
        let manifest = Manifest(version: plan.version, versionRecordSHA256: plan.recordSHA256, fileList: fileList)
        try write(try CanonicalJSON.encode(manifest), to: package.path(PackageLayout.manifest))
        try PackageFileSystem.remove("\(transaction)/COMMIT")
        PackageFileSystem.syncDirectory(transaction)
        try PackageFileSystem.removeTree(transaction)
    }

    private static func pruneEmptyFolders(above relative: String, in package: DatasetPackage) throws {
        var folder = FileSystem.parent(of: relative)
        while folder.hasPrefix(PackageLayout.images + "/") || folder.hasPrefix(PackageLayout.annotations + "/") {
            let absolute = package.path(folder)
            guard FileSystem.kind(of: absolute) == .directory, (try? PackageFileSystem.walkTopLevel(absolute))?.isEmpty == true else { return }
            try PackageFileSystem.remove(absolute)
            folder = FileSystem.parent(of: folder)
        }
    }
}

/// `.mifa-transaction/COMMIT`: what remains to be done once a change is committed. In a folder,
/// the staged files are in `.mifa-transaction/tree/`; in object storage (``StoreTransaction``),
/// under `.mifa-transaction/<transaction>/`, and the plan also names the manifest the change was
/// made on and the one it writes, so that a reader can tell a live commit from a stale one.
struct CommitPlan: Codable, Sendable {
    var version: String
    var fileListSHA256: SHA256Digest
    var recordSHA256: SHA256Digest
    var moves: [String]
    var removals: [String]
    /// Object storage only: the id of the staging prefix.
    var transaction: String? = nil
    /// Object storage only: the SHA-256 of the `manifest.json` bytes replaced (`nil`: a new package).
    var baseManifestSHA256: SHA256Digest? = nil
    /// Object storage only: the SHA-256 of the `manifest.json` bytes written.
    var manifestSHA256: SHA256Digest? = nil

    enum CodingKeys: String, CodingKey {
        case version, moves, removals, transaction
        case fileListSHA256 = "file_list_sha256"
        case recordSHA256 = "record_sha256"
        case baseManifestSHA256 = "base_manifest_sha256"
        case manifestSHA256 = "manifest_sha256"
    }
}

/// Writes a small file durably, translating the core error.
func write(_ bytes: [UInt8], to path: String) throws {
    do {
        try AtomicFile.write(bytes, to: path)
    } catch {
        throw PackageError(.io, error.message, context: error.context)
    }
}
