import MIFACore
import CZstd

/// The only place that calls libzstd (https://facebook.github.io/zstd/zstd_manual.html).
///
/// Every function takes and returns plain buffers; the callers (``ZstdCodec``, ``BloscCodec`` does
/// not use it) never see a C type. Decoding never allocates more than the caller's bound: a frame
/// that declares its content size is checked against the expected size before anything is
/// decompressed, and a frame without one is decoded by streaming into a buffer that stops growing
/// at the bound.
enum LibZstd {
    /// What a frame header says about the decoded size.
    enum ContentSize: Equatable {
        /// The header declares the decoded size of this single frame that spans the whole input.
        case known(Int)
        /// The input has no declared size, or holds several frames: decode by streaming.
        case unknown
    }

    /// The decoded size a single-frame input declares, or `.unknown` for streamed or multi-frame input.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the input is not a zstd frame at all.
    static func contentSize(of input: UnsafeRawBufferPointer) throws -> ContentSize {
        guard let base = input.baseAddress, input.count >= 4 else {
            throw ZarrError(.corruptChunk, "zstd data of \(input.count) bytes is too short to be a frame")
        }
        let declared = ZSTD_getFrameContentSize(base, input.count)
        if declared == UInt64.max - 1 {
            throw ZarrError(.corruptChunk, "zstd data does not start with a valid frame header")
        }
        let frameSize = ZSTD_findFrameCompressedSize(base, input.count)
        if ZSTD_isError(frameSize) != 0 {
            throw ZarrError(.corruptChunk, "zstd frame is truncated or corrupt: \(errorName(frameSize))")
        }
        guard declared != UInt64.max, frameSize == input.count, let size = Int(exactly: declared) else {
            return .unknown
        }
        return .known(size)
    }

    /// Decompression contexts kept for reuse, so that each chunk does not allocate and initialise
    /// a fresh one (`ZSTD_decompress` does). A context is used by one thread at a time: it is taken
    /// out of the pool under the lock and put back after use.
    final class DecoderPool: Sendable {
        private let contexts = LockedState<[ContextPointer]>([])
        private static let kept = 16

        /// A context pointer; only ever used by the thread that took it from the pool.
        struct ContextPointer: @unchecked Sendable {
            let pointer: OpaquePointer
        }

        init() {}

        deinit {
            contexts.withLock { for context in $0 { ZSTD_freeDCtx(context.pointer) } }
        }

        /// Runs `body` with a context of its own.
        func withContext<R>(_ body: (OpaquePointer?) throws -> R) rethrows -> R {
            let taken = contexts.withLock { $0.popLast() } ?? ZSTD_createDCtx().map(ContextPointer.init)
            defer {
                if let taken {
                    let kept = contexts.withLock { pool -> Bool in
                        guard pool.count < Self.kept else { return false }
                        pool.append(taken)
                        return true
                    }
                    if !kept { ZSTD_freeDCtx(taken.pointer) }
                }
            }
            return try body(taken?.pointer)
        }
    }

    /// Decodes a single frame whose declared size equals `output.count` straight into `output`,
    /// with a context from `pool` when given.
    /// - Throws: ``ZarrError`` `.corruptChunk` when decoding fails or yields another size.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, pool: DecoderPool? = nil) throws {
        guard let source = input.baseAddress else {
            throw ZarrError(.corruptChunk, "zstd data is empty")
        }
        // A zero-size destination still needs a valid pointer for libzstd.
        var empty: UInt8 = 0
        let written = withUnsafeMutablePointer(to: &empty) { fallback in
            let destination = output.baseAddress ?? UnsafeMutableRawPointer(fallback)
            guard let pool else { return ZSTD_decompress(destination, output.count, source, input.count) }
            return pool.withContext { context in
                guard let context else { return ZSTD_decompress(destination, output.count, source, input.count) }
                return ZSTD_decompressDCtx(context, destination, output.count, source, input.count)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw ZarrError(.corruptChunk, "zstd decoding failed: \(errorName(written))")
        }
        guard written == output.count else {
            throw ZarrError(.corruptChunk, "zstd frame decoded to \(written) bytes, expected \(output.count)")
        }
    }

    /// Decodes one or more frames by streaming, failing as soon as the output would exceed `limit`.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the data is corrupt, truncated, or decodes to more
    ///   than `limit` bytes.
    static func decompressStreaming(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        guard let stream = ZSTD_createDStream() else {
            throw ZarrError(.corruptChunk, "zstd: cannot create a decoding stream")
        }
        defer { ZSTD_freeDStream(stream) }
        _ = ZSTD_initDStream(stream)
        var result: [UInt8] = []
        let step = Swift.max(Int(ZSTD_DStreamOutSize()), 1)
        var block = [UInt8](repeating: 0, count: step)
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var lastReturn = 0
        while true {
            let consumedBefore = inBuffer.pos
            let (code, produced) = block.withUnsafeMutableBytes { out -> (Int, Int) in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let code = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                return (code, outBuffer.pos)
            }
            if ZSTD_isError(code) != 0 {
                throw ZarrError(.corruptChunk, "zstd decoding failed: \(errorName(code))")
            }
            guard result.count + produced <= limit else {
                throw ZarrError(.corruptChunk, "zstd data decodes to more than the \(limit) bytes expected")
            }
            result.append(contentsOf: block[0..<produced])
            lastReturn = code
            if inBuffer.pos == inBuffer.size && produced < step { break }
            if produced == 0 && inBuffer.pos == consumedBefore {
                throw ZarrError(.corruptChunk, "zstd decoding made no progress: the data is corrupt")
            }
        }
        guard lastReturn == 0 else {
            throw ZarrError(.corruptChunk, "zstd data is truncated: the last frame does not end")
        }
        return result
    }

    /// Compression contexts kept for reuse, all set to one level and checksum flag: creating and
    /// sizing a context per chunk costs as much as compressing a small chunk.
    final class EncoderPool: Sendable {
        private let contexts = LockedState<[DecoderPool.ContextPointer]>([])
        let level: Int
        let checksum: Bool
        let includeContentSize: Bool

        init(level: Int, checksum: Bool, includeContentSize: Bool = true) {
            self.level = level
            self.checksum = checksum
            self.includeContentSize = includeContentSize
        }

        deinit {
            contexts.withLock { for context in $0 { ZSTD_freeCCtx(context.pointer) } }
        }

        /// Runs `body` with a configured context of its own.
        func withContext<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
            let context: OpaquePointer
            if let pooled = contexts.withLock({ $0.popLast() }) {
                context = pooled.pointer
            } else {
                guard let fresh = ZSTD_createCCtx() else {
                    throw ZarrError(.corruptChunk, "zstd: cannot create a compression context")
                }
                var code = ZSTD_CCtx_setParameter(fresh, ZSTD_c_compressionLevel, Int32(clamping: level))
                if ZSTD_isError(code) == 0 { code = ZSTD_CCtx_setParameter(fresh, ZSTD_c_checksumFlag, checksum ? 1 : 0) }
                if ZSTD_isError(code) == 0 { code = ZSTD_CCtx_setParameter(fresh, ZSTD_c_contentSizeFlag, includeContentSize ? 1 : 0) }
                if ZSTD_isError(code) != 0 {
                    ZSTD_freeCCtx(fresh)
                    throw ZarrError(.invalidMetadata, "zstd refuses level \(level): \(errorName(code))")
                }
                context = fresh
            }
            defer {
                let kept = contexts.withLock { pool -> Bool in
                    guard pool.count < 16 else { return false }
                    pool.append(DecoderPool.ContextPointer(pointer: context))
                    return true
                }
                if !kept { ZSTD_freeCCtx(context) }
            }
            return try body(context)
        }
    }

    /// Compresses `input` into one frame at `level`, with an optional checksum; the content size is
    /// written unless `includeContentSize` is false (as streaming writers do).
    /// - Throws: ``ZarrError`` `.corruptChunk` when libzstd refuses the parameters.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int, checksum: Bool, includeContentSize: Bool = true) throws -> [UInt8] {
        try compress(input, pool: EncoderPool(level: level, checksum: checksum, includeContentSize: includeContentSize))
    }

    /// Compresses `input` into one frame with a context from `pool`.
    /// - Throws: ``ZarrError`` `.corruptChunk` when compression fails.
    static func compress(_ input: UnsafeRawBufferPointer, pool: EncoderPool) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var written = 0
        var empty: UInt8 = 0
        let output = try pool.withContext { context in
            try [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
                written = withUnsafeMutablePointer(to: &empty) { fallback in
                    ZSTD_compress2(context, buffer.baseAddress, buffer.count, input.baseAddress ?? UnsafeRawPointer(fallback), input.count)
                }
                if ZSTD_isError(written) != 0 {
                    initialized = 0
                    throw ZarrError(.corruptChunk, "zstd compression failed: \(errorName(written))")
                }
                initialized = written
            }
        }
        return output
    }

    /// The linked library's version as `major * 10000 + minor * 100 + patch` (1.5.7 is 10507).
    static var versionNumber: Int { Int(ZSTD_versionNumber()) }

    /// The linked library's version as text, for example "1.5.7".
    static var versionString: String { String(cString: ZSTD_versionString()) }

    /// The largest level libzstd accepts.
    static var maximumLevel: Int { Int(ZSTD_maxCLevel()) }

    /// The smallest (fastest, negative) level libzstd accepts.
    static var minimumLevel: Int { Int(ZSTD_minCLevel()) }

    private static func errorName(_ code: Int) -> String {
        String(cString: ZSTD_getErrorName(code))
    }
}
