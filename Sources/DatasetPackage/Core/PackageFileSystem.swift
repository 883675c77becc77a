#if canImport(Glibc)
import Glibc
// libc's calls by names that this file's own `rename`, `link` and `read` do not shadow.
private let systemRename = Glibc.rename, systemLink = Glibc.link, systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRename = Darwin.rename, systemLink = Darwin.link, systemRead = Darwin.read
#endif
import Foundation
public import MIFACore

/// The file-system calls the package layer makes: reading and hashing files, durable copies and
/// renames, directory walks. This file is the only place in DatasetPackage that calls the C library.
///
/// Paths are absolute or relative to the working directory; errors name the path and the system's reason.
public enum PackageFileSystem {
    /// The size in bytes of the regular file at `path`.
    /// - Throws: ``PackageError`` `.io` when it cannot be read.
    public static func size(of path: String) throws -> Int {
        guard let size = FileSystem.size(of: path) else { throw ioError("cannot read the size of", path) }
        return size
    }

    /// The whole content of a regular file, refusing files larger than `limit` bytes.
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the most bytes read.
    ///   - followingLinks: whether a final symbolic link is followed: only for files the user names
    ///     (a metadata sheet, a file list); a package's own files never are.
    /// - Throws: ``PackageError`` `.io` when the file cannot be read, `.invalidInput` when it is too
    ///   large, a symbolic link or not a regular file.
    public static func read(_ path: String, limit: Int = 1 << 30, followingLinks: Bool = false) throws -> [UInt8] {
        do {
            return try RegularFile.contents(of: path, limit: limit, followingLinks: followingLinks)
        } catch let error as CoreError {
            throw PackageError(error)
        }
    }

    /// Opens a regular file for reading (see `RegularFile.openForReading(_:followingLinks:)`:
    /// a FIFO cannot block the open, a final symbolic link is refused unless `followingLinks`).
    /// - Returns: the descriptor, which the caller closes.
    /// - Throws: ``PackageError`` `.invalidInput` for a symbolic link, FIFO, device, socket or
    ///   folder, `.io` when the file cannot be opened.
    static func openForReading(_ path: String, followingLinks: Bool = false) throws -> Int32 {
        do {
            return try RegularFile.openForReading(path, followingLinks: followingLinks).descriptor
        } catch let error as CoreError {
            throw PackageError(error)
        }
    }

    /// The SHA-256 digest and size of a file, read in 1 MiB blocks.
    /// - Throws: ``PackageError`` `.io` when the file cannot be read.
    public static func digest(of path: String) throws -> (digest: SHA256Digest, bytes: Int) {
        try withFileBlocks(path) { _ in }
    }

    /// Copies a file durably and returns the digest of what was copied: the bytes go to a new
    /// temporary file beside `destination` (created exclusively with `mkstemp`,
    /// never through a link), are synced, and the file is renamed into place. With `expected`, a
    /// copy whose digest differs is removed instead and nothing is renamed.
    /// - Throws: ``PackageError`` `.io`; `.digestMismatch` (naming `displayPath`) when the content
    ///   is not `expected`.
    @discardableResult
    public static func copy(_ source: String, to destination: String, expected: SHA256Digest? = nil, displayPath: String? = nil) throws -> SHA256Digest {
        try createDirectories(FileSystem.parent(of: destination))
        let (fd, temporary) = try createTemporary(beside: destination)
        var closed = false
        defer { if !closed { close(fd) } }
        do {
            let result = try withFileBlocks(source) { block in
                do throws(CoreError) {
                    try AtomicFile.writeAll(fd, block, temporary)
                } catch {
                    throw PackageError(error)
                }
            }
            if let expected, result.digest != expected {
                let shown = displayPath ?? source
                throw PackageError(
                    .digestMismatch,
                    "'\(shown)' has SHA-256 \(result.digest.hex) but the manifest records \(expected.hex): the file was changed outside mifa. Run `mifa audit` and restore it",
                    context: ErrorContext(file: shown))
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

    /// The marker in the name of every temporary file the package layer creates
    /// (`.<name>.mifa-tmp-XXXXXX`): recovery removes files with it (see ``isTemporaryName(_:)``).
    static let temporaryMarker = ".mifa-tmp-"

    /// Creates a new, empty temporary file beside `path`, named `.<name>.mifa-tmp-XXXXXX` with a
    /// random suffix, with `O_CREAT | O_EXCL` (`mkstemp`): it can never be a file or link that was
    /// already there, so a package holding links cannot redirect the write.
    /// - Returns: the open descriptor (mode 0644) and the temporary's path.
    /// - Throws: ``PackageError`` `.io`.
    static func createTemporary(beside path: String) throws -> (descriptor: Int32, path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(FileSystem.parent(of: path))/.\(name.utf8.count > 120 ? String(name.prefix(64)) : name)\(temporaryMarker)XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ioError("cannot create a temporary file beside", path) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard fchmod(fd, 0o644) == 0 else {
            let error = ioError("cannot set the permissions of", temporary)
            close(fd)
            unlink(temporary)
            throw error
        }
        return (fd, temporary)
    }

    /// Whether a file name is one of ``createTemporary(beside:)``'s (or an earlier release's
    /// `.<name>.tmp-XXXXXX`, `<digest>.incoming`), which only an interrupted write leaves behind.
    static func isTemporaryName(_ name: String) -> Bool {
        if name.hasPrefix("."), let marker = name.range(of: temporaryMarker) ?? name.range(of: ".tmp-") {
            return !name[marker.upperBound...].isEmpty
        }
        return name.contains(".incoming")
    }

    /// The hidden sibling where a command builds `target` before renaming it into place:
    /// `<parent>/.<name>.mifa-<purpose>-<pid>`. The process id lets a later run of the same
    /// command remove what a killed one left (``removeAbandonedStaging(for:purpose:)``).
    static func stagingPath(for target: String, purpose: String, pid: Int32 = processID) -> String {
        stagingPrefix(for: target, purpose: purpose) + "\(pid)"
    }

    private static func stagingPrefix(for target: String, purpose: String) -> String {
        var trimmed = target
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        let name = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        return "\(FileSystem.parent(of: trimmed))/.\(name).mifa-\(purpose)-"
    }

    /// Removes the staging files and folders of `target` (see ``stagingPath(for:purpose:pid:)``)
    /// left by processes that are gone, and this process's own.
    /// - Throws: ``PackageError`` `.io` when one cannot be removed.
    static func removeAbandonedStaging(for target: String, purpose: String) throws {
        let prefix = stagingPrefix(for: target, purpose: purpose)
        let folder = FileSystem.parent(of: prefix)
        let namePrefix = String(prefix.dropFirst(folder.count + 1))
        guard FileSystem.kind(of: folder) == .directory else { return }
        for entry in try walkTopLevel(folder) where entry.hasPrefix(namePrefix) {
            guard let pid = Int32(entry.dropFirst(namePrefix.count)), pid == processID || !processIsAlive(pid) else { continue }
            try removeTree("\(folder)/\(entry)")
        }
    }

    /// Creates a new file for writing, failing when anything (a file, a link) is already at `path`
    /// (`O_CREAT | O_EXCL | O_NOFOLLOW`).
    /// - Returns: the open descriptor.
    /// - Throws: ``PackageError`` `.alreadyExists` when something is there, `.io` otherwise.
    static func createExclusively(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw PackageError(.alreadyExists, "'\(path)' already exists; give a new name", context: ErrorContext(file: path))
            }
            throw ioError("cannot create", path)
        }
        return fd
    }

    /// Renames a file or directory (replacing a file at the destination) and syncs the destination's folder.
    /// - Throws: ``PackageError`` `.io`.
    public static func rename(_ source: String, to destination: String) throws {
        guard systemRename(source, destination) == 0 else {
            throw ioError("cannot rename '\(source)' to", destination)
        }
        syncDirectory(FileSystem.parent(of: destination))
    }

    /// Removes a file or an empty directory; nothing happens when nothing is there.
    /// - Throws: ``PackageError`` `.io`.
    public static func remove(_ path: String) throws {
        if FileSystem.kind(of: path) == .directory {
            guard rmdir(path) == 0 || errno == ENOENT else { throw ioError("cannot remove the folder", path) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw ioError("cannot remove", path) }
        }
    }

    /// Removes a directory tree; nothing happens when nothing is there.
    /// - Throws: ``PackageError`` `.io`.
    public static func removeTree(_ path: String) throws {
        do throws(CoreError) { try FileSystem.removeTree(path) } catch { throw PackageError(error) }
    }

    /// Creates a directory and its missing parents.
    /// - Throws: ``PackageError`` `.io`.
    public static func createDirectories(_ path: String) throws {
        do throws(CoreError) { try FileSystem.createDirectories(path) } catch { throw PackageError(error) }
    }

    /// Every entry below `root` (MIFACore's `FileSystem.walk(_:)`).
    /// - Throws: ``PackageError`` `.io` when a folder cannot be listed.
    public static func walk(_ root: String) throws -> [(path: String, kind: FileSystem.EntryKind)] {
        do throws(CoreError) { return try FileSystem.walk(root) } catch { throw PackageError(error) }
    }

    /// Renames the folder `source` to `destination` only if nothing but an empty folder exists at
    /// `destination`: the destination folder is created first (`mkdir` fails when anything is
    /// there), then `rename` replaces that empty folder in one atomic step.
    /// - Throws: ``PackageError`` `.alreadyExists` when the destination exists and is not an empty
    ///   folder, `.io` otherwise.
    public static func renameWithoutReplacing(_ source: String, to destination: String) throws {
        if mkdir(destination, 0o755) != 0 {
            let isEmptyFolder = errno == EEXIST && FileSystem.kind(of: destination) == .directory && ((try? walkTopLevel(destination))?.isEmpty ?? false)
            guard isEmptyFolder else {
                throw PackageError(.alreadyExists, "'\(destination)' already exists; choose another name or remove it first", context: ErrorContext(file: destination))
            }
        }
        guard systemRename(source, destination) == 0 else {
            if errno == ENOTEMPTY || errno == EEXIST {
                throw PackageError(.alreadyExists, "'\(destination)' was filled by another process; choose another name", context: ErrorContext(file: destination))
            }
            throw ioError("cannot rename '\(source)' to", destination)
        }
        syncDirectory(FileSystem.parent(of: destination))
    }

    /// Makes a hard link to an existing file.
    /// - Throws: ``PackageError`` `.io`.
    public static func link(_ existing: String, to newPath: String) throws {
        guard systemLink(existing, newPath) == 0 else { throw ioError("cannot link '\(existing)' as", newPath) }
    }

    /// Makes a placeholder at `path`: a symbolic link to itself, which nothing can open (`ELOOP`),
    /// so that reading it fails instead of finding a missing or empty file (see ``CarriedFiles``).
    /// - Throws: ``PackageError`` `.io`.
    static func makePlaceholder(_ path: String) throws {
        guard symlink(placeholderTarget(path), path) == 0 else { throw ioError("cannot make the placeholder", path) }
    }

    /// Whether `path` is a placeholder made by ``makePlaceholder(_:)``.
    static func isPlaceholder(_ path: String) -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = readlink(path, &buffer, buffer.count)
        guard length > 0, length < buffer.count else { return false }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) == placeholderTarget(path)
    }

    /// What a placeholder at `path` links to: its own name.
    private static func placeholderTarget(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// Takes an exclusive advisory lock (`flock`) on the file at `path`, creating it if needed.
    /// The lock ends when the returned value is released or the process ends, even by SIGKILL.
    /// - Returns: the lock, or `nil` when `wait` is false and another process holds it.
    /// - Throws: ``PackageError`` `.io` when the lock file cannot be opened.
    public static func lock(_ path: String, wait: Bool) throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP {
                throw PackageError(.invalidInput, "the lock file '\(path)' is a symbolic link; mifa never follows a link out of a package. Remove the link", context: ErrorContext(file: path))
            }
            throw ioError("cannot open the lock file", path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw PackageError(.invalidInput, "the lock file '\(path)' is not a regular file; remove it", context: ErrorContext(file: path))
        }
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

    /// The names in a folder (not descending), sorted by their bytes.
    /// - Throws: ``PackageError`` `.io` when the folder cannot be listed or is not there.
    public static func walkTopLevel(_ folder: String) throws -> [String] {
        let names: [String]?
        do {
            names = try FileSystem.entries(of: folder)
        } catch {
            throw PackageError(error)
        }
        guard let names else {
            throw PackageError(.io, "cannot list the folder '\(folder)': there is no folder there", context: ErrorContext(file: folder))
        }
        return names
    }

    /// Makes a folder's entries durable.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Reads a file in 1 MiB blocks, hashing each and handing it to `body` (valid only during the
    /// call), so that files of any size are copied or exported in bounded memory.
    /// - Returns: the digest and size of what was read.
    /// - Throws: ``PackageError`` `.io` when the file cannot be read, what `body` throws.
    static func withFileBlocks(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> (digest: SHA256Digest, bytes: Int) {
        let fd = try openForReading(path)
        defer { close(fd) }
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256Hasher()
        var total = 0
        while true {
            let count = systemRead(fd, buffer.baseAddress!, blockSize)
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
public final class FileLock: Sendable {
    /// The descriptor, -1 once released; behind a lock so that two threads releasing at once
    /// cannot close the descriptor twice (the second close could hit a reused descriptor).
    private let descriptor: LockedState<Int32>

    init(descriptor: Int32) { self.descriptor = LockedState(descriptor) }

    /// Releases the lock (again is harmless).
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
