#if canImport(Glibc)
import Glibc
/// libc's `write`, by a name that the type's own `write` functions do not shadow.
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Writes files so that readers see either the old content or the new, never a mix.
///
/// The data goes to a temporary file in the same directory (`.<name>.tmp-XXXXXX`), is flushed to
/// disk with `fsync`, and is then renamed over the destination; the directory is synced so the
/// rename survives a crash. Without durability (a Zarr directory store's chunks, unless asked) the
/// two syncs are left out: readers still see the old or the new content, but a crash may lose the
/// write. This file, ``RegularFile`` (reading) and ``FileSystem`` (queries) are the only places in
/// MIFACore that call the C library for files; every layer writes whole files through it.
public enum AtomicFile {
    /// Atomically replaces (or creates) the file at `path` with `bytes`; `durable` (the default)
    /// syncs the file and its directory.
    ///
    /// - Throws: ``CoreError`` `.io` naming the path and the system's reason. On failure the
    ///   destination is untouched and the temporary is removed.
    public static func write(_ bytes: some Collection<UInt8>, to path: String, durable: Bool = true) throws(CoreError) {
        let directory = parentDirectory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(directory)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ioError("cannot create a temporary file next to", path) }
        let temporary = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do throws(CoreError) {
            // Written in place when the bytes are contiguous (an array: a Zarr chunk), else copied once.
            let result: Result<Void, CoreError>? = bytes.withContiguousStorageIfAvailable { elements in
                Result { () throws(CoreError) in try writeAll(fd, UnsafeRawBufferPointer(elements), temporary) }
            }
            try (result ?? ContiguousArray(bytes).withUnsafeBytes { buffer in
                Result { () throws(CoreError) in try writeAll(fd, buffer, temporary) }
            }).get()
            guard fchmod(fd, 0o644) == 0 else { throw ioError("cannot set permissions of", temporary) }
            if durable { guard fsync(fd) == 0 else { throw ioError("cannot sync", temporary) } }
            closed = true
            guard close(fd) == 0 else { throw ioError("cannot close", temporary) }
            guard rename(temporary, path) == 0 else { throw ioError("cannot rename the temporary file onto", path) }
        } catch {
            unlink(temporary)
            throw error
        }
        if durable { syncDirectory(directory) }
    }

    /// Atomically replaces (or creates) the file at `path` with UTF-8 text.
    /// - Throws: ``CoreError`` `.io`, as ``write(_:to:durable:)``.
    public static func write(text: String, to path: String) throws(CoreError) {
        try write(Array(text.utf8), to: path)
    }

    /// Writes all of `buffer` to the open descriptor `fd` (retrying short writes and EINTR): the one
    /// write loop of every layer (a package's durable copies write their blocks through it too).
    /// - Throws: ``CoreError`` `.io` naming `temporary` (the file written) on a write error.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, _ temporary: String) throws(CoreError) {
        var offset = 0
        while offset < buffer.count {
            let written = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot write", temporary)
            }
            offset += written
        }
    }

    private static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func ioError(_ what: String, _ path: String) -> CoreError {
        let reason = String(cString: strerror(errno))
        return CoreError(.io, "\(what) '\(path)': \(reason)", context: ErrorContext(file: path))
    }
}
