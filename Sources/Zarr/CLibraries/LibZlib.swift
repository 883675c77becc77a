import CZlib
import MIFACore

/// The only place that calls zlib (https://www.zlib.net/manual.html): deflate and inflate in the
/// zlib (RFC 1950), gzip (RFC 1952) and raw deflate (RFC 1951) wrappings, and CRC-32.
///
/// Inflating never writes past the caller's buffer or limit: data that decodes to more than the
/// expected size is an error, not a larger allocation.
enum LibZlib {
    /// The wrapping around the deflate stream.
    enum Wrapping {
        /// RFC 1950 (2-byte header, Adler-32 trailer), as numcodecs `zlib` writes.
        case zlib
        /// RFC 1952 (10-byte header, CRC-32 and size trailer), as numcodecs `gzip` writes; several
        /// members may follow each other.
        case gzip
        /// Either of the two, detected from the header (for decoding only).
        case automatic
        /// RFC 1951 without any wrapping, as zip entries hold it.
        case raw

        var windowBits: Int32 {
            switch self {
            case .zlib: 15
            case .gzip: 15 + 16
            case .automatic: 15 + 32
            case .raw: -15
            }
        }
    }

    /// Inflates `input` into exactly `output.count` bytes.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the data is corrupt, truncated, or decodes to
    ///   another size than `output.count`.
    static func inflate(_ input: UnsafeRawBufferPointer, wrapping: Wrapping, into output: UnsafeMutableRawBufferPointer) throws {
        let written = try inflate(input, wrapping: wrapping, output: output)
        guard let written else {
            throw ZarrError(.corruptChunk, "deflate data decodes to more than the \(output.count) bytes expected")
        }
        guard written == output.count else {
            throw ZarrError(.corruptChunk, "deflate data decodes to \(written) bytes, expected \(output.count)")
        }
    }

    /// Inflates `input` when the decoded size is unknown, failing beyond `limit` bytes.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the data is corrupt, truncated, or exceeds `limit`.
    static func inflate(_ input: UnsafeRawBufferPointer, wrapping: Wrapping, limit: Int) throws -> [UInt8] {
        var capacity = Swift.min(limit, Swift.max(65_536, input.count.multipliedReportingOverflow(by: 4).partialValue))
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let written = try buffer.withUnsafeMutableBytes { try inflate(input, wrapping: wrapping, output: $0) }
            if let written {
                buffer.removeSubrange(written...)
                return buffer
            }
            guard capacity < limit else {
                throw ZarrError(.corruptChunk, "deflate data decodes to more than the \(limit) bytes this chunk can hold")
            }
            capacity = Swift.min(limit, capacity.multipliedReportingOverflow(by: 2).partialValue)
        }
    }

    /// Inflates into `output`; returns the bytes written, or `nil` when `output` is too small.
    private static func inflate(_ input: UnsafeRawBufferPointer, wrapping: Wrapping, output: UnsafeMutableRawBufferPointer) throws -> Int? {
        guard input.count <= Int(UInt32.max), output.count <= Int(UInt32.max) else {
            throw ZarrError(.corruptChunk, "deflate data or its decoded size exceeds 4 GiB")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, wrapping.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ZarrError(.corruptChunk, "zlib: cannot initialise inflate")
        }
        defer { inflateEnd(&stream) }
        var dummy: UInt8 = 0
        return try withUnsafeMutablePointer(to: &dummy) { fallback -> Int? in
            stream.next_in = UnsafeMutablePointer(mutating: (input.baseAddress ?? UnsafeRawPointer(fallback)).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = UInt32(input.count)
            stream.next_out = (output.baseAddress ?? UnsafeMutableRawPointer(fallback)).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(output.count)
            while true {
                let code = CZlib.inflate(&stream, Z_NO_FLUSH)
                let written = output.count - Int(stream.avail_out)
                switch code {
                case Z_STREAM_END:
                    // gzip allows several members, and zero padding after the last one (as Python's gzip reads).
                    if wrapping == .gzip || wrapping == .automatic {
                        while stream.avail_in > 0 && stream.next_in.pointee == 0 {
                            stream.next_in += 1
                            stream.avail_in -= 1
                        }
                        if stream.avail_in > 0 {
                            guard inflateReset(&stream) == Z_OK else {
                                throw ZarrError(.corruptChunk, "zlib: cannot reset inflate for the next gzip member")
                            }
                            continue
                        }
                    }
                    guard stream.avail_in == 0 else {
                        throw ZarrError(.corruptChunk, "\(stream.avail_in) bytes of garbage follow the end of the deflate stream")
                    }
                    return written
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if stream.avail_out == 0 { return nil }
                    throw ZarrError(.corruptChunk, "deflate data is truncated after \(input.count - Int(stream.avail_in)) bytes")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(code)"
                    throw ZarrError(.corruptChunk, "deflate data is corrupt: \(reason)",
                                    context: ErrorContext(offset: input.count - Int(stream.avail_in)))
                }
            }
        }
    }

    /// Deflates `input` with `level` (0-9, or -1 for zlib's default) in the given wrapping.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a level zlib refuses.
    static func deflate(_ input: UnsafeRawBufferPointer, level: Int, wrapping: Wrapping) throws -> [UInt8] {
        precondition(wrapping != .automatic, "choose a wrapping to write")
        guard input.count <= Int(UInt32.max) / 2 else {
            throw ZarrError(.invalidMetadata, "a chunk of \(input.count) bytes is too large for zlib")
        }
        var stream = z_stream()
        let initCode = deflateInit2_(&stream, Int32(clamping: level), Z_DEFLATED, wrapping.windowBits, 8, Z_DEFAULT_STRATEGY,
                                     zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else {
            throw ZarrError(.invalidMetadata, "zlib refuses compression level \(level)")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        var dummy: UInt8 = 0
        let code = output.withUnsafeMutableBytes { out in
            withUnsafeMutablePointer(to: &dummy) { fallback in
                stream.next_in = UnsafeMutablePointer(mutating: (input.baseAddress ?? UnsafeRawPointer(fallback)).assumingMemoryBound(to: Bytef.self))
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = UInt32(out.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard code == Z_STREAM_END else {
            throw ZarrError(.corruptChunk, "zlib deflate failed (error \(code))")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// CRC-32 (ISO 3309, as zip and gzip use) of `bytes`, continuing from `crc`.
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = UInt(crc)
        var offset = 0
        while offset < bytes.count {
            let length = Swift.min(bytes.count - offset, Int(UInt32.max))
            value = CZlib.crc32(value, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), UInt32(length))
            offset += length
        }
        return UInt32(truncatingIfNeeded: value)
    }
}
