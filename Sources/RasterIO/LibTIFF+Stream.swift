#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MIFACore

// The byte streams and message logs behind libtiff handles (see LibTIFF.swift, which owns the
// callbacks that use them). Part of RasterIO's thin libtiff wrapper.

/// libtiff's error and warning messages for one handle, collected by the per-handle handlers that
/// `TIFFOpenOptionsSetErrorHandlerExtR` installs (so nothing is printed and nothing is global).
final class TIFFMessageLog {
    private(set) var errors: [String] = []
    private(set) var warnings: [String] = []

    func record(_ text: String, isError: Bool) {
        if isError {
            if errors.count < 16 { errors.append(text) }
        } else if warnings.count < 16 {
            warnings.append(text)
        }
    }

    /// The errors collected since the last call, joined, or `nil` when there were none.
    func takeErrors() -> String? {
        guard !errors.isEmpty else { return nil }
        defer { errors.removeAll() }
        return errors.joined(separator: "; ")
    }

    /// Forgets collected errors and warnings.
    func clear() {
        errors.removeAll()
        warnings.removeAll()
    }

    /// The first warning since the last ``clear()`` saying that a tag's value could not be read
    /// (libtiff ignores such tags; for RasterIO they mean the file is cut short or damaged).
    var unreadableTagWarning: String? {
        warnings.first { $0.contains("IO error during reading of") || $0.contains("Failed to read") || $0.contains("Cannot read") }
    }
}

/// The bytes behind a libtiff handle: a file or a buffer to read, a growing buffer to write, or
/// a file to write (pixels go to disk as they are encoded, so writing needs no copy of the file).
final class TIFFStream {
    enum Source {
        case file(POSIXFile)
        case memory([UInt8])
        case output
        case outputFile(AtomicFileWriter)
    }

    let source: Source
    private(set) var output: [UInt8] = []
    /// Why the last write to an output file failed (libtiff only learns that it did: -1).
    private(set) var writeError: CoreError?
    private var position: UInt64 = 0

    init(_ source: Source) { self.source = source }

    var size: UInt64 {
        switch source {
        case .file(let file): UInt64(file.size)
        case .memory(let bytes): UInt64(bytes.count)
        case .output: UInt64(output.count)
        case .outputFile(let file): UInt64(file.size)
        }
    }

    /// Reads exactly `buffer.count` bytes at `offset` into `buffer`, without moving the position.
    /// - Throws: ``RasterIOError`` `.truncated` when the bytes end first, `.io` on a read error or
    ///   for a stream being written.
    func readRaw(at offset: Int, into buffer: UnsafeMutableRawBufferPointer, name: String) throws {
        guard offset >= 0, offset <= Int(size), buffer.count <= Int(size) - offset else {
            throw RasterIOError(.truncated, "needs \(buffer.count) bytes at byte \(offset) but there are \(size)", file: name, offset: offset)
        }
        switch source {
        case .file(let file):
            let n = file.read(at: offset, into: buffer)
            guard n == buffer.count else {
                throw RasterIOError(.io, "read only \(Swift.max(n, 0)) of \(buffer.count) bytes at byte \(offset)", file: name, offset: offset)
            }
        case .memory(let bytes):
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + buffer.count)])) }
        case .output, .outputFile:
            throw RasterIOError(.io, "cannot read pixels from a TIFF being written", file: name)
        }
    }

    /// Up to `count` bytes at `offset` (fewer at the end), without moving the position.
    func peek(at offset: Int, count: Int) -> [UInt8] {
        let available = Swift.max(0, Swift.min(count, Int(size) - offset))
        guard offset >= 0, available > 0 else { return [] }
        switch source {
        case .file(let file): return (try? file.read(at: offset, count: available)) ?? []
        case .memory(let bytes): return Array(bytes[offset..<(offset + available)])
        case .output: return Array(output[offset..<(offset + available)])
        case .outputFile(let file):
            var bytes = [UInt8](repeating: 0, count: available)
            return bytes.withUnsafeMutableBytes { file.read(at: offset, into: $0) } == available ? bytes : []
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int64 {
        guard position < size else { return 0 }
        let start = Int(position)
        let count = Swift.min(buffer.count, Int(size) - start)
        var done = count
        switch source {
        case .file(let file): done = file.read(at: start, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        case .memory(let bytes): bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
        case .output: output.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
        case .outputFile(let file): done = file.read(at: start, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        }
        if done > 0 { position += UInt64(done) }
        return Int64(done)
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> Int64 {
        if case .outputFile(let file) = source {
            guard position <= UInt64(Int.max - buffer.count) else { return -1 }
            do throws(CoreError) {
                try file.write(buffer, at: Int(position))
            } catch {
                writeError = error
                return -1
            }
            position += UInt64(buffer.count)
            return Int64(buffer.count)
        }
        guard case .output = source, position <= UInt64(Int.max - buffer.count) else { return -1 }
        let start = Int(position)
        if start > output.count { output.append(contentsOf: repeatElement(0, count: start - output.count)) }
        let overlap = Swift.min(buffer.count, output.count - start)
        if overlap > 0 {
            output.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: start).copyMemory(from: buffer.baseAddress!, byteCount: overlap) }
        }
        if overlap < buffer.count { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[overlap...])) }
        position += UInt64(buffer.count)
        return Int64(buffer.count)
    }

    func seek(_ offset: UInt64, whence: Int32) -> UInt64 {
        let base: Int64
        switch whence {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = Int64(clamping: position)
        case SEEK_END: base = Int64(clamping: size)
        default: return UInt64.max
        }
        let delta = whence == SEEK_SET ? Int64(clamping: offset) : Int64(bitPattern: offset)
        let (target, overflow) = base.addingReportingOverflow(delta)
        guard !overflow, target >= 0 else { return UInt64.max }
        position = UInt64(target)
        return position
    }
}
