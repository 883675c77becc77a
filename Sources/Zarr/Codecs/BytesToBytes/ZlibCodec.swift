public import MIFACore

/// `numcodecs.zlib` (v2 compressor id `zlib`): deflate in the zlib wrapping (RFC 1950).
///
/// ```json
/// {"id": "zlib", "level": 1}                                           (v2 compressor)
/// {"name": "numcodecs.zlib", "configuration": {"level": 1}}            (v3, zarr-python)
/// ```
/// See https://numcodecs.readthedocs.io/en/stable/compression/zlib.html.
public struct ZlibCodec: BytesToBytesCodec {
    /// Compression level 0-9.
    public let level: Int

    /// A codec with the given level.
    public init(level: Int = 1) {
        self.level = level
    }

    /// Reads `level`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a level outside -1...9.
    public init(_ configuration: CodecConfiguration) throws {
        level = try configuration.int("level", default: 1, in: -1...9)
    }

    /// `numcodecs.zlib`.
    public var name: String { "numcodecs.zlib" }

    /// `{"level": ...}`.
    public var configuration: JSONObject { ["level": .number(JSONNumber(level))] }

    /// Binds (nothing depends on the chunk).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec {
        DeflateBound(level: level, wrapping: .zlib)
    }
}
