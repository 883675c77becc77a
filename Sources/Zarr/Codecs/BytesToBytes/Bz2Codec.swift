public import MIFACore

/// numcodecs' `BZ2`: one or more bzip2 streams, as Python's `bz2` module writes and reads them.
///
/// ```json
/// {"name": "numcodecs.bz2", "configuration": {"level": 1}}     (zarr-python 3)
/// {"id": "bz2", "level": 1}                                    (v2 compressor)
/// ```
/// See https://numcodecs.readthedocs.io/en/stable/compression/bz2.html.
public struct Bz2Codec: BytesToBytesCodec {
    /// Block size in units of 100 kB, 1-9 (numcodecs' `level`).
    public let level: Int

    /// A codec with the given level.
    public init(level: Int = 1) {
        self.level = level
    }

    /// Reads `level` (numcodecs' default is 1).
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a level outside 1-9.
    public init(_ configuration: CodecConfiguration) throws {
        level = try configuration.int("level", default: 1, in: 1...9)
    }

    /// `numcodecs.bz2`.
    public var name: String { "numcodecs.bz2" }

    /// `{"level": ...}`.
    public var configuration: JSONObject { ["level": .number(JSONNumber(level))] }

    /// Binds (nothing depends on the chunk).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec {
        Bound(level: level)
    }

    struct Bound: BoundBytesToBytesCodec {
        let level: Int

        func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
            try decodeByCopying(input, into: output)
        }

        func decode(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
            try LibBzip2.decompress(input, limit: limit)
        }

        func encode(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
            try LibBzip2.compress(input, level: level)
        }
    }
}
