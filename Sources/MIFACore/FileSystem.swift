#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system queries every layer shares: what is at a path (never following a final
/// symbolic link), the canonical path, a folder's entries, a path's folder. Reading files is
/// ``RegularFile``'s; writing stays with the layer that owns the files it writes (Zarr's directory
/// store, the package layer's durable commits), each through this module's errors.
public enum FileSystem {
    /// What a path names.
    public enum EntryKind: Sendable, Hashable {
        /// A regular file.
        case file
        /// A directory.
        case directory
        /// A symbolic link (never followed).
        case symbolicLink
        /// Anything else (device, socket, FIFO).
        case other
    }

    /// What is at `path`, without following a final symbolic link (`lstat`); `nil` when nothing is there.
    public static func kind(of path: String) -> EntryKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return kind(mode: info.st_mode)
    }

    /// The kind a file mode names.
    static func kind(mode: mode_t) -> EntryKind {
        switch mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Whether anything is at `path` (a final symbolic link counts, whatever it points to).
    public static func exists(_ path: String) -> Bool { kind(of: path) != nil }

    /// The absolute path with every symbolic link resolved (`realpath`), or `nil` when nothing is there.
    public static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The names in the folder `path` (without `.` and `..`), sorted by their UTF-8 bytes; `nil`
    /// when there is no folder there.
    /// - Throws: ``CoreError`` `.io` naming the folder when it exists but cannot be read.
    public static func entries(of path: String) throws(CoreError) -> [String]? {
        guard let directory = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw CoreError(.io, "cannot list the folder '\(path)': \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The folder part of a path: `.` when there is none, `/` for a file at the root.
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }
}
