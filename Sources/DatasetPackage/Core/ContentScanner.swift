import Foundation
public import MIFACore
import Zarr

/// Lists and hashes the content files of a package tree (see ``PackageLayout/isContent(_:)``).
///
/// Hashing runs on several threads (one file per task), since auditing and committing a package is
/// dominated by SHA-256 over many chunk files.
public struct ContentScanner: Sendable {
    /// How many files are hashed at once; by default one per active processor.
    public var concurrency: Int

    /// A scanner hashing `concurrency` files at once (by default one per active processor; at least
    /// ``PackageReader/requestsInFlight`` for a remote package).
    public init(concurrency: Int? = nil) {
        self.concurrency = max(1, concurrency ?? Parallel.defaultConcurrency)
    }

    /// What lies in the content area of a tree.
    public struct Listing: Sendable {
        /// Regular content files, package-relative, in byte order.
        public var files: [String]
        /// Content entries that are neither files nor folders (symbolic links, devices), which a package must not hold.
        public var irregular: [String]
        /// Folders with nothing but (possibly) empty folders in them, outermost only.
        public var emptyFolders: [String] = []
    }

    /// Lists the content files of the tree at `root`.
    /// - Throws: ``PackageError`` `.io` when a folder cannot be listed.
    public func list(_ root: String) throws -> Listing {
        var files: [String] = []
        var irregular: [String] = []
        var folders: [String] = []
        for name in [PackageLayout.rootGroup, PackageLayout.metadata] {
            switch FileSystem.kind(of: "\(root)/\(name)") {
            case .file?: files.append(name)
            case nil: break
            default: irregular.append(name)
            }
        }
        for folder in [PackageLayout.annotations, PackageLayout.images] {
            let base = "\(root)/\(folder)"
            switch FileSystem.kind(of: base) {
            case nil: continue
            case .directory?: break
            default: irregular.append(folder); continue
            }
            for entry in try PackageFileSystem.walk(base) {
                switch entry.kind {
                case .file: files.append("\(folder)/\(entry.path)")
                case .directory: folders.append("\(folder)/\(entry.path)")
                case .symbolicLink, .other: irregular.append("\(folder)/\(entry.path)")
                }
            }
        }
        let order: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var occupied = Set<String>()
        for path in files + irregular {
            var parent = FileSystem.parent(of: path)
            while parent != ".", occupied.insert(parent).inserted { parent = FileSystem.parent(of: parent) }
        }
        let empty = Set(folders.filter { !occupied.contains($0) })
        let outermost = empty.filter { !empty.contains(FileSystem.parent(of: $0)) }
        return Listing(files: files.sorted(by: order), irregular: irregular.sorted(by: order), emptyFolders: outermost.sorted(by: order))
    }

    /// The content files of the package `reader` reads: a folder's tree (see ``list(_:)``), a
    /// zip's or bucket's keys, or, where nothing can be listed (HTTP), the files `manifest` names,
    /// whose presence the hashing then proves.
    /// - Throws: ``PackageError`` `.io` when a listable package cannot be listed.
    public func list(_ reader: PackageReader, manifest: Manifest?) throws -> Listing {
        if let folder = reader.folder { return try list(folder) }
        guard let keys = try reader.allFiles() else {
            return Listing(files: (manifest?.fileList.paths ?? []), irregular: [])
        }
        return Listing(files: keys.filter(PackageLayout.isContent), irregular: [])
    }

    /// Hashes package-relative `paths` under `root`; `progress` is called (from any thread) with
    /// the bytes of each file as it is done.
    /// - Throws: ``PackageError`` `.io` for the first file that cannot be read.
    public func hash(_ paths: [String], in root: String, progress: (@Sendable (Int) -> Void)? = nil) throws -> [String: ManifestEntry] {
        let results = hashEach(paths, from: PackageReader(folder: root), progress: progress)
        var entries: [String: ManifestEntry] = [:]
        entries.reserveCapacity(paths.count)
        for (index, path) in paths.enumerated() {
            entries[path] = try results[index].get()
        }
        return entries
    }

    /// Hashes package-relative `paths` read through `reader` (a folder, zip or URL), one result per
    /// path in the same order: the entry, or the error reading that file (an audit reports each
    /// unreadable file instead of stopping).
    public func hashEach(_ paths: [String], from reader: PackageReader, progress: (@Sendable (Int) -> Void)? = nil) -> [Result<ManifestEntry, PackageError>] {
        let results = LockedState([Result<ManifestEntry, PackageError>?](repeating: nil, count: paths.count))
        let hashOne: @Sendable (Int) -> Void = { index in
            let result = Result {
                let (digest, bytes) = try reader.digest(of: paths[index])
                return ManifestEntry(sha256: digest, bytes: bytes)
            }.mapError { error in
                error as? PackageError ?? PackageError(.io, "cannot read '\(paths[index])': \(error)", context: ErrorContext(file: paths[index]))
            }
            if case .success(let entry) = result { progress?(entry.bytes) }
            results.withLock { $0[index] = result }
        }
        if StoreURL.isRemote(reader.location) {
            // Each file is a request that mostly waits for its round trip.
            Parallel.forEachWaiting(paths.count, concurrency: max(concurrency, PackageReader.requestsInFlight)) { hashOne($0) }
        } else {
            Parallel.forEach(paths.count, concurrency: concurrency) { index, _ in hashOne(index) }
        }
        return results.withLock { $0.map { $0! } }
    }

    /// Lists and hashes the content of the tree at `root`.
    /// - Throws: ``PackageError`` `.invalidInput` when the content holds symbolic links or other
    ///   irregular entries, `.io` when something cannot be read.
    public func fileList(of root: String, progress: (@Sendable (Int) -> Void)? = nil) throws -> FileList {
        try fileList(of: root, carried: nil, progress: progress)
    }

    /// Lists and hashes the content of the tree at `root`, a staged partial copy of a package in
    /// object storage: a placeholder of a file left there (see ``CarriedFiles``) is that file,
    /// unchanged, with its manifest entry (not read).
    /// - Throws: as ``fileList(of:progress:)``.
    func fileList(of root: String, carried: CarriedFiles?, progress: (@Sendable (Int) -> Void)? = nil) throws -> FileList {
        let listing = try list(root)
        var entries: [String: ManifestEntry] = [:]
        for path in listing.irregular {
            guard let entry = carried?.entries[path], PackageFileSystem.isPlaceholder("\(root)/\(path)") else {
                throw PackageError(.invalidInput, "'\(path)' is a symbolic link or special file; a package holds regular files only", context: ErrorContext(file: "\(root)/\(path)"))
            }
            entries[path] = entry
        }
        entries.merge(try hash(listing.files, in: root, progress: progress)) { carried, _ in carried }
        return FileList(files: entries)
    }
}
