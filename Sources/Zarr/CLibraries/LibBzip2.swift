import MIFACore
import CBzip2

/// The only place that calls libbz2 (https://sourceware.org/bzip2/manual/manual.html).
///
/// Decoding reads one or more concatenated streams, as Python's `bz2.decompress` (and so numcodecs'
/// `BZ2`) does, and stops with an error as soon as the output would exceed the caller's bound;
/// nothing a stream header claims is allocated up front.
enum LibBzip2 {
    /// The largest input one call hands to libbz2, whose counters are 32-bit.
    private static let maximumInput = Int(UInt32.max)

    /// Compresses `input` into one stream with blocks of `level` x 100 kB (1-9).
    /// - Throws: ``ZarrError`` `.corruptChunk` when libbz2 fails or the input is too large for it.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int) throws -> [UInt8] {
        guard input.count < maximumInput else {
            throw ZarrError(.corruptChunk, "bz2 cannot compress a chunk of \(input.count) bytes (at most 4 GiB)")
        }
        // The bound from the bzip2 manual: 1% larger plus 600 bytes.
        let capacity = input.count + input.count / 100 + 601
        var output = [UInt8](repeating: 0, count: capacity)
        var written = UInt32(capacity)
        var empty: UInt8 = 0
        let code = output.withUnsafeMutableBytes { out in
            withUnsafeMutablePointer(to: &empty) { fallback in
                let source = UnsafeMutableRawPointer(mutating: input.baseAddress) ?? UnsafeMutableRawPointer(fallback)
                return BZ2_bzBuffToBuffCompress(out.baseAddress?.assumingMemoryBound(to: CChar.self), &written,
                                                source.assumingMemoryBound(to: CChar.self), UInt32(input.count),
                                                Int32(level), 0, 0)
            }
        }
        guard code == BZ_OK else {
            throw ZarrError(.corruptChunk, "bz2 compression failed (libbz2 code \(code))")
        }
        output.removeSubrange(Int(written)...)
        return output
    }

    /// Decodes every stream in `input`, failing as soon as the output would exceed `limit` bytes.
    /// - Throws: ``ZarrError`` `.corruptChunk` for corrupt or truncated data, trailing bytes that are
    ///   not a stream, or output beyond `limit`.
    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        guard input.count < maximumInput else {
            throw ZarrError(.corruptChunk, "bz2 data of \(input.count) bytes is too large to decode (at most 4 GiB)")
        }
        var result: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        while consumed < input.count {
            consumed += try decompressStream(input, from: consumed, limit: limit, into: &result, block: &block)
        }
        return result
    }

    /// Decodes the one stream that starts at `offset`, appending to `result`; returns the bytes it read.
    private static func decompressStream(_ input: UnsafeRawBufferPointer, from offset: Int, limit: Int,
                                         into result: inout [UInt8], block: inout [UInt8]) throws -> Int {
        var stream = bz_stream()
        guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else {
            throw ZarrError(.corruptChunk, "bz2: cannot start a decoder")
        }
        defer { BZ2_bzDecompressEnd(&stream) }
        let remaining = input.count - offset
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { ($0 + offset).assumingMemoryBound(to: CChar.self) })
        stream.avail_in = UInt32(remaining)
        while true {
            let (code, produced) = block.withUnsafeMutableBytes { out -> (Int32, Int) in
                stream.next_out = out.baseAddress?.assumingMemoryBound(to: CChar.self)
                stream.avail_out = UInt32(out.count)
                let code = BZ2_bzDecompress(&stream)
                return (code, out.count - Int(stream.avail_out))
            }
            guard code == BZ_OK || code == BZ_STREAM_END else {
                throw ZarrError(.corruptChunk, "bz2 data at byte \(offset) is corrupt (libbz2 code \(code))")
            }
            guard result.count + produced <= limit else {
                throw ZarrError(.corruptChunk, "bz2 data decodes to more than the \(limit) bytes this chunk can hold")
            }
            result.append(contentsOf: block[..<produced])
            if code == BZ_STREAM_END {
                return remaining - Int(stream.avail_in)
            }
            if produced == 0, stream.avail_in == 0 {
                throw ZarrError(.corruptChunk, "bz2 data is truncated: the stream at byte \(offset) does not end")
            }
        }
    }
}
