import MIFACore

/// A store on the local file system: key `a/b/c` is the file `<root>/a/b/c`.
///
/// Keys can never leave the root: ``StoreKey`` refuses `..`, absolute paths and empty components,
/// and every access checks that the file's real path (symbolic links resolved) is inside the
/// root's real path, so a link pointing out of the store is refused with ``ZarrError`` `.invalidKey`.
/// Writes go to a temporary file that is renamed into place, so a reader sees the old or the new
/// value, never a mix. This is the layout of zarr-python's `LocalStore` and tensorstore's `file` driver.
public struct DirectoryStore: ZarrStore {
    /// The root directory, with symbolic links resolved.
    public let root: String
    /// Whether each write is flushed to disk (`fsync`) before it is renamed into place.
    public let durable: Bool
    private let readOnly: Bool

    /// A store over the directory `root`.
    ///
    /// - Parameters:
    ///   - root: the directory holding the hierarchy.
    ///   - create: create the directory (and missing parents) when it does not exist.
    ///   - readOnly: refuse writes and deletes.
    ///   - durable: `fsync` every value before renaming it into place (slower; for archives).
    /// - Throws: ``ZarrError`` `.notFound` when the directory does not exist and `create` is false,
    ///   `.storeFailure` when it is not a directory or cannot be created.
    public init(root: String, create: Bool = false, readOnly: Bool = false, durable: Bool = false) throws {
        if create && !FileSystem.exists(root) {
            var path = root.hasPrefix("/") ? "" : "."
            for component in root.split(separator: "/") {
                path += "/" + component
                try POSIXFileSystem.makeDirectory(path)
            }
        }
        guard let canonical = FileSystem.canonicalPath(root) else {
            throw ZarrError(.notFound, "the directory '\(root)' does not exist", context: ErrorContext(file: root))
        }
        var isDirectory = FileSystem.kind(of: canonical) == .directory
        if canonical == "/" { isDirectory = true }
        guard isDirectory else {
            throw ZarrError(.storeFailure, "'\(root)' is not a directory", context: ErrorContext(file: root))
        }
        self.root = canonical == "/" ? "" : canonical
        self.durable = durable
        self.readOnly = readOnly
    }

    /// The root directory.
    public var location: String { root.isEmpty ? "/" : root }

    /// `false` when opened read-only.
    public var isWritable: Bool { !readOnly }

    /// Always `false`: a range is read from the file.
    public var rangesIgnored: Bool { false }

    /// The file path of a key (not checked for links; see `checkInside(_:key:)`).
    public func path(of key: StoreKey) -> String { "\(root)/\(key.value)" }

    /// The file's content, a range of it, or `nil` when missing.
    /// - Throws: ``ZarrError`` `.invalidKey` when the key resolves outside the root, `.storeFailure`
    ///   when the file cannot be read.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        do {
            return try POSIXFileSystem.read(path(of: key), range: range, inside: root)
        } catch let error as ZarrError where error.kind == .invalidKey {
            throw ZarrError(.invalidKey, "key '\(key)' resolves outside the store root '\(location)' (a symbolic link leads out)",
                            context: ErrorContext(file: location, key: key.value))
        }
    }

    /// Whether the key's file exists (inside the root).
    /// - Throws: ``ZarrError`` `.invalidKey` when the key resolves outside the root.
    public func exists(_ key: StoreKey) throws -> Bool {
        guard let canonical = FileSystem.canonicalPath(path(of: key)) else { return false }
        try checkInside(canonical, key: key)
        return FileSystem.kind(of: canonical) == .file
    }

    /// Writes the key's file through a temporary file, creating directories on the way.
    /// - Throws: ``ZarrError`` `.readOnly`, `.invalidKey` when a directory on the way links out of
    ///   the root, `.storeFailure` when writing fails.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws {
        guard !readOnly else { throw readOnlyError(key) }
        let directory = try prepareParent(of: key, create: true)
        try POSIXFileSystem.writeReplacing("\(directory)/\(key.name)", bytes: bytes, durable: durable)
    }

    /// Removes the key's file; a missing one is fine.
    /// - Throws: ``ZarrError`` `.readOnly`, `.invalidKey` when its directory links out of the root,
    ///   `.storeFailure` when removing fails.
    public func delete(_ key: StoreKey) throws {
        guard !readOnly else { throw readOnlyError(key) }
        let directory = try prepareParent(of: key, create: false)
        guard !directory.isEmpty else { return }
        try POSIXFileSystem.removeFile("\(directory)/\(key.name)")
    }

    /// Every file under the root whose key starts with `prefix`, sorted; links out of the root are skipped.
    /// - Throws: ``ZarrError`` `.invalidKey` for an invalid prefix, `.storeFailure` when a directory
    ///   cannot be read.
    public func list(prefix: String) throws -> [StoreKey] {
        try StoreKey.validatePrefix(prefix)
        let directoryPart = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
        var result: [StoreKey] = []
        var visited = Set<String>()
        try walk(directoryPart, into: &result, visited: &visited)
        return result.filter { $0.value.hasPrefix(prefix) }.sorted()
    }

    /// The files and directories directly under `prefix`.
    /// - Throws: as ``list(prefix:)``.
    public func listDirectory(prefix: String) throws -> (keys: [String], prefixes: [String]) {
        try StoreKey.validatePrefix(prefix)
        let relative = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let directory = relative.isEmpty ? root : "\(root)/\(relative)"
        guard let canonical = FileSystem.canonicalPath(directory) else { return ([], []) }
        guard canonical == root || canonical.hasPrefix(root + "/") else { return ([], []) }
        var keys: [String] = []
        var prefixes: [String] = []
        for name in try POSIXFileSystem.entries(of: canonical) ?? [] where Self.isKeyName(name) {
            switch FileSystem.canonicalPath("\(canonical)/\(name)").map({ ($0, FileSystem.kind(of: $0)) }) {
            case let (target, .file?)? where target.hasPrefix(root + "/"): keys.append(name)
            case let (target, .directory?)? where target.hasPrefix(root + "/"): prefixes.append(name)
            default: break
            }
        }
        return (keys, prefixes)
    }

    /// Refuses a resolved path outside the root.
    /// - Throws: ``ZarrError`` `.invalidKey`.
    func checkInside(_ canonical: String, key: StoreKey) throws {
        guard canonical.hasPrefix(root + "/") else {
            throw ZarrError(.invalidKey, "key '\(key)' resolves to '\(canonical)', outside the store root '\(location)' (a symbolic link leads out)",
                            context: ErrorContext(file: location, key: key.value))
        }
    }

    /// The real path of the key's directory, created on the way when `create`; `""` when it does
    /// not exist and `create` is false.
    private func prepareParent(of key: StoreKey, create: Bool) throws -> String {
        var current = root
        for component in key.components.dropLast() {
            let next = "\(current)/\(component)"
            switch FileSystem.kind(of: next) {
            case nil:
                guard create else { return "" }
                try POSIXFileSystem.makeDirectory(next)
                current = next
            case .directory:
                current = next
            case .symbolicLink:
                guard let target = FileSystem.canonicalPath(next), FileSystem.kind(of: target) == .directory else {
                    throw ZarrError(.storeFailure, "'\(next)' is a dangling symbolic link", context: ErrorContext(file: location, key: key.value))
                }
                try checkInside(target, key: key)
                current = target
            case .file, .other:
                throw ZarrError(.storeFailure, "'\(next)' is a file, so key '\(key)' cannot be stored below it",
                                context: ErrorContext(file: location, key: key.value))
            }
        }
        return current
    }

    private func walk(_ relative: String, into result: inout [StoreKey], visited: inout Set<String>) throws {
        let directory = relative.isEmpty ? root : "\(root)/\(relative)"
        guard let canonical = FileSystem.canonicalPath(directory),
              canonical == root || canonical.hasPrefix(root + "/"),
              visited.insert(canonical).inserted else { return }
        for name in try POSIXFileSystem.entries(of: canonical) ?? [] where Self.isKeyName(name) {
            let key = relative.isEmpty ? name : "\(relative)/\(name)"
            guard let target = FileSystem.canonicalPath("\(canonical)/\(name)"), target.hasPrefix(root + "/") else { continue }
            switch FileSystem.kind(of: target) {
            case .file: result.append(StoreKey(unchecked: key))
            case .directory: try walk(key, into: &result, visited: &visited)
            default: break
            }
        }
    }

    /// Whether a file name can be part of a key (and is not one of our temporary files).
    private static func isKeyName(_ name: String) -> Bool {
        !name.contains("\\") && !name.contains(".tmp-")
    }
}
