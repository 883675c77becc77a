#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPrefetch

/// Opening and reading regular files safely: the one place in MIFACore that opens files for
/// reading, used by every layer that reads whole files (package documents, metadata sheets,
/// annotation files).
///
/// A file is opened with `O_NONBLOCK` (so a FIFO in its place cannot block the open; regular files
/// ignore the flag) and, unless links may be followed, `O_NOFOLLOW`; then anything that is not a
/// regular file is refused before a byte is read, and no more than a stated limit is read.
public enum RegularFile {
    /// Opens a regular file for reading and returns its descriptor and size; the caller closes it.
    /// - Parameters:
    ///   - path: the file.
    ///   - followingLinks: whether a final symbolic link is followed (files the user names) or
    ///     refused (files inside a package or store, which must not lead elsewhere).
    /// - Throws: ``CoreError`` `.notRegularFile` for a symbolic link (when not followed), FIFO,
    ///   device, socket or folder; `.io` when it cannot be opened.
    public static func openForReading(_ path: String, followingLinks: Bool) throws -> (descriptor: Int32, size: Int) {
        guard let opened = try openForReadingIfPresent(path, followingLinks: followingLinks) else {
            throw CoreError(.io, "cannot open '\(path)': \(String(cString: strerror(ENOENT)))", context: ErrorContext(file: path))
        }
        return opened
    }

    /// As ``openForReading(_:followingLinks:)``, but `nil` when nothing is at `path` (or a folder
    /// on the way is a file): for stores, where a missing key is an answer, not an error.
    /// - Throws: as ``openForReading(_:followingLinks:)``.
    public static func openForReadingIfPresent(_ path: String, followingLinks: Bool) throws -> (descriptor: Int32, size: Int)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            if errno == ELOOP, !followingLinks, FileSystem.kind(of: path) == .symbolicLink {
                throw CoreError(.notRegularFile, "'\(path)' is a symbolic link; links are not followed here (they could lead anywhere). Replace the link with the file itself", context: ErrorContext(file: path))
            }
            throw CoreError(.io, "cannot open '\(path)': \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
        }
        return (fd, try regularFileSize(fd, path: path))
    }

    /// How ``openForReadingIfPresent(withoutLinks:)`` went.
    public enum LinkFreeOpening: Sendable {
        /// Opened: no symbolic link was met on the way; the caller closes the descriptor.
        case opened(descriptor: Int32, size: Int)
        /// Nothing is at the path (or a folder on the way is a file), and no link was met before.
        case missing
        /// Not decided here: a link was met, or the system cannot open without following links
        /// (not Linux, a kernel before 5.6, a sandbox), or opening failed otherwise. The caller
        /// takes its general path, which reports any error.
        case undecided
    }

    /// Opens a regular file for reading only if no symbolic link is met anywhere on `path`
    /// (Linux's `openat2` with `RESOLVE_NO_SYMLINKS`, one system call). For a store whose root is a
    /// canonical path: a key's file opened this way is lexically inside the root, so the check of
    /// where links lead is not needed.
    /// - Throws: ``CoreError`` `.notRegularFile` for a FIFO, device, socket or folder; `.io` when its
    ///   type cannot be read.
    public static func openForReadingIfPresent(withoutLinks path: String) throws -> LinkFreeOpening {
        let fd = mifa_open_without_links(path)
        guard fd >= 0 else { return errno == ENOENT || errno == ENOTDIR ? .missing : .undecided }
        return .opened(descriptor: fd, size: try regularFileSize(fd, path: path))
    }

    /// The size of the open `fd`, or (closing it) an error when it is not a regular file.
    private static func regularFileSize(_ fd: Int32, path: String) throws -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CoreError(.io, "cannot read the type of '\(path)': \(reason)", context: ErrorContext(file: path))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw CoreError(.notRegularFile, "'\(path)' is \(describe(mode: info.st_mode)), not a regular file; give the path of a file", context: ErrorContext(file: path))
        }
        return Int(info.st_size)
    }

    /// The whole content of a regular file, refused when larger than `limit` bytes.
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the most bytes read.
    ///   - followingLinks: whether a final symbolic link is followed.
    /// - Throws: ``CoreError`` `.tooLarge` over `limit`, as ``openForReading(_:followingLinks:)``, `.io` on a read error.
    public static func contents(of path: String, limit: Int, followingLinks: Bool) throws -> [UInt8] {
        let (fd, size) = try openForReading(path, followingLinks: followingLinks)
        defer { close(fd) }
        guard size <= limit else {
            throw CoreError(.tooLarge, "'\(path)' has \(size) bytes; at most \(limit) are read here", context: ErrorContext(file: path))
        }
        return try read(fd, count: size, at: 0, path: path)
    }

    /// `length` bytes of a regular file from `offset` (fewer when the file ends first: the caller
    /// checks the count), read with `pread`; the file is opened as by
    /// ``openForReading(_:followingLinks:)`` and nothing beyond its size is allocated.
    /// - Throws: ``CoreError`` as ``openForReading(_:followingLinks:)``, `.io` on a read error.
    public static func contents(of path: String, offset: Int, length: Int, followingLinks: Bool) throws -> [UInt8] {
        let (fd, size) = try openForReading(path, followingLinks: followingLinks)
        defer { close(fd) }
        let start = min(max(offset, 0), size)
        let wanted = min(max(length, 0), size - start)
        return try read(fd, count: wanted, at: start, path: path)
    }

    /// Up to `count` bytes of the open descriptor `fd` from byte `start` (through
    /// ``read(_:into:at:)``; fewer when the file ends first: the caller checks the count). No
    /// zero-filling pass: the reads write every byte that is kept.
    /// - Throws: ``CoreError`` `.io` naming `path` on a read error.
    public static func read(_ fd: Int32, count wanted: Int, at start: Int, path: String) throws(CoreError) -> [UInt8] {
        var done = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
            done = read(fd, into: UnsafeMutableRawBufferPointer(buffer), at: start)
            initialized = max(done, 0)
        }
        guard done >= 0 else {
            throw CoreError(.io, "cannot read '\(path)': \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
        }
        return bytes
    }

    /// Reads up to `buffer.count` bytes of the open descriptor `fd` from byte `start` into
    /// `buffer` (`pread`, retried on EINTR and short reads): the one positional read loop of every
    /// layer. Returns the count read (less at the end of the file), or -1 on an I/O error (`errno`
    /// says which).
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        guard start >= 0, let base = buffer.baseAddress else { return start >= 0 ? 0 : -1 }
        var done = 0
        while done < buffer.count {
            let count = pread(fd, base + done, buffer.count - done, off_t(start + done))
            if count < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// What a file mode names, for messages: "a folder", "a FIFO (named pipe)", ...
    static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a folder"
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "a special file"
        }
    }
}
