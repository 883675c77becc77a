import MIFACore
import CLzma

/// The only place that calls liblzma (https://tukaani.org/xz/), for numcodecs' `LZMA` codec.
///
/// The containers are Python's `lzma` formats: `.xz` (several concatenated streams allowed, as
/// `lzma.decompress` reads them), the legacy `.lzma` ("alone") format, and automatic detection
/// of the two when decoding. Decoding stops with an error as soon as the output would exceed the
/// caller's bound, and the decoder's own memory (the dictionary a header asks for) is capped at
/// ``memoryLimit``, so a hostile header cannot make it allocate gigabytes.
enum LibLzma {
    /// A container format, numbered as Python's `lzma.FORMAT_*` constants.
    enum Container: Int, Sendable {
        /// `FORMAT_AUTO`: `.xz` or `.lzma`, detected when decoding; cannot encode.
        case automatic = 0
        /// `FORMAT_XZ`.
        case xz = 1
        /// `FORMAT_ALONE`: the legacy `.lzma` format.
        case alone = 2
    }

    /// The decoder's memory cap: four times the 64 MiB dictionary of preset 9, the largest any
    /// standard preset writes.
    static let memoryLimit: UInt64 = 256 << 20

    /// The flag that marks a preset as "extreme" (`lzma.PRESET_EXTREME`).
    static var extremeFlag: Int { Int(mifa_lzma_preset_extreme()) }

    /// Compresses `input` with a preset (0-9, optionally with ``extremeFlag``) and an integrity
    /// check (`lzma.CHECK_*`: 0 none, 1 CRC32, 4 CRC64, 10 SHA-256; `.xz` only).
    /// - Throws: ``ZarrError`` `.corruptChunk` when liblzma refuses the settings or fails.
    static func compress(_ input: UnsafeRawBufferPointer, container: Container, preset: Int, check: Int) throws -> [UInt8] {
        var stream = lzma_stream()
        defer { lzma_end(&stream) }
        let started: lzma_ret
        switch container {
        case .xz:
            started = lzma_easy_encoder(&stream, UInt32(preset), lzma_check(UInt32(check)))
        case .alone:
            var options = lzma_options_lzma()
            guard lzma_lzma_preset(&options, UInt32(preset)) == 0 else {
                throw ZarrError(.corruptChunk, "lzma: preset \(preset) is not supported by liblzma")
            }
            started = lzma_alone_encoder(&stream, &options)
        case .automatic:
            throw ZarrError(.corruptChunk, "lzma: format 0 (automatic) can only decode; write format 1 (.xz) or 2 (.lzma)")
        }
        guard started == LZMA_OK else {
            throw ZarrError(.corruptChunk, "lzma: liblzma refuses preset \(preset) with check \(check) (code \(started.rawValue))")
        }
        return try run(&stream, input, limit: Int.max, what: "lzma compression")
    }

    /// Decodes `input` in `container`, failing as soon as the output would exceed `limit` bytes.
    /// - Throws: ``ZarrError`` `.corruptChunk` for corrupt or truncated data, a header that needs more
    ///   than ``memoryLimit`` of decoder memory, or output beyond `limit`.
    static func decompress(_ input: UnsafeRawBufferPointer, container: Container, limit: Int) throws -> [UInt8] {
        var stream = lzma_stream()
        defer { lzma_end(&stream) }
        let started = switch container {
        case .xz: lzma_stream_decoder(&stream, memoryLimit, mifa_lzma_concatenated())
        case .alone: lzma_alone_decoder(&stream, memoryLimit)
        case .automatic: lzma_auto_decoder(&stream, memoryLimit, mifa_lzma_concatenated())
        }
        guard started == LZMA_OK else {
            throw ZarrError(.corruptChunk, "lzma: cannot start a decoder (liblzma code \(started.rawValue))")
        }
        return try run(&stream, input, limit: limit, what: "lzma data")
    }

    /// Feeds all of `input` to a started coder and collects its output up to `limit` bytes.
    private static func run(_ stream: inout lzma_stream, _ input: UnsafeRawBufferPointer, limit: Int, what: String) throws -> [UInt8] {
        var result: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        stream.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.avail_in = input.count
        while true {
            let (code, produced) = block.withUnsafeMutableBytes { out -> (lzma_ret, Int) in
                stream.next_out = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = out.count
                let code = lzma_code(&stream, LZMA_FINISH)
                return (code, out.count - stream.avail_out)
            }
            guard result.count + produced <= limit else {
                throw ZarrError(.corruptChunk, "\(what) decodes to more than the \(limit) bytes this chunk can hold")
            }
            result.append(contentsOf: block[..<produced])
            switch code {
            case LZMA_OK:
                continue
            case LZMA_STREAM_END:
                return result
            case LZMA_MEMLIMIT_ERROR:
                throw ZarrError(.corruptChunk, "\(what) needs more than \(memoryLimit >> 20) MiB of decoder memory, more than any standard preset")
            case LZMA_BUF_ERROR:
                throw ZarrError(.corruptChunk, "\(what) is truncated: the stream does not end")
            case LZMA_FORMAT_ERROR:
                throw ZarrError(.corruptChunk, "\(what) is not in the expected container format")
            default:
                throw ZarrError(.corruptChunk, "\(what) is corrupt (liblzma code \(code.rawValue))")
            }
        }
    }
}
