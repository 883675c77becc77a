public import MIFACore

/// `gzip`: deflate in the gzip wrapping (RFC 1952).
///
/// ```json
/// {"name": "gzip", "configuration": {"level": 5}}
/// {"id": "gzip", "level": 5}                                   (v2 compressor)
/// ```
/// Decoding also accepts the zlib wrapping and several gzip members, as Python's `gzip` does;
/// it never produces more than the expected size.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/codecs/gzip/index.html and
/// https://numcodecs.readthedocs.io/en/stable/compression/gzip.html.
public struct GzipCodec: BytesToBytesCodec {
    /// Compression level 0-9.
    public let level: Int

    /// A codec with the given level.
    public init(level: Int = 5) {
        self.level = level
    }

    /// Reads `level`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a level outside 0-9.
    public init(_ configuration: CodecConfiguration) throws {
        level = try configuration.int("level", default: 1, in: 0...9)
    }

    /// `gzip`.
    public var name: String { "gzip" }

    /// `{"level": ...}`.
    public var configuration: JSONObject { ["level": .number(JSONNumber(level))] }

    /// Binds (nothing depends on the chunk).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec {
        DeflateBound(level: level, wrapping: .gzip)
    }
}

/// A deflate codec in one wrapping, shared by ``GzipCodec`` and ``ZlibCodec``.
struct DeflateBound: BoundBytesToBytesCodec {
    let level: Int
    let wrapping: LibZlib.Wrapping

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        try LibZlib.inflate(input, wrapping: .automatic, into: output)
    }

    func decode(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        try LibZlib.inflate(input, wrapping: .automatic, limit: limit)
    }

    func encode(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        try LibZlib.deflate(input, level: level, wrapping: wrapping)
    }
}
