public import MIFACore

/// What a codec sees of a chunk: its shape, element type and fill value.
///
/// Array-to-array codecs may change it (a transpose permutes the shape); the array-to-bytes codec
/// turns it into bytes. See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#codecs.
public struct ChunkRepresentation: Sendable, Hashable {
    /// Chunk extent per axis.
    public var shape: [Int]
    /// Element type.
    public var dataType: ZarrDataType
    /// Fill value.
    public var fillValue: FillValue

    /// A representation from its parts.
    public init(shape: [Int], dataType: ZarrDataType, fillValue: FillValue) {
        self.shape = shape
        self.dataType = dataType
        self.fillValue = fillValue
    }

    /// Elements in one chunk (the shape is validated before any representation is made).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes of one decoded chunk.
    public var byteCount: Int { elementCount * dataType.byteSize }
}

/// A configured codec: its name and configuration have been read and checked.
///
/// A codec is configured (from metadata), then bound to a chunk representation once, then used for
/// every chunk. Codecs are synchronous, CPU-bound and `Sendable`; the caller decides how many
/// chunks run at once.
public protocol ZarrCodec: Sendable {
    /// The v3 name, e.g. `zstd`, `sharding_indexed`, `numcodecs.zlib`.
    var name: String { get }
    /// The v3 configuration, as written to `zarr.json`.
    var configuration: JSONObject { get }
}

extension ZarrCodec {
    /// Name and configuration as metadata writes them.
    public var codecDescription: CodecDescription {
        CodecDescription(name: name, configuration: configuration)
    }
}

/// A codec that turns an array into another array (transpose, delta).
public protocol ArrayToArrayCodec: ZarrCodec {
    /// Checks the codec against the chunk it will see and returns its bound form.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the configuration does not fit the chunk.
    func bind(to decoded: ChunkRepresentation) throws -> any BoundArrayToArrayCodec
}

/// An array-to-array codec bound to one chunk representation.
///
/// Two kinds exist: a pure axis permutation (``permutation`` set, no element work, applied by
/// reading the buffer with permuted strides) and an element-wise transform over the buffer in its
/// memory order (``permutation`` `nil`).
public protocol BoundArrayToArrayCodec: Sendable {
    /// The representation after encoding.
    var encoded: ChunkRepresentation { get }
    /// For a transpose: encoded axis `j` is decoded axis `permutation[j]`.
    var permutation: [Int]? { get }
    /// Undoes the transform in place on a buffer in the encoded memory order.
    /// - Throws: ``ZarrError`` `.corruptChunk`.
    func decodeInPlace(_ buffer: UnsafeMutableRawBufferPointer) throws
    /// Applies the transform in place.
    /// - Throws: ``ZarrError`` `.corruptChunk`.
    func encodeInPlace(_ buffer: UnsafeMutableRawBufferPointer) throws
}

/// The codec that turns an array into bytes (`bytes`, `sharding_indexed`); exactly one per chain.
public protocol ArrayToBytesCodec: ZarrCodec {
    /// Checks the codec against the chunk and returns its bound form.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the configuration does not fit the chunk.
    func bind(to decoded: ChunkRepresentation) throws -> any BoundArrayToBytesCodec
}

/// An array-to-bytes codec bound to one chunk representation.
public protocol BoundArrayToBytesCodec: Sendable {
    /// The encoded size when it is always the same.
    var encodedSize: Int? { get }
    /// An upper bound of the encoded size, used to bound decoders of later codecs.
    var maximumEncodedSize: Int { get }
    /// Whether the encoded bytes are the chunk's elements in C order and native byte order, so the
    /// codec before it can decode straight into the chunk buffer.
    var isNativeLayout: Bool { get }
    /// Decodes `input` into `chunk`, the chunk's elements in C order and native byte order.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the input does not decode to exactly one chunk.
    func decode(_ input: UnsafeRawBufferPointer, into chunk: UnsafeMutableRawBufferPointer) throws
    /// Encodes a chunk; `nil` when nothing needs storing (a shard whose inner chunks are all empty).
    /// - Throws: ``ZarrError`` when encoding fails.
    func encode(_ chunk: UnsafeRawBufferPointer) throws -> [UInt8]?
}

/// A codec that turns bytes into bytes (compressors, checksums).
public protocol BytesToBytesCodec: ZarrCodec {
    /// Checks the codec against the chunk and returns its bound form.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the configuration does not fit the chunk.
    func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec
}

/// A bytes-to-bytes codec bound to one chunk representation.
public protocol BoundBytesToBytesCodec: Sendable {
    /// The encoded size of `decodedSize` bytes when it is fixed (checksums), else `nil`.
    func encodedSize(forDecodedSize decodedSize: Int) -> Int?
    /// An upper bound of the encoded size of `decodedSize` bytes.
    func maximumEncodedSize(forDecodedSize decodedSize: Int) -> Int
    /// Decodes into exactly `output.count` bytes, checking declared sizes before decompressing.
    /// - Throws: ``ZarrError`` `.corruptChunk` or `.checksumMismatch`.
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
    /// Decodes when the size is not known, never producing more than `limit` bytes.
    /// - Throws: ``ZarrError`` `.corruptChunk` or `.checksumMismatch`.
    func decode(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8]
    /// For codecs that decode by cutting bytes off (checksums): the verified part of `input`.
    /// - Throws: ``ZarrError`` `.checksumMismatch` or `.corruptChunk`.
    func decodedView(_ input: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer?
    /// Encodes `input`.
    /// - Throws: ``ZarrError`` when encoding fails.
    func encode(_ input: UnsafeRawBufferPointer) throws -> [UInt8]
}

extension BoundBytesToBytesCodec {
    /// Variable-size by default.
    public func encodedSize(forDecodedSize decodedSize: Int) -> Int? { nil }

    /// Not a trimming codec by default.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func decodedView(_ input: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? { nil }

    /// A compressor's bound: the input plus an eighth plus 1 KiB, beyond what zstd, blosc and
    /// deflate can expand incompressible data by.
    public func maximumEncodedSize(forDecodedSize decodedSize: Int) -> Int {
        decodedSize.addingReportingOverflow(decodedSize / 8 + 1024).partialValue
    }

    /// Decodes by decoding with a limit of `output.count` and checking the size.
    /// - Throws: ``ZarrError`` `.corruptChunk` when the size differs.
    public func decodeByCopying(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        let bytes = try decode(input, limit: output.count)
        guard bytes.count == output.count else {
            throw ZarrError(.corruptChunk, "chunk decodes to \(bytes.count) bytes, expected \(output.count)")
        }
        bytes.withUnsafeBytes { output.copyMemory(from: $0) }
    }
}
