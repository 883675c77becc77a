import CBlosc
import MIFACore

/// The only place that calls c-blosc 1.x (https://www.blosc.org/pages/blosc-in-depth/).
///
/// Only the thread-safe context functions are used (`blosc_compress_ctx`, `blosc_decompress_ctx`
/// with one internal thread), so no global Blosc state is touched and any number of threads may
/// call in at once. A frame's 16-byte header is validated before decoding: its `cbytes` must equal
/// the buffer length and its `nbytes` the size the caller expects, so a header that lies can neither
/// make Blosc read past the input nor make the caller allocate what it claims.
enum LibBlosc {
    /// The sizes a Blosc 1 header declares.
    struct Header: Equatable {
        /// Decoded size.
        var nbytes: Int
        /// Encoded size including the header.
        var cbytes: Int
        /// Block size used by the encoder.
        var blocksize: Int
    }

    /// Length of the Blosc 1 header.
    static let headerLength = 16

    /// Reads and validates the header of a Blosc frame that should span all of `input`.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the input is shorter than a header, its `cbytes`
    ///   differs from the input length, or its sizes are impossible.
    static func header(of input: UnsafeRawBufferPointer) throws -> Header {
        guard let base = input.baseAddress, input.count >= headerLength else {
            throw ZarrError(.corruptChunk, "blosc data of \(input.count) bytes is shorter than the 16-byte header")
        }
        var nbytes = 0
        var cbytes = 0
        var blocksize = 0
        blosc_cbuffer_sizes(base, &nbytes, &cbytes, &blocksize)
        guard cbytes == input.count else {
            throw ZarrError(.corruptChunk, "blosc header says the frame is \(cbytes) bytes, but the chunk holds \(input.count)",
                            context: ErrorContext(offset: 12))
        }
        var validated = 0
        guard blosc_cbuffer_validate(base, input.count, &validated) == 0, validated == nbytes else {
            throw ZarrError(.corruptChunk, "blosc header declares impossible sizes (nbytes \(nbytes), cbytes \(cbytes))",
                            context: ErrorContext(offset: 4))
        }
        let version = input.load(fromByteOffset: 0, as: UInt8.self)
        guard version >= 1, version <= 3 else {
            throw ZarrError(.corruptChunk, "blosc header has format version \(version); only Blosc 1 frames (versions 1-3) can be read",
                            context: ErrorContext(offset: 0))
        }
        return Header(nbytes: nbytes, cbytes: cbytes, blocksize: blocksize)
    }

    /// Decodes a frame whose header declares exactly `output.count` bytes straight into `output`.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the header lies about either size or the data is corrupt.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        let header = try header(of: input)
        guard header.nbytes == output.count else {
            throw ZarrError(.corruptChunk, "blosc header says the chunk decodes to \(header.nbytes) bytes, expected \(output.count)",
                            context: ErrorContext(offset: 4))
        }
        guard output.count > 0, let destination = output.baseAddress, let source = input.baseAddress else { return }
        let written = blosc_decompress_ctx(source, destination, output.count, 1)
        guard written == output.count else {
            throw ZarrError(.corruptChunk, written < 0
                ? "blosc decoding failed (error \(written)): the chunk is corrupt"
                : "blosc decoded \(written) bytes, expected \(output.count)")
        }
    }

    /// The decoded size of a frame, validated, for a caller that has no expected size but a limit.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the header is invalid or declares more than `limit`.
    static func decodedSize(of input: UnsafeRawBufferPointer, limit: Int) throws -> Int {
        let header = try header(of: input)
        guard header.nbytes <= limit else {
            throw ZarrError(.corruptChunk, "blosc header declares \(header.nbytes) bytes, more than the \(limit) this chunk can hold",
                            context: ErrorContext(offset: 4))
        }
        return header.nbytes
    }

    /// Compresses `input` with the given compressor name, level, shuffle mode (0 none, 1 byte,
    /// 2 bit), element size and block size (0 = automatic).
    /// - Throws: ``ZarrError`` `.invalidMetadata` for an unknown compressor, `.corruptChunk` when
    ///   Blosc fails.
    static func compress(_ input: UnsafeRawBufferPointer, compressor: String, level: Int, shuffle: Int,
                         typesize: Int, blocksize: Int) throws -> [UInt8] {
        guard input.count <= Int(Int32.max) - headerLength else {
            throw ZarrError(.invalidMetadata, "a chunk of \(input.count) bytes is larger than Blosc 1 can compress (2 GiB)")
        }
        guard blosc_compname_to_compcode(compressor) >= 0 else {
            throw ZarrError(.unsupportedExtension, "blosc compressor '\(compressor)' is not available in this c-blosc build")
        }
        var empty: UInt8 = 0
        // No zero fill: Blosc writes the first `written` bytes, and only those are kept.
        return try [UInt8](unsafeUninitializedCapacity: input.count + headerLength) { out, initialized in
            let written = withUnsafeMutablePointer(to: &empty) { fallback in
                blosc_compress_ctx(Int32(clamping: level), Int32(clamping: shuffle), typesize, input.count,
                                   input.baseAddress ?? UnsafeRawPointer(fallback), out.baseAddress, out.count,
                                   compressor, blocksize, 1)
            }
            guard written > 0 else {
                initialized = 0
                throw ZarrError(.corruptChunk, "blosc compression failed (error \(written))")
            }
            initialized = Int(written)
        }
    }

    /// Whether this c-blosc build has the named compressor (`blosclz`, `lz4`, `lz4hc`, `snappy`,
    /// `zlib`, `zstd`).
    static func hasCompressor(_ name: String) -> Bool {
        blosc_compname_to_compcode(name) >= 0
    }
}
