import MIFACore

extension DatasetPackage {
    /// Builds a new package at `target` in one step: `build` writes the content (everything but
    /// `zarr.json`, `manifest.json` and `versions/`) into a hidden staging folder beside `target`;
    /// each vector set without a valid index is regrouped by image and indexed (see
    /// ``AnnotationIndex``), the root `zarr.json` is written with the consolidated metadata of the
    /// images (see ``ConsolidatedMetadata``); then the first version's record (from `makeRecord`) and the manifest are written and the
    /// folder is renamed to `target`. A crash or an error leaves no package at all; staging folders
    /// of processes that died are removed by the next call.
    /// - Throws: ``PackageError`` `.alreadyExists` when `target` exists, what `build` and
    ///   `makeRecord` throw, `.io`.
    public static func create(
        at target: String, scanner: ContentScanner = ContentScanner(), build: (String) throws -> Void,
        makeRecord: (CommitContext) throws -> VersionRecord
    ) throws -> DatasetPackage {
        let targetIsEmptyFolder = FileSystem.kind(of: target) == .directory && ((try? PackageFileSystem.walkTopLevel(target))?.isEmpty ?? false)
        guard !FileSystem.exists(target) || targetIsEmptyFolder else {
            throw PackageError(.alreadyExists, "'\(target)' already exists; `mifa pack` makes a new package (use `mifa version` to change one)", context: ErrorContext(file: target))
        }
        try refuseInsideAnotherPackage(target)
        try PackageFileSystem.removeAbandonedStaging(for: target, purpose: "staging")
        let staging = PackageFileSystem.stagingPath(for: target, purpose: "staging")
        try PackageFileSystem.createDirectories(staging)
        do {
            try build(staging)
            // Format 2: every vector set has an index (ingest writes them; other builders get them here).
            try FormatUpgrade.indexVectorSets(root: staging) { relative, bytes in
                try PackageFileSystem.createDirectories(FileSystem.parent(of: "\(staging)/\(relative)"))
                try write(bytes, to: "\(staging)/\(relative)")
            }
            try write(rootGroup(consolidating: staging), to: "\(staging)/\(PackageLayout.rootGroup)")
            let fileList = try scanner.fileList(of: staging)
            let context = CommitContext(
                packageRoot: staging, stagingRoot: staging, previousManifest: nil, previousRecord: nil, fileList: fileList,
                fileListSHA256: try fileList.digest(), fileChanges: FileChanges(added: fileList.paths))
            var record = try makeRecord(context)
            try PackageTransaction.complete(&record, context: context, previousSHA256: nil)
            let package = DatasetPackage(unchecked: staging)
            try package.objects.store(fileList.canonicalJSON())
            let recordBytes = try record.canonicalJSON()
            try PackageFileSystem.createDirectories(package.path(PackageLayout.versions))
            try write(recordBytes, to: package.path(PackageLayout.versionRecord(record.version)))
            let manifest = Manifest(version: record.version, versionRecordSHA256: SHA256Digest(of: recordBytes), fileList: fileList)
            try write(try CanonicalJSON.encode(manifest), to: package.path(PackageLayout.manifest))
            try PackageFileSystem.renameWithoutReplacing(staging, to: target)
        } catch {
            try? PackageFileSystem.removeTree(staging)
            throw error
        }
        return DatasetPackage(unchecked: target)
    }


    /// Refuses a target inside an existing package (its content would be files that package's
    /// manifest does not list, and its audit would fail).
    /// - Throws: ``PackageError`` `.invalidArgument` naming the enclosing package.
    static func refuseInsideAnotherPackage(_ target: String) throws {
        var folder = FileSystem.canonicalPath(FileSystem.parent(of: target))
        while let current = folder {
            if FileSystem.kind(of: "\(current)/\(PackageLayout.rootGroup)") == .file, try DatasetPackage(unchecked: current).rootGroupIfPackage() != nil {
                throw PackageError(
                    .invalidArgument, "'\(target)' is inside the package '\(current)'; make the new package outside it (a package cannot hold another one)",
                    context: ErrorContext(file: target))
            }
            folder = current == "/" ? nil : FileSystem.parent(of: current)
        }
    }
}
