#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being written in place of `path`, streamed: a temporary next to it (created exclusively,
/// by `mkstemp`) that ``commit(durable:)`` syncs and renames onto `path`, so readers see the old
/// file or the new one, never a mix. Dropped without a commit, the temporary is removed. Writers
/// stream into it (or decode straight into a mapping of it) so that no copy of the whole file is
/// held in memory; ``AtomicFile/write(_:to:durable:)`` is one append and a commit.
///
/// Not thread-safe: one writer at a time.
public final class AtomicFileWriter {
    /// The destination.
    public let path: String
    /// The temporary's path.
    public let temporaryPath: String
    /// Bytes written so far (the end of the furthest write).
    public private(set) var size = 0
    private let descriptor: Int32
    private var finished = false
    /// The shared mapping made by ``mapForWriting(size:)``, unmapped by ``commit(durable:)`` or `deinit`.
    private var mapping: UnsafeMutableRawBufferPointer?

    /// Creates the temporary for `path`.
    /// - Throws: ``CoreError`` `.io` when it cannot be created (naming `path` and the reason).
    public init(path: String) throws(CoreError) {
        let directory = FileSystem.parent(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(directory)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw CoreError(.io, "cannot create a temporary file next to '\(path)': \(String(cString: strerror(errno))); check that the folder exists and is writable",
                            context: ErrorContext(file: path))
        }
        self.path = path
        self.temporaryPath = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        self.descriptor = fd
    }

    deinit {
        unmap()
        if !finished {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Sets the temporary's size to `size` bytes and maps all of it for writing, so a writer can
    /// decode straight into the file (no buffer, no `write` copy). The mapping is valid until
    /// ``commit(durable:)`` or until the writer is dropped.
    /// - Throws: ``CoreError`` `.io` when the file cannot be sized or mapped (no space, a file
    ///   system without shared mappings).
    public func mapForWriting(size: Int) throws(CoreError) -> UnsafeMutableRawBufferPointer {
        precondition(mapping == nil && size > 0, "one mapping of a non-empty file")
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw CoreError(.io, "cannot make the new file '\(path)' \(size) bytes long: \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
        }
        // MAP_FAILED is (void *)-1, a macro Swift does not import.
        let mapped: UnsafeMutableRawPointer? = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let base = mapped, base != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw CoreError(.io, "cannot map the new file '\(path)' for writing: \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
        }
        let buffer = UnsafeMutableRawBufferPointer(start: base, count: size)
        mapping = buffer
        self.size = size
        return buffer
    }

    /// Sets the temporary's size to `size` bytes and returns a writer that any number of threads
    /// may use at once to write blocks at their offsets (`pwrite`), for writers that make the file
    /// in independent blocks in small reused buffers (a decoder's runs of strips). A whole-page
    /// write goes straight into the page cache, where the first store to each page of a fresh
    /// shared mapping (``mapForWriting(size:)``) reads the page (zero-filled, with read-ahead)
    /// and then faults it writable: 100 MiB cost 20-25 ms of CPU written in 256 KiB blocks against
    /// 45-80 ms through a mapping. Bytes no block covers read as zeros. The writer is valid until
    /// ``commit(durable:)`` or until this writer is dropped.
    /// - Throws: ``CoreError`` `.io` when the file cannot be sized (no space).
    public func positionalWriter(size: Int) throws(CoreError) -> PositionalFileWriter {
        precondition(mapping == nil && size >= 0, "one sizing of the file")
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw CoreError(.io, "cannot make the new file '\(path)' \(size) bytes long: \(String(cString: strerror(errno)))", context: ErrorContext(file: path))
        }
        self.size = size
        return PositionalFileWriter(descriptor: descriptor, path: temporaryPath, size: size)
    }

    private func unmap() {
        guard let mapping else { return }
        munmap(mapping.baseAddress, mapping.count)
        self.mapping = nil
    }

    /// Writes all of `buffer` at `offset` (retrying short writes and EINTR).
    /// - Throws: ``CoreError`` `.io` naming the temporary.
    public func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(CoreError) {
        try AtomicFile.writeAll(descriptor, buffer, temporaryPath, at: offset)
        size = Swift.max(size, offset + buffer.count)
    }

    /// Appends `buffer` at the end.
    /// - Throws: ``CoreError`` `.io` naming the temporary.
    public func append(_ buffer: UnsafeRawBufferPointer) throws(CoreError) {
        try write(buffer, at: size)
    }

    /// Reads up to `buffer.count` bytes at `offset` of what was written; the count read, or -1.
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        RegularFile.read(descriptor, into: buffer, at: offset)
    }

    /// Renames the temporary onto the destination. With `durable` the temporary is synced first
    /// and the folder after, so the new file survives a crash; without, readers still see the old
    /// file or the whole new one, but a crash soon after may lose the new one.
    /// - Throws: ``CoreError`` `.io`; the temporary is removed and the destination untouched.
    public func commit(durable: Bool) throws(CoreError) {
        unmap()
        finished = true
        func fail(_ what: String) -> CoreError {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            return CoreError(.io, "\(what) '\(path)': \(reason)", context: ErrorContext(file: path))
        }
        guard fchmod(descriptor, 0o644) == 0, !durable || fsync(descriptor) == 0 else {
            let error = fail("cannot sync the new file")
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw fail("cannot close the new file") }
        guard rename(temporaryPath, path) == 0 else { throw fail("cannot rename the new file into place as") }
        guard durable else { return }
        let fd = open(FileSystem.parent(of: path), O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

/// Blocks written at their offsets into a file of fixed size, from any number of threads at once
/// (`pwrite` on one descriptor); made by ``AtomicFileWriter/positionalWriter(size:)`` and valid
/// while that writer is open.
public struct PositionalFileWriter: Sendable {
    private let descriptor: Int32
    /// The file written (the temporary), named in errors.
    public let path: String
    /// The file's size: blocks must lie inside it.
    public let size: Int

    init(descriptor: Int32, path: String, size: Int) {
        self.descriptor = descriptor
        self.path = path
        self.size = size
    }

    /// Writes all of `buffer` at byte `offset` (retrying short writes and EINTR).
    /// - Throws: ``CoreError`` `.io` naming the file.
    public func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(CoreError) {
        precondition(offset >= 0 && buffer.count <= size - offset, "a block outside the file")
        try AtomicFile.writeAll(descriptor, buffer, path, at: offset)
    }
}
