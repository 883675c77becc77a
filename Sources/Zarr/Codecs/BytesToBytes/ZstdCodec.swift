public import MIFACore

/// `zstd`: Zstandard frames.
///
/// ```json
/// {"name": "zstd", "configuration": {"level": 3, "checksum": false}}
/// {"id": "zstd", "level": 3}                                   (v2 compressor)
/// ```
/// A frame that declares its content size is checked against the expected size before anything is
/// decompressed; frames without one (streaming writers) are decoded by streaming into a bounded buffer.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/codecs/zstd/index.html and
/// https://numcodecs.readthedocs.io/en/stable/compression/zstd.html.
public struct ZstdCodec: BytesToBytesCodec {
    /// Compression level (negative levels are fast modes).
    public let level: Int
    /// Whether frames carry a content checksum.
    public let checksum: Bool

    /// A codec with the given level and checksum flag.
    public init(level: Int = 3, checksum: Bool = false) {
        self.level = level
        self.checksum = checksum
    }

    /// Reads `level` and `checksum`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a level outside libzstd's range.
    public init(_ configuration: CodecConfiguration) throws {
        level = try configuration.int("level", default: 0, in: LibZstd.minimumLevel...LibZstd.maximumLevel)
        checksum = try configuration.bool("checksum", default: false)
    }

    /// `zstd`.
    public var name: String { "zstd" }

    /// `{"level": ..., "checksum": ...}`.
    public var configuration: JSONObject {
        ["level": .number(JSONNumber(level)), "checksum": .bool(checksum)]
    }

    /// Binds (nothing depends on the chunk).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec {
        Bound(level: level, checksum: checksum, pool: LibZstd.DecoderPool(), encoders: LibZstd.EncoderPool(level: level, checksum: checksum))
    }

    struct Bound: BoundBytesToBytesCodec {
        let level: Int
        let checksum: Bool
        let pool: LibZstd.DecoderPool
        let encoders: LibZstd.EncoderPool

        func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
            switch try LibZstd.contentSize(of: input) {
            case .known(let size):
                guard size == output.count else {
                    throw ZarrError(.corruptChunk, "zstd frame declares \(size) bytes, the chunk needs \(output.count)")
                }
                try LibZstd.decompress(input, into: output, pool: pool)
            case .unknown:
                try decodeByCopying(input, into: output)
            }
        }

        func decode(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
            if case .known(let size) = try LibZstd.contentSize(of: input) {
                guard size <= limit else {
                    throw ZarrError(.corruptChunk, "zstd frame declares \(size) bytes, more than the \(limit) this chunk can hold")
                }
                var output = [UInt8](repeating: 0, count: size)
                try output.withUnsafeMutableBytes { try LibZstd.decompress(input, into: $0, pool: pool) }
                return output
            }
            return try LibZstd.decompressStreaming(input, limit: limit)
        }

        func encode(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
            try LibZstd.compress(input, pool: encoders)
        }
    }
}
