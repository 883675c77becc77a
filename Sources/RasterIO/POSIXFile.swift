#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MIFACore

/// A regular file opened read-only, read with positional reads.
///
/// This file is the only place in RasterIO that calls the C library for file I/O. Reads never
/// allocate more than the caller asks for, and callers check requests against ``size`` first.
final class POSIXFile {
    /// The path as given.
    let path: String
    /// The file's size in bytes when it was opened.
    let size: Int
    private let descriptor: Int32

    /// Opens `path` for reading.
    /// - Throws: ``RasterIOError`` `.io` when the file is missing, unreadable or not a regular file.
    init(path: String) throws {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked below, then
        // blocking reads are restored.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw RasterIOError(.io, "cannot open for reading: \(String(cString: strerror(errno))); check the path and its permissions", file: path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RasterIOError(.io, "cannot read the file's size: \(reason)", file: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            let what = (info.st_mode & S_IFMT) == S_IFIFO ? "a FIFO (named pipe)" : (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "a device or socket"
            throw RasterIOError(.io, "is \(what), not a regular file; give the path of an image file", file: path)
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RasterIOError(.io, "cannot set blocking reads: \(reason)", file: path)
        }
        self.path = path
        self.size = Int(info.st_size)
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes starting at `offset`; returns the count read (less at the
    /// end of the file) or -1 on an I/O error.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        readFully(descriptor, at: offset, into: buffer)
    }

    /// Reads exactly `count` bytes at `offset`.
    /// - Throws: ``RasterIOError`` `.truncated` when the file ends first, `.io` on a read error.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard offset >= 0, offset <= size, count <= size - offset else {
            throw RasterIOError(.truncated, "needs \(count) bytes at byte \(offset) but the file has \(size) bytes; the file is cut short, copy it again", file: path, offset: offset)
        }
        var result = [UInt8](repeating: 0, count: count)
        let n = result.withUnsafeMutableBytes { read(at: offset, into: $0) }
        guard n == count else {
            if n < 0 { throw RasterIOError(.io, "read error: \(String(cString: strerror(errno)))", file: path, offset: offset) }
            throw RasterIOError(.truncated, "file ended after \(offset + n) bytes while reading \(count) bytes at byte \(offset)", file: path, offset: offset + n)
        }
        return result
    }

    /// The whole file, refused when larger than `maxBytes`.
    /// - Throws: ``RasterIOError`` `.io`, or `.tooLarge` over `maxBytes`.
    static func readAll(path: String, maxBytes: Int) throws -> [UInt8] {
        let file = try POSIXFile(path: path)
        guard file.size <= maxBytes else {
            throw RasterIOError(.tooLarge, "\(path) has \(file.size) bytes, more than the limit of \(maxBytes) bytes (\(ReadLimits.describe(maxBytes))); if the file is genuine, raise the limit (mifa: --max-memory \(ReadLimits.suggestion(for: file.size)); Swift: ReadLimits.maxBytes)", file: path)
        }
        return try file.read(at: 0, count: file.size)
    }

    /// Reads a dense array stored at `offset` straight into a new ``AnyNDArray``.
    ///
    /// Booleans are normalised (any non-zero byte is `true`).
    /// - Throws: ``RasterIOError`` `.truncated` when the file holds fewer bytes than the array needs.
    func readArray(dataType: DataType, shape: [Int], order: MemoryOrder, endianness: Endianness, at offset: Int) throws -> AnyNDArray {
        if dataType == .bool {
            let bytes = try readTyped(UInt8.self, shape: shape, order: order, endianness: endianness, at: offset)
            return .bool(try NDArray(shape: shape, elements: bytes.elements.lazy.map { $0 != 0 }, order: order))
        }
        return try dataType.visit(ReadVisitor(file: self, shape: shape, order: order, endianness: endianness, offset: offset))
    }

    private struct ReadVisitor: DataTypeVisitor {
        let file: POSIXFile, shape: [Int], order: MemoryOrder, endianness: Endianness, offset: Int
        func visit<E: NDArrayElement>(_ type: E.Type) throws -> AnyNDArray {
            AnyNDArray(try file.readTyped(type, shape: shape, order: order, endianness: endianness, at: offset))
        }
    }

    private func readTyped<E: NDArrayElement>(_ type: E.Type, shape: [Int], order: MemoryOrder, endianness: Endianness, at offset: Int) throws -> NDArray<E> {
        let count = try NDArray<E>.elementCount(of: shape)
        let size = MemoryLayout<E>.stride
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, offset >= 0, offset <= self.size, bytes <= self.size - offset else {
            throw RasterIOError(.truncated, "the data of shape \(shape) needs \(overflow ? "too many" : String(bytes)) bytes from byte \(offset) but the file has \(self.size); the file is cut short or its header is wrong", file: path, offset: offset, shape: shape)
        }
        var array = NDArray<E>(shape: shape, order: order)
        let n = array.withUnsafeMutableBytes { read(at: offset, into: $0) }
        guard n == bytes else {
            throw RasterIOError(.io, "read only \(n) of \(bytes) bytes", file: path, offset: offset)
        }
        if endianness != .native, size > 1 {
            array.withUnsafeMutableBytes { ByteOrder.swapInPlace($0, elementSize: size) }
        }
        return array
    }
}

/// A file being written in place of `path`: a temporary next to it (created exclusively, by
/// `mkstemp`) that ``commit()`` syncs and renames onto `path`, so readers see the old file or the
/// new one, never a mix. Dropped without a commit, the temporary is removed. Writers stream into it
/// so that no copy of the whole file is held in memory.
final class POSIXOutputFile {
    /// The destination.
    let path: String
    /// The temporary's path.
    let temporaryPath: String
    /// Bytes written so far (the end of the furthest write).
    private(set) var size = 0
    private let descriptor: Int32
    private var finished = false
    /// The shared mapping made by ``mapForWriting(size:)``, unmapped by ``commit(durable:)`` or `deinit`.
    private var mapping: UnsafeMutableRawBufferPointer?

    /// Creates the temporary for `path`.
    /// - Throws: ``RasterIOError`` `.io` when it cannot be created.
    init(path: String) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw RasterIOError(.io, "cannot create a temporary file next to it: \(String(cString: strerror(errno))); check that the folder exists and is writable", file: path)
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
    /// ``commit(durable:)`` or until the file is dropped.
    /// - Throws: ``RasterIOError`` `.io` when the file cannot be sized or mapped (no space, a file
    ///   system without shared mappings).
    func mapForWriting(size: Int) throws -> UnsafeMutableRawBufferPointer {
        precondition(mapping == nil && size > 0, "one mapping of a non-empty file")
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw RasterIOError(.io, "cannot make the new file \(size) bytes long: \(String(cString: strerror(errno)))", file: path)
        }
        // MAP_FAILED is (void *)-1, a macro Swift does not import.
        let mapped: UnsafeMutableRawPointer? = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let base = mapped, base != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw RasterIOError(.io, "cannot map the new file for writing: \(String(cString: strerror(errno)))", file: path)
        }
        let buffer = UnsafeMutableRawBufferPointer(start: base, count: size)
        mapping = buffer
        self.size = size
        return buffer
    }

    private func unmap() {
        guard let mapping else { return }
        munmap(mapping.baseAddress, mapping.count)
        self.mapping = nil
    }

    /// Writes `buffer` at `offset`; `false` on an I/O error.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard let base = buffer.baseAddress, offset >= 0 else { return buffer.isEmpty }
        var done = 0
        while done < buffer.count {
            let n = pwrite(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        size = Swift.max(size, offset + buffer.count)
        return true
    }

    /// Appends `buffer` at the end.
    /// - Throws: ``RasterIOError`` `.io`.
    func append(_ buffer: UnsafeRawBufferPointer) throws {
        guard write(buffer, at: size) else {
            throw RasterIOError(.io, "cannot write: \(String(cString: strerror(errno)))", file: temporaryPath)
        }
    }

    /// Reads up to `buffer.count` bytes at `offset` of what was written; the count read, or -1.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        readFully(descriptor, at: offset, into: buffer)
    }

    /// Exactly `count` bytes at `offset` of what was written.
    /// - Throws: ``RasterIOError`` `.io`.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: Swift.max(count, 0))
        let n = result.withUnsafeMutableBytes { read(at: offset, into: $0) }
        guard n == count else { throw RasterIOError(.io, "cannot read back \(count) bytes at byte \(offset)", file: temporaryPath, offset: offset) }
        return result
    }

    /// Renames the temporary onto the destination. With `durable` (the default) the temporary is
    /// synced first and the folder after, so the new file survives a crash; without, readers
    /// still see the old file or the whole new one, but a crash soon after may lose the new one.
    /// - Throws: ``RasterIOError`` `.io`; the temporary is removed and the destination untouched.
    func commit(durable: Bool = true) throws {
        unmap()
        finished = true
        func fail(_ what: String) -> RasterIOError {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            return RasterIOError(.io, "\(what): \(reason)", file: path)
        }
        guard fchmod(descriptor, 0o644) == 0, !durable || fsync(descriptor) == 0 else {
            let error = fail("cannot sync the new file")
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw fail("cannot close the new file") }
        guard rename(temporaryPath, path) == 0 else { throw fail("cannot rename the new file into place") }
        guard durable else { return }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

/// Reads up to `buffer.count` bytes at `offset` of an open descriptor (`pread`, retried on EINTR
/// and short reads); the count read (less at the end of the file), or -1 on an I/O error.
private func readFully(_ descriptor: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    guard offset >= 0, let base = buffer.baseAddress else { return offset >= 0 ? 0 : -1 }
    var done = 0
    while done < buffer.count {
        let n = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
        if n < 0 {
            if errno == EINTR { continue }
            return -1
        }
        if n == 0 { break }
        done += n
    }
    return done
}
