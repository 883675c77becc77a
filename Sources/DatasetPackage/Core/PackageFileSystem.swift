#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MIFACore

/// The file-system calls the package layer makes: reading and hashing files, durable copies and
/// renames, directory walks. This file is the only place in DatasetPackage that calls the C library.
///
/// Paths are absolute or relative to the working directory; errors name the path and the system's reason.
public enum PackageFileSystem {
    /// The kind of a directory entry.
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

    /// What is at a path, without following a final symbolic link; `nil` when nothing is there.
    public static func kind(of path: String) -> EntryKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Whether a regular file or directory exists at `path`.
    public static func exists(_ path: String) -> Bool { kind(of: path) != nil }

    /// The size in bytes of the regular file at `path`.
    /// - Throws: ``PackageError`` `.io` when it cannot be read.
    public static func size(of path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw ioError("cannot read the size of", path) }
        return Int(info.st_size)
    }

    /// The whole content of a file, refusing files larger than `limit` bytes.
    /// - Throws: ``PackageError`` `.io` when the file cannot be read, `.invalidInput` when it is too large.
    public static func read(_ path: String, limit: Int = 1 << 30) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("cannot read the size of", path) }
        guard Int(info.st_size) <= limit else {
            throw PackageError(.invalidInput, "'\(path)' has \(info.st_size) bytes; at most \(limit) are read", context: ErrorContext(file: path))
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while offset < buffer.count {
                let count = Glibc.read(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ioError("cannot read", path)
                }
                if count == 0 { break }
                offset += count
            }
        }
        return offset == bytes.count ? bytes : Array(bytes[..<offset])
    }

    /// The SHA-256 digest and size of a file, read in 1 MiB blocks.
    /// - Throws: ``PackageError`` `.io` when the file cannot be read.
    public static func digest(of path: String) throws -> (digest: SHA256Digest, bytes: Int) {
        try withFileBlocks(path) { _ in }
    }

    /// Copies a file durably (temporary name, fsync, rename) and returns the digest of what was copied.
    /// - Throws: ``PackageError`` `.io`.
    @discardableResult
    public static func copy(_ source: String, to destination: String) throws -> SHA256Digest {
        try createDirectories(parent(of: destination))
        let temporary = destination + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("cannot create", temporary) }
        var closed = false
        defer { if !closed { close(fd) } }
        do {
            let result = try withFileBlocks(source) { block in
                var offset = 0
                while offset < block.count {
                    let written = write(fd, block.baseAddress! + offset, block.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw ioError("cannot write", temporary)
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw ioError("cannot sync", temporary) }
            closed = true
            guard close(fd) == 0 else { throw ioError("cannot close", temporary) }
            try rename(temporary, to: destination)
            return result.digest
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Renames a file or directory (replacing a file at the destination) and syncs the destination's folder.
    /// - Throws: ``PackageError`` `.io`.
    public static func rename(_ source: String, to destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else {
            throw ioError("cannot rename '\(source)' to", destination)
        }
        syncDirectory(parent(of: destination))
    }

    /// Removes a file or an empty directory; nothing happens when nothing is there.
    /// - Throws: ``PackageError`` `.io`.
    public static func remove(_ path: String) throws {
        if kind(of: path) == .directory {
            guard rmdir(path) == 0 || errno == ENOENT else { throw ioError("cannot remove the folder", path) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw ioError("cannot remove", path) }
        }
    }

    /// Removes a directory tree; nothing happens when nothing is there.
    /// - Throws: ``PackageError`` `.io`.
    public static func removeTree(_ path: String) throws {
        guard exists(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw PackageError(.io, "cannot remove '\(path)': \(error.localizedDescription)", context: ErrorContext(file: path))
        }
    }

    /// Creates a directory and its missing parents.
    /// - Throws: ``PackageError`` `.io`.
    public static func createDirectories(_ path: String) throws {
        guard !path.isEmpty, kind(of: path) != .directory else { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PackageError(.io, "cannot create the folder '\(path)': \(error.localizedDescription)", context: ErrorContext(file: path))
        }
    }

    /// Every entry below `root`, as paths relative to `root` with `/` separators, sorted; folders are
    /// descended into, symbolic links are listed but never followed.
    /// - Throws: ``PackageError`` `.io` when a folder cannot be listed.
    public static func walk(_ root: String) throws -> [(path: String, kind: EntryKind)] {
        var result: [(path: String, kind: EntryKind)] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : "\(root)/\(relative)"
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                throw PackageError(.io, "cannot list the folder '\(directory)': \(error.localizedDescription)", context: ErrorContext(file: directory))
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

    /// Renames the folder `source` to `destination` only if nothing but an empty folder exists at
    /// `destination`: the destination folder is created first (`mkdir` fails when anything is
    /// there), then `rename` replaces that empty folder in one atomic step.
    /// - Throws: ``PackageError`` `.alreadyExists` when the destination exists and is not an empty
    ///   folder, `.io` otherwise.
    public static func renameWithoutReplacing(_ source: String, to destination: String) throws {
        if mkdir(destination, 0o755) != 0 {
            let isEmptyFolder = errno == EEXIST && kind(of: destination) == .directory && ((try? walkTopLevel(destination))?.isEmpty ?? false)
            guard isEmptyFolder else {
                throw PackageError(.alreadyExists, "'\(destination)' already exists; choose another name or remove it first", context: ErrorContext(file: destination))
            }
        }
        guard Glibc.rename(source, destination) == 0 else {
            if errno == ENOTEMPTY || errno == EEXIST {
                throw PackageError(.alreadyExists, "'\(destination)' was filled by another process; choose another name", context: ErrorContext(file: destination))
            }
            throw ioError("cannot rename '\(source)' to", destination)
        }
        syncDirectory(parent(of: destination))
    }

    /// Makes a hard link to an existing file.
    /// - Throws: ``PackageError`` `.io`.
    public static func link(_ existing: String, to newPath: String) throws {
        guard Glibc.link(existing, newPath) == 0 else { throw ioError("cannot link '\(existing)' as", newPath) }
    }

    /// Takes an exclusive advisory lock (`flock`) on the file at `path`, creating it if needed.
    /// The lock ends when the returned value is released or the process ends, even by SIGKILL.
    /// - Returns: the lock, or `nil` when `wait` is false and another process holds it.
    /// - Throws: ``PackageError`` `.io` when the lock file cannot be opened.
    public static func lock(_ path: String, wait: Bool) throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("cannot open the lock file", path) }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            close(fd)
            if errno == EWOULDBLOCK { return nil }
            throw ioError("cannot lock", path)
        }
        return FileLock(descriptor: fd)
    }

    /// Whether a process with this id is alive.
    public static func processIsAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// This process's id.
    public static var processID: Int32 { getpid() }

    /// The names in a folder (not descending).
    /// - Throws: ``PackageError`` `.io` when the folder cannot be listed.
    public static func walkTopLevel(_ folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw PackageError(.io, "cannot list the folder '\(folder)': \(error.localizedDescription)", context: ErrorContext(file: folder))
        }
    }

    /// Makes a folder's entries durable.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// The folder part of a path (`.` when there is none).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// Reads a file in 1 MiB blocks, hashing each and handing it to `body` (valid only during the
    /// call), so that files of any size are copied or exported in bounded memory.
    /// - Returns: the digest and size of what was read.
    /// - Throws: ``PackageError`` `.io` when the file cannot be read, what `body` throws.
    static func withFileBlocks(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> (digest: SHA256Digest, bytes: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open", path) }
        defer { close(fd) }
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256Hasher()
        var total = 0
        while true {
            let count = Glibc.read(fd, buffer.baseAddress!, blockSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot read", path)
            }
            if count == 0 { break }
            let block = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            hasher.update(block)
            try body(block)
            total += count
        }
        return (hasher.finalize(), total)
    }

    private static func ioError(_ what: String, _ path: String) -> PackageError {
        let reason = String(cString: strerror(errno))
        return PackageError(.io, "\(what) '\(path)': \(reason)", context: ErrorContext(file: path))
    }
}

/// An exclusive lock held on an open file; released by ``release()`` or when the value is freed.
public final class FileLock: @unchecked Sendable {
    private var descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Releases the lock (again is harmless).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
