import MIFACore

extension DatasetPackage {
    /// Builds a new package at `target` in one step: `build` writes the content (everything but
    /// `zarr.json`, `manifest.json` and `versions/`) into a hidden staging folder beside `target`;
    /// then the first version's record (from `makeRecord`) and the manifest are written and the
    /// folder is renamed to `target`. A crash or an error leaves no package at all; staging folders
    /// of processes that died are removed by the next call.
    /// - Throws: ``PackageError`` `.alreadyExists` when `target` exists, what `build` and
    ///   `makeRecord` throw, `.io`.
    public static func create(
        at target: String, scanner: ContentScanner = ContentScanner(), build: (String) throws -> Void,
        makeRecord: (CommitContext) throws -> VersionRecord
    ) throws -> DatasetPackage {
        let targetIsEmptyFolder = PackageFileSystem.kind(of: target) == .directory && ((try? PackageFileSystem.walkTopLevel(target))?.isEmpty ?? false)
        guard !PackageFileSystem.exists(target) || targetIsEmptyFolder else {
            throw PackageError(.alreadyExists, "'\(target)' already exists; `mifa pack` makes a new package (use `mifa version` to change one)", context: ErrorContext(file: target))
        }
        try removeAbandonedStaging(for: target)
        let staging = stagingPrefix(for: target) + "\(PackageFileSystem.processID)"
        try PackageFileSystem.removeTree(staging)
        try PackageFileSystem.createDirectories(staging)
        do {
            try build(staging)
            try write(rootGroupJSON, to: "\(staging)/\(PackageLayout.rootGroup)")
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

    /// `<parent>/.<name>.mifa-staging-`, followed by the process id.
    static func stagingPrefix(for target: String) -> String {
        var trimmed = target
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        let parent = PackageFileSystem.parent(of: trimmed)
        let name = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        return "\(parent)/.\(name).mifa-staging-"
    }

    /// Removes staging folders left by `create` calls whose process is gone.
    static func removeAbandonedStaging(for target: String) throws {
        let prefix = stagingPrefix(for: target)
        let parent = PackageFileSystem.parent(of: prefix)
        let namePrefix = String(prefix.dropFirst(parent.count + 1))
        for entry in (try? PackageFileSystem.walkTopLevel(parent)) ?? [] where entry.hasPrefix(namePrefix) {
            guard let pid = Int32(entry.dropFirst(namePrefix.count)), !PackageFileSystem.processIsAlive(pid) || pid == PackageFileSystem.processID else { continue }
            try PackageFileSystem.removeTree("\(parent)/\(entry)")
        }
    }
}
