import MIFACore

extension AuditRun {
    /// The names a package root may hold.
    static let rootNames: Set<String> = [
        PackageLayout.rootGroup, PackageLayout.metadata, PackageLayout.manifest, PackageLayout.images, PackageLayout.annotations,
        PackageLayout.versions, ".mifa-lock", PackageLayout.transaction,
    ]

    /// Nothing at the root or under `versions/` that a package does not hold.
    mutating func checkRoot() {
        // A folder's entries as they are; a zip's or bucket's keys (an HTTP server lists nothing).
        let entries: [(path: String, kind: FileSystem.EntryKind)]
        let rootNames: [String]
        if package.reader.folder != nil {
            let versions = package.path(PackageLayout.versions)
            do {
                rootNames = try PackageFileSystem.walkTopLevel(package.root)
                entries = FileSystem.kind(of: versions) == .directory ? try PackageFileSystem.walk(versions) : []
            } catch {
                add(.error, .unreadable, path: ".", "the package folder or its versions/ cannot be listed (\(error)), so entries that do not belong there cannot be looked for; check its permissions")
                return
            }
        } else {
            let keys: [String]
            do {
                guard let listed = try package.reader.allFiles() else {
                    add(.info, .listingUnavailable, path: ".",
                        "\(package.reader.location) cannot be listed (an HTTP server lists nothing), so files the manifest does not name, stray objects and the proposals, reviews and flags under versions/ were not looked for; audit the package as a folder, .zip or s3:// URL to run those checks")
                    return
                }
                keys = listed
            } catch {
                add(.error, .unreadable, path: ".", "the package at \(package.reader.location) cannot be listed (\(error)), so files the manifest does not name cannot be looked for")
                return
            }
            rootNames = Array(Set(keys.map { String($0.prefix { $0 != "/" }) })).sorted()
            var versionEntries = Set<String>()
            for key in keys where key.hasPrefix(PackageLayout.versions + "/") {
                let parts = key.split(separator: "/").dropFirst()
                for depth in 1..<parts.count { versionEntries.insert(parts.prefix(depth).joined(separator: "/") + "/") }
                versionEntries.insert(parts.joined(separator: "/"))
            }
            entries = versionEntries.sorted().map { $0.hasSuffix("/") ? (String($0.dropLast()), .directory) : ($0, .file) }
        }
        check(rootNames, versions: entries)
    }

    /// Warns of root names a package does not hold and of entries of `versions/` that are not records or objects.
    private mutating func check(_ rootNames: [String], versions entries: [(path: String, kind: FileSystem.EntryKind)]) {
        for name in rootNames where !Self.rootNames.contains(name) {
            add(.warning, .unexpectedEntry, path: name,
                "'\(name)' is not part of a MIFA package (the root holds zarr.json, mifa.json, manifest.json, images/, annotations/, versions/); move it out of the package folder")
        }
        for entry in entries {
            let path = "\(PackageLayout.versions)/\(entry.path)"
            let parts = entry.path.split(separator: "/").map(String.init)
            let expected: Bool
            switch (parts.count, entry.kind) {
            case (1, .file): expected = parts[0].hasSuffix(".json") && SafeName.isSafe(String(parts[0].dropLast(5)))
            case (1, .directory): expected = parts[0] == "objects" || SideRecordKind.allCases.contains { $0.folderName == parts[0] }
            case (2, .directory): expected = parts[0] == "objects" && parts[1] == "sha256"
            case (2, .file): expected = SideRecordKind.allCases.contains { $0.folderName == parts[0] && parts[1].hasSuffix(".json") && $0.isID(String(parts[1].dropLast(5))) }
            case (3, .file): expected = parts[1] == "sha256" && SHA256Digest(hex: parts[2]) != nil && parts[2] == parts[2].lowercased()
            default: expected = false
            }
            if !expected {
                let what = entry.kind == .symbolicLink ? "a symbolic link" : entry.kind == .other ? "a special file" : "not a version record or stored object"
                let irregular = entry.kind == .symbolicLink || entry.kind == .other
                add(irregular ? .error : .warning, irregular ? .irregularFile : .unexpectedEntry, path: path,
                    "'\(path)' is \(what); versions/ holds <version>.json records, objects/sha256/<digest>, and proposals/, reviews/ and flags/ records named by their digests only. Remove it (a leftover of an interrupted copy is safe to delete)")
            }
        }
    }

    /// Every manifest file present with its digest and size; nothing unlisted or irregular in the
    /// content area (`pending` is the listing of the tree, made meanwhile).
    mutating func checkFiles(_ manifest: Manifest, listing pending: BackgroundValue<ContentScanner.Listing>) {
        let listing: ContentScanner.Listing
        do {
            listing = try pending.value()
        } catch {
            add(.error, .unreadable, path: ".", "the content folders cannot be listed: \(error)")
            return
        }
        for path in listing.irregular {
            add(.error, .irregularFile, path: path, "a symbolic link or special file; a package holds regular files only. Replace it with the file itself")
        }
        for path in listing.emptyFolders {
            add(.warning, .emptyFolder, path: path, "an empty folder: no file of the package lies in it (a leftover of an edit outside mifa). Remove it")
        }
        let present = Set(listing.files)
        for path in listing.files where manifest.files[path] == nil {
            add(.error, .fileUnlisted, path: path,
                "not in the manifest of version \(manifest.version): added outside mifa. Remove it, or add it with `mifa version`")
        }
        // Unsorted: findings are sorted once at the end, and sorting 10^5 paths by bytes is not free.
        let listed = Array(manifest.files.keys)
        let irregular = Set(listing.irregular)
        for path in listed where !present.contains(path) && !irregular.contains(path) {
            add(.error, .fileMissing, path: path,
                "missing, though version \(manifest.version) lists it. Restore it from the original data (or `mifa checkout` a version that has it)")
        }
        let toHash = listed.filter(present.contains)
        let results = scanner.hashEach(toHash, from: package.reader)
        for (path, result) in zip(toHash, results) {
            let expected = manifest.files[path]!
            if case .success(let entry) = result { treeDigests[path] = entry.sha256 }
            switch result {
            case .success(let entry) where entry == expected:
                continue
            case .success(let entry) where entry.sha256 != expected.sha256:
                let size = entry.bytes == expected.bytes ? "" : " and \(entry.bytes) bytes instead of \(expected.bytes)"
                add(.error, .digestMismatch, path: path,
                    "has SHA-256 \(entry.sha256.hex)\(size) but version \(manifest.version) recorded \(expected.sha256.hex): changed outside mifa. Restore the original file")
            case .success(let entry):
                add(.error, .sizeMismatch, path: path, "has \(entry.bytes) bytes but the manifest records \(expected.bytes) with the same digest: manifest.json was edited. Restore it")
            case .failure(let error):
                add(.error, .unreadable, path: path, "cannot be read: \(error.message)")
            }
        }
    }
}
