#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MIFACore

/// The only place in the Zarr module that calls the C library for files: open, positional reads,
/// writes through a temporary name and rename (what a path is, its canonical form and a
/// directory's entries are MIFACore's `FileSystem`).
///
/// Functions return `nil` for a missing file (as stores report missing keys) and throw
/// ``ZarrError`` `.storeFailure` naming the path and the system's reason for everything else.
enum POSIXFileSystem {
    /// The whole content of a regular file, or `nil` when it does not exist; `range` limits the read.
    ///
    /// With `inside` (a canonical path, with `path` below it and free of `.` and `..` components, as
    /// ``DirectoryStore`` makes them), the file must lie inside that directory. When no symbolic
    /// link is met on the way (opened with `RegularFile.openForReadingIfPresent(withoutLinks:)`,
    /// one system call) it does, lexically. Otherwise the file is opened following links and the
    /// path it actually has is read back from `/proc/self/fd` (Linux) and checked.
    /// - Throws: ``ZarrError`` `.storeFailure` on any other error; ``ZarrError`` `.invalidKey` when
    ///   the file is outside `inside`.
    static func read(_ path: String, range: ByteRange?, inside root: String? = nil) throws -> [UInt8]? {
        let opened: (descriptor: Int32, size: Int)?
        var checked = false
        do {
            if let root, path.hasPrefix(root + "/") {
                switch try RegularFile.openForReadingIfPresent(withoutLinks: path) {
                case .missing: return nil
                case .opened(let fd, let size): opened = (fd, size); checked = true
                case .undecided: opened = try RegularFile.openForReadingIfPresent(path, followingLinks: true)
                }
            } else {
                // Links inside the store are followed; where they lead is checked below.
                opened = try RegularFile.openForReadingIfPresent(path, followingLinks: true)
            }
        } catch let error as CoreError {
            throw ZarrError(.storeFailure, "\(error.message); Zarr keys must be regular files", context: error.context)
        }
        guard let (fd, size) = opened else { return nil }
        defer { close(fd) }
        if let root, !checked {
            guard let opened = openedPath(fd) ?? FileSystem.canonicalPath(path), opened.hasPrefix(root + "/") else {
                throw ZarrError(.invalidKey, "'\(path)' resolves outside the store root '\(root)' (a symbolic link leads out)",
                                context: ErrorContext(file: root))
            }
        }
        let (offset, count) = ByteRange.resolve(range, size: size)
        return try readExactly(fd, path: path, offset: offset, count: count)
    }

    /// The path of the file an open descriptor refers to, from `/proc/self/fd` (Linux); `nil` elsewhere.
    static func openedPath(_ fd: Int32) -> String? {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard length > 0, length < buffer.count - 1 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
        return nil
        #endif
    }

    /// Reads `count` bytes at `offset` of an open descriptor (`RegularFile.read`).
    /// - Throws: ``ZarrError`` `.storeFailure` when the read fails or the file is shorter.
    static func readExactly(_ fd: Int32, path: String, offset: Int, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        let result: [UInt8]
        do {
            result = try RegularFile.read(fd, count: count, at: offset, path: path)
        } catch {
            throw ZarrError(.storeFailure, error.message, context: error.context)
        }
        guard result.count == count else {
            throw ZarrError(.storeFailure, "'\(path)' ended after \(offset + result.count) bytes while reading \(count) bytes at byte \(offset)",
                            context: ErrorContext(file: path, offset: offset + result.count))
        }
        return result
    }

    /// Writes `bytes` to a temporary file next to `path` and renames it into place, so readers see
    /// the old or the new content, never a mix; `durable` adds `fsync` (`AtomicFile.write`).
    /// - Throws: ``ZarrError`` `.storeFailure` naming the path; the temporary is removed on failure.
    static func writeReplacing(_ path: String, bytes: [UInt8], durable: Bool) throws {
        do {
            try AtomicFile.write(bytes, to: path, durable: durable)
        } catch {
            throw ZarrError(.storeFailure, error.message, context: error.context)
        }
    }

    /// Creates one directory; an existing directory is fine.
    /// - Throws: ``ZarrError`` `.storeFailure` when it cannot be created.
    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw failure("cannot create the directory", path) }
    }

    /// Removes a file or symbolic link; a missing one is fine.
    /// - Throws: ``ZarrError`` `.storeFailure` on any other error.
    static func removeFile(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT && errno != ENOTDIR { throw failure("cannot remove", path) }
    }

    /// The names in a directory (without `.` and `..`, sorted by their bytes), or `nil` when it
    /// does not exist (see `FileSystem.entries(of:)`).
    /// - Throws: ``ZarrError`` `.storeFailure` when it exists but cannot be read.
    static func entries(of path: String) throws -> [String]? {
        do {
            return try FileSystem.entries(of: path)
        } catch {
            throw ZarrError(.storeFailure, error.message, context: error.context)
        }
    }

    private static func failure(_ what: String, _ path: String) -> ZarrError {
        let reason = String(cString: strerror(errno))
        return ZarrError(.storeFailure, "\(what) '\(path)': \(reason)", context: ErrorContext(file: path))
    }
}

/// A regular file opened read-only for positional reads from any thread (`pread` is thread-safe);
/// closed when the last reference goes.
final class ReadOnlyFile: Sendable {
    /// The path as given.
    let path: String
    /// Size in bytes when opened.
    let size: Int
    private let descriptor: Int32

    /// Opens `path`.
    /// - Throws: ``ZarrError`` `.storeFailure` (or `.notFound` when missing).
    init(path: String) throws {
        let opened: (descriptor: Int32, size: Int)?
        do {
            opened = try RegularFile.openForReadingIfPresent(path, followingLinks: true)
        } catch let error as CoreError {
            throw ZarrError(.storeFailure, error.message, context: error.context)
        }
        guard let (fd, size) = opened else {
            throw ZarrError(.notFound, "cannot open '\(path)': \(String(cString: strerror(ENOENT)))", context: ErrorContext(file: path))
        }
        self.path = path
        self.size = size
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Reads exactly `count` bytes at `offset`.
    /// - Throws: ``ZarrError`` `.storeFailure` when the range is outside the file or the read fails.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw ZarrError(.storeFailure, "bytes \(offset)..<\(offset + count) are outside the \(size)-byte file",
                            context: ErrorContext(file: path, offset: offset))
        }
        return try POSIXFileSystem.readExactly(descriptor, path: path, offset: offset, count: count)
    }
}
