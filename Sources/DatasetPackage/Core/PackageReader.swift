import MIFACore
public import Zarr

/// The one door through which the package layer reads a package's files, wherever the package is:
/// a local folder (read with ``PackageFileSystem``, symbolic links never followed), or any
/// `ZarrStore` whose root is the package root: a `.zip` made by `mifa export --to zip`
/// (`ZipStore`, read in place, from a local file or at a URL), an `http(s)://` server
/// (`HTTPStore`, no listing needed: the manifest names every file), an `s3://bucket/prefix`
/// (`S3Store`), or memory (`MemoryStore`).
///
/// Paths are package-relative (`manifest.json`, `images/a/zarr.json`); a path that leaves the
/// package (`..`, absolute) is refused before anything is read. Every read is bounded by a limit.
///
/// ```swift
/// let reader = try PackageReader.open("s3://bucket/nuclei")
/// let manifest = try reader.read("manifest.json", limit: 1 << 30)
/// ```
public struct PackageReader: Sendable {
    /// Where the files come from.
    enum Backing: Sendable {
        /// A local folder, read through the file-system layer.
        case folder(String)
        /// A store rooted at the package root.
        case store(any ZarrStore)
    }

    let backing: Backing
    /// The files a folder that is a partial copy of a package in object storage left in the store:
    /// read from there, on demand (see ``CarriedFiles``); `nil` for a whole package.
    let carried: CarriedFiles?

    /// A reader of the package folder `root`.
    public init(folder root: String) {
        backing = .folder(root)
        carried = nil
    }

    /// A reader of the package folder `root`, a partial copy of a package in object storage whose
    /// files `carried` were left in the store: each is read from there when its placeholder is read.
    init(folder root: String, carried: CarriedFiles) {
        backing = .folder(root)
        self.carried = carried
    }

    /// A reader of the package whose root is the root of `store`.
    public init(store: any ZarrStore) {
        backing = .store(store)
        carried = nil
    }

    /// Whether the folder's file `relative` is a placeholder of a file left in object storage (see ``CarriedFiles``).
    func isCarried(_ relative: String) -> Bool {
        guard carried != nil, case .folder(let root) = backing else { return false }
        return PackageFileSystem.isPlaceholder("\(root)/\(relative)")
    }

    /// The bytes of `relative` fetched from object storage when it is a placeholder (see ``CarriedFiles``), else `nil`.
    /// - Throws: as ``CarriedFiles/fetch(_:limit:)``.
    private func fetchIfCarried(_ relative: String, limit: Int) throws -> [UInt8]? {
        guard let carried, isCarried(relative) else { return nil }
        return try carried.fetch(relative, limit: limit)
    }

    /// Requests a command keeps in flight against a remote package (`http(s)://`, `s3://`) when
    /// it reads or writes many files: each mostly waits for its round trip.
    public static let requestsInFlight = 16

    /// Opens the package named by `location`: an `http(s)://` or `s3://` URL (of the package's
    /// prefix, or of its `.zip`, read in place through ranged reads), a local `.zip` file,
    /// or a local folder (which is not checked here; ``DatasetPackage/open(_:recovery:http:readingFilesOnce:)`` does).
    /// - Throws: ``PackageError`` `.notAPackage` when there is nothing at the URL or zip path (an
    ///   HTTP 404, an S3 `NoSuchKey`, a missing file); `.io` when it could not be read (any other
    ///   status, a network failure, a damaged zip, a server that ignores byte ranges), with the
    ///   store's own message (the URL, the status, how to fix it); `.invalidInput` when the zip's
    ///   directory is over the limits. Only the first means "not a package".
    public static func open(_ location: String, http: HTTPLimits = .default) throws -> PackageReader {
        do {
            // A package .zip at a URL is read in place, rooted at the zip's root as a local one is.
            if StoreURL.isRemote(location), ZipStore.isZipLocation(location) {
                return PackageReader(store: try ZipStore(url: location, prefix: "", http: http))
            }
            if let store = try StoreURL.openRemote(location, http: http) { return try reading(store) }
            if isZipFile(location) { return PackageReader(store: try ZipStore(path: location, prefix: "")) }
        } catch let error as ZarrError {
            let kind: PackageErrorCode = switch error.kind {
            case .notFound: .notAPackage
            case .tooLarge: .invalidInput
            default: .io
            }
            throw PackageError(kind, "cannot open the package at '\(location)': \(error.message)", context: ErrorContext(file: location), underlying: error)
        }
        return PackageReader(folder: location)
    }

    /// The reader ``open(_:http:)`` makes, or `nil` when there is nothing at `location` (its
    /// `.notAPackage`): a failure to read is thrown, never taken for "nothing there".
    /// - Throws: as ``open(_:http:)``, except `.notAPackage`.
    static func openIfPresent(_ location: String, http: HTTPLimits) throws -> PackageReader? {
        do {
            return try open(location, http: http)
        } catch let error as PackageError where error.kind == .notAPackage {
            return nil
        }
    }

    /// A reader of the package in `store` as its commit protocol says to read it: object storage
    /// (a Zarr `ConditionalStore`) is read as the change committed there, if one is being applied
    /// (see ``StoreTransaction``); other stores as they are.
    /// - Throws: ``PackageError`` `.malformed` for a commit marker that cannot be read, `.io`.
    public static func reading(_ store: any ZarrStore) throws -> PackageReader {
        guard store is any ConditionalStore, let plan = try StoreTransaction.committedPlan(in: store) else { return PackageReader(store: store) }
        return PackageReader(store: CommittedStore(base: store, plan: plan))
    }

    /// Whether `location` is a local regular file named as a zip (`ZipStore.isZipLocation(_:)`:
    /// a package exported with `mifa export --to zip`).
    public static func isZipFile(_ location: String) -> Bool {
        !StoreURL.isRemote(location) && ZipStore.isZipLocation(location) && FileSystem.kind(of: location) == .file
    }

    /// The package folder when the package is a local folder, else `nil` (it can then only be read).
    public var folder: String? {
        if case .folder(let root) = backing { return root }
        return nil
    }

    /// The folder, zip file or URL, for messages and reports.
    public var location: String {
        switch backing {
        case .folder(let root): root
        case .store(let store): store.location
        }
    }

    /// This reader keeping what it reads whole for the rest of its life, within ``ReadOnceStore``'s
    /// bounds, when the package is remote (its files are then requested once); a local one (a
    /// folder, a zip file) as it is.
    func keepingWhatItReads() -> PackageReader {
        guard case .store(let store) = backing, StoreURL.isRemote(store.location) else { return self }
        return PackageReader(store: ReadOnceStore(base: store))
    }

    /// The store over the package root that OME-Zarr images are opened from (a read-only
    /// `DirectoryStore` for a folder).
    /// - Throws: ``PackageError`` `.io` when the folder cannot be opened as a store.
    public func store() throws -> any ZarrStore {
        switch backing {
        case .store(let store): return store
        case .folder(let root):
            do {
                return try DirectoryStore(root: root, readOnly: true)
            } catch let error as ZarrError {
                throw PackageError(.io, error.message, context: error.context)
            }
        }
    }

    /// The bytes of the package file `relative`, refusing more than `limit` bytes.
    /// - Throws: ``PackageError`` `.invalidPath` for a path leaving the package, `.io` when the file
    ///   is missing or cannot be read, `.invalidInput` when it is larger than `limit` or not a
    ///   regular file.
    public func read(_ relative: String, limit: Int = 1 << 30) throws -> [UInt8] {
        // A folder's file is read as named, so that a link or FIFO there is reported as what it is.
        if case .folder(let root) = backing {
            return try fetchIfCarried(relative, limit: limit) ?? PackageFileSystem.read("\(root)/\(relative)", limit: limit)
        }
        guard let bytes = try readIfPresent(relative, limit: limit) else {
            throw PackageError(.io, "'\(relative)' is missing from the package at \(location)", context: ErrorContext(file: relative))
        }
        return bytes
    }

    /// The bytes of the package file `relative`, or `nil` when there is no regular file there (in
    /// a folder, a link or FIFO is not taken for the file; see ``read(_:limit:)``).
    /// - Throws: as ``read(_:limit:)``, except for a missing file.
    public func readIfPresent(_ relative: String, limit: Int = 1 << 30) throws -> [UInt8]? {
        switch backing {
        case .folder(let root):
            if let bytes = try fetchIfCarried(relative, limit: limit) { return bytes }
            let path = "\(root)/\(relative)"
            guard FileSystem.kind(of: path) == .file else { return nil }
            return try PackageFileSystem.read(path, limit: limit)
        case .store(let store):
            let key = try Self.key(relative)
            let bytes: [UInt8]?
            do {
                bytes = try store.get(key)
            } catch let error as ZarrError {
                throw PackageError(error.kind == .tooLarge ? .invalidInput : .io,
                                   "cannot read '\(relative)' of \(store.location): \(error.message)",
                                   context: ErrorContext(file: relative), underlying: error)
            }
            guard let bytes else { return nil }
            guard bytes.count <= limit else {
                throw PackageError(.invalidInput, "'\(relative)' of \(store.location) is \(bytes.count) bytes, over the \(limit)-byte limit for this file",
                                   context: ErrorContext(file: relative))
            }
            return bytes
        }
    }

    /// `length` bytes of the package file `relative` from `offset`: one `pread` of a folder's file,
    /// one ranged GET (`Range: bytes=...`) over HTTP and S3, one read inside a zip entry.
    /// - Throws: ``PackageError`` `.invalidPath` for a path leaving the package, `.io` when the file
    ///   is missing, cannot be read or holds fewer bytes than asked for, `.invalidInput` when it is
    ///   not a regular file.
    public func read(_ relative: String, offset: Int, length: Int) throws -> [UInt8] {
        let bytes: [UInt8]?
        switch backing {
        case .folder(let root):
            if let whole = try fetchIfCarried(relative, limit: .max) {
                bytes = Array(whole.dropFirst(offset).prefix(length))
                break
            }
            do {
                bytes = try RegularFile.contents(of: "\(root)/\(relative)", offset: offset, length: length, followingLinks: false)
            } catch let error as CoreError {
                throw PackageError(error)
            }
        case .store(let store):
            do {
                bytes = try store.get(try Self.key(relative), range: .range(offset: offset, length: length))
            } catch let error as ZarrError {
                throw PackageError(error.kind == .tooLarge ? .invalidInput : .io, "cannot read bytes \(offset)..<\(offset + length) of '\(relative)' of \(store.location): \(error.message)",
                                   context: ErrorContext(file: relative), underlying: error)
            }
        }
        guard let bytes else {
            throw PackageError(.io, "'\(relative)' is missing from the package at \(location)", context: ErrorContext(file: relative))
        }
        guard bytes.count == length else {
            throw PackageError(.io, "'\(relative)' of \(location) gave \(bytes.count) bytes from offset \(offset), not the \(length) asked for: the file is shorter than its index says",
                               context: ErrorContext(file: relative))
        }
        return bytes
    }

    /// Whether the package has a regular file `relative`.
    /// - Throws: ``PackageError`` `.invalidPath` for a path leaving the package, `.io` when the
    ///   store cannot tell.
    public func isFile(_ relative: String) throws -> Bool {
        switch backing {
        case .folder(let root):
            return FileSystem.kind(of: "\(root)/\(relative)") == .file || isCarried(relative)
        case .store(let store):
            let key = try Self.key(relative)
            do {
                return try store.exists(key)
            } catch let error as ZarrError {
                throw PackageError(.io, "cannot tell whether '\(relative)' is in \(store.location): \(error.message)", context: ErrorContext(file: relative), underlying: error)
            }
        }
    }

    /// The names directly in the package folder `relative` (`versions`), sorted: every entry of a
    /// local folder, the files of a store's prefix; `nil` when the package cannot be listed there
    /// (an HTTP server lists nothing).
    /// - Throws: ``PackageError`` `.io` when a listable package fails to list.
    public func names(in relative: String) throws -> [String]? {
        switch backing {
        case .folder(let root):
            let folder = "\(root)/\(relative)"
            guard FileSystem.kind(of: folder) == .directory else { return [] }
            return try PackageFileSystem.walkTopLevel(folder)
        case .store(let store):
            do {
                return try store.listDirectory(prefix: relative).keys
            } catch let error as ZarrError where error.kind == .storeFailure {
                return nil
            } catch let error as ZarrError {
                throw PackageError(.io, "cannot list '\(relative)' of \(store.location): \(error.message)", context: ErrorContext(file: relative), underlying: error)
            }
        }
    }

    /// Every file of a package read from a store, package-relative and in byte order; `nil` when
    /// the store cannot list (an HTTP server). A folder's files are listed with ``PackageFileSystem/walk(_:)``.
    /// - Throws: ``PackageError`` `.io` when a listable store fails to list.
    public func allFiles() throws -> [String]? {
        switch backing {
        case .folder(let root):
            return try PackageFileSystem.walk(root).filter { $0.kind == .file || $0.kind == .symbolicLink && isCarried($0.path) }.map(\.path)
        case .store(let store):
            do {
                return try store.list(prefix: "").map(\.value).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            } catch let error as ZarrError where error.kind == .storeFailure {
                return nil
            } catch let error as ZarrError {
                throw PackageError(.io, "cannot list \(store.location): \(error.message)", context: ErrorContext(file: store.location), underlying: error)
            }
        }
    }

    /// The SHA-256 digest and size of the package file `relative` (a folder's file read in 1 MiB
    /// blocks; a store's value read whole, within the store's bounds).
    /// - Throws: as ``read(_:limit:)``.
    public func digest(of relative: String) throws -> (digest: SHA256Digest, bytes: Int) {
        if case .folder(let root) = backing, !isCarried(relative) { return try PackageFileSystem.digest(of: "\(root)/\(relative)") }
        let bytes = try read(relative, limit: .max)
        return (SHA256Digest(of: bytes), bytes.count)
    }

    /// The store key of a package-relative path.
    /// - Throws: ``PackageError`` `.invalidPath` for `..`, an absolute path or an empty component.
    static func key(_ relative: String) throws -> StoreKey {
        do {
            return try StoreKey(relative)
        } catch let error as ZarrError {
            throw PackageError(.invalidPath, "'\(relative)' is not a path inside the package: \(error.message)", context: ErrorContext(file: relative))
        }
    }
}
