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
        let writer = try AtomicFileWriter(path: path)
        // Written in place when the bytes are contiguous (an array: a Zarr chunk), else copied once.
        let result: Result<Void, CoreError>? = bytes.withContiguousStorageIfAvailable { elements in
            Result { () throws(CoreError) in try writer.append(UnsafeRawBufferPointer(elements)) }
        }
        try (result ?? ContiguousArray(bytes).withUnsafeBytes { buffer in
            Result { () throws(CoreError) in try writer.append(buffer) }
        }).get()
        try writer.commit(durable: durable)
    }

    /// Writes all of `buffer` to the open descriptor `fd`, at `offset` (`pwrite`) or, without one,
    /// at its position (`write`), retrying short writes and EINTR: the one write loop of every layer
    /// (``AtomicFileWriter`` and a package's durable copies write through it).
    /// - Throws: ``CoreError`` `.io` naming `temporary` (the file written) on a write error.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, _ temporary: String, at offset: Int? = nil) throws(CoreError) {
        var done = 0
        while done < buffer.count {
            let written = offset.map { pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t($0 + done)) }
                ?? systemWrite(fd, buffer.baseAddress! + done, buffer.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot write", temporary)
            }
            done += written
        }
    }

    private static func ioError(_ what: String, _ path: String) -> CoreError {
        let reason = String(cString: strerror(errno))
        return CoreError(.io, "\(what) '\(path)': \(reason)", context: ErrorContext(file: path))
    }
}
