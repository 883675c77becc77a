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

    /// Opens `path` for reading (MIFACore's ``RegularFile``: a FIFO, folder or device is refused
    /// before a byte is read).
    /// - Throws: ``RasterIOError`` `.io` when the file is missing, unreadable or not a regular file.
    init(path: String) throws {
        do {
            (descriptor, size) = try RegularFile.openForReading(path, followingLinks: true)
        } catch let error as CoreError {
            throw RasterIOError(.io, error.message, file: path)
        }
        self.path = path
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes starting at `offset`; returns the count read (less at the
    /// end of the file) or -1 on an I/O error.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        RegularFile.read(descriptor, into: buffer, at: offset)
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
            throw RasterIOError(.tooLarge, "\(path) has \(file.size) bytes, more than the limit of \(byteCountText(maxBytes)); if the file is genuine, raise the limit (mifa: --max-memory \(ReadLimits.suggestion(for: file.size)); Swift: ReadLimits.maxBytes)", file: path)
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

extension LayerError where C == RasterIOErrorCode {
    /// What `body` returns; a MIFACore error it throws (writing a file through `AtomicFileWriter`
    /// or `AtomicFile`) is thrown as a raster `.io` error naming `file`, with the same message.
    /// - Throws: ``RasterIOError`` `.io`; other errors as `body` throws them.
    static func translatingIO<T>(_ file: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CoreError {
            throw RasterIOError(.io, error.message, file: file)
        }
    }
}
