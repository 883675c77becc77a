#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// What `path` names after following symbolic links (`stat`), as a user's path is meant: `nil`
    /// when nothing is there or the link dangles.
    public static func resolvedKind(of path: String) -> EntryKind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return kind(mode: info.st_mode)
    }

    /// Whether `path` is a folder, or a symbolic link to one.
    public static func isFolder(_ path: String) -> Bool { resolvedKind(of: path) == .directory }

    /// Whether `path` is a regular file, or a symbolic link to one.
    public static func isFile(_ path: String) -> Bool { resolvedKind(of: path) == .file }

    /// The size in bytes of the file at `path` (following symbolic links); `nil` when nothing is there.
    public static func size(of path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// Creates the folder `path` and its missing parents (`mkdir -p`); nothing when it is a folder already.
    /// - Throws: ``CoreError`` `.io` naming the folder that could not be made and why.
    public static func createDirectories(_ path: String) throws(CoreError) {
        guard !path.isEmpty, !isFolder(path) else { return }
        let parent = parent(of: path)
        if parent != path, parent != ".", parent != "/" { try createDirectories(parent) }
        guard mkdir(path, 0o755) == 0 || (errno == EEXIST && isFolder(path)) else {
            throw CoreError(.io, "cannot create the folder '\(path)': \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
        }
    }

    /// Removes `path` and, for a folder, everything below it; symbolic links are removed, never
    /// followed. Nothing happens when nothing is there.
    /// - Throws: ``CoreError`` `.io` naming the first entry that could not be removed.
    public static func removeTree(_ path: String) throws(CoreError) {
        guard let kind = kind(of: path) else { return }
        if kind == .directory {
            for name in try entries(of: path) ?? [] { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else {
                throw CoreError(.io, "cannot remove the folder '\(path)': \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
            }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw CoreError(.io, "cannot remove '\(path)': \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
            }
        }
    }

    /// Every entry below the folder `root`, as paths relative to it with `/` separators, sorted by
    /// their UTF-8 bytes; folders are descended into, symbolic links are listed but never followed.
    /// - Throws: ``CoreError`` `.io` when `root` or a folder below it cannot be listed.
    public static func walk(_ root: String) throws(CoreError) -> [(path: String, kind: EntryKind)] {
        var result: [(path: String, kind: EntryKind)] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : "\(root)/\(relative)"
            guard let names = try entries(of: directory) else {
                throw CoreError(.io, "cannot list the folder '\(directory)': there is no folder there", context: ErrorContext(file: directory))
            }
            for name in names {
                let path = relative.isEmpty ? name : "\(relative)/\(name)"
                let kind = kind(of: "\(root)/\(path)") ?? .other
                if kind == .directory { pending.append(path) }
                result.append((path, kind))
            }
        }
        return result.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
}
