public import MIFACore

/// `sharding_indexed`: one stored object (a shard) holds a grid of inner chunks, each encoded with
/// its own codecs, followed (or preceded) by an index of `(offset, nbytes)` pairs.
///
/// ```json
/// {"name": "sharding_indexed", "configuration": {
///   "chunk_shape": [256, 256],
///   "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 3}}],
///   "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
///   "index_location": "end"}}
/// ```
/// The index holds one little-endian `uint64` pair per inner chunk in C order; `2^64-1` in both
/// marks an empty inner chunk. See https://zarr-specs.readthedocs.io/en/latest/v3/codecs/sharding-indexed/index.html.
public struct ShardingCodec: ArrayToBytesCodec {
    /// Inner chunk shape.
    public let chunkShape: [Int]
    /// The inner chunks' codecs.
    public let codecs: CodecChain
    /// The index's codecs (fixed size: `bytes`, optionally `crc32c`).
    public let indexCodecs: CodecChain
    /// Whether the index follows the chunks (`end`, the default) or precedes them (`start`).
    public let indexAtEnd: Bool

    /// A sharding codec from its parts.
    public init(chunkShape: [Int], codecs: CodecChain, indexCodecs: CodecChain? = nil, indexAtEnd: Bool = true) {
        self.chunkShape = chunkShape
        self.codecs = codecs
        self.indexCodecs = indexCodecs ?? CodecChain(arrayToBytes: BytesCodec(endian: .little), bytesToBytes: [Crc32cCodec()])
        self.indexAtEnd = indexAtEnd
    }

    /// Reads the configuration, building the nested chains with `registry`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a missing or invalid member; errors of the nested codecs.
    public init(_ configuration: CodecConfiguration, registry: CodecRegistry) throws {
        guard case .array(let items)? = configuration["chunk_shape"] else {
            throw configuration.error("'chunk_shape' must be a list of positive integers", member: "chunk_shape")
        }
        let shape = items.compactMap { $0.numberValue?.intValue }
        guard shape.count == items.count, shape.allSatisfy({ $0 > 0 }) else {
            throw configuration.error("'chunk_shape' must be a list of positive integers", member: "chunk_shape")
        }
        chunkShape = shape
        guard let inner = try configuration.codecs("codecs") else {
            throw configuration.error("the configuration member 'codecs' is missing", member: "codecs")
        }
        codecs = try registry.chain(inner, file: configuration.file)
        if let index = try configuration.codecs("index_codecs") {
            indexCodecs = try registry.chain(index, file: configuration.file)
        } else {
            indexCodecs = CodecChain(arrayToBytes: BytesCodec(endian: .little), bytesToBytes: [Crc32cCodec()])
        }
        indexAtEnd = try configuration.string("index_location", default: "end", allowed: ["start", "end"]) == "end"
    }

    /// `sharding_indexed`.
    public var name: String { "sharding_indexed" }

    /// The v3 configuration.
    public var configuration: JSONObject {
        [
            "chunk_shape": .array(chunkShape.map { .number(JSONNumber($0)) }),
            "codecs": .array(codecs.descriptions.map(\.json)),
            "index_codecs": .array(indexCodecs.descriptions.map(\.json)),
            "index_location": .string(indexAtEnd ? "end" : "start"),
        ]
    }

    /// Binds the inner and index chains.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the shard shape is not a multiple of the
    ///   inner chunk shape or the index codecs do not have a fixed size.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundArrayToBytesCodec {
        guard chunkShape.count == decoded.shape.count else {
            throw ZarrError(.invalidMetadata, "sharding chunk_shape \(chunkShape) has rank \(chunkShape.count), the shard has rank \(decoded.shape.count)")
        }
        guard zip(decoded.shape, chunkShape).allSatisfy({ $0 % $1 == 0 }) else {
            throw ZarrError(.invalidMetadata, "shard shape \(decoded.shape) is not a multiple of the inner chunk shape \(chunkShape)")
        }
        let perShard = zip(decoded.shape, chunkShape).map { $0 / $1 }
        let innerChain = try codecs.bind(to: ChunkRepresentation(shape: chunkShape, dataType: decoded.dataType, fillValue: decoded.fillValue))
        let indexChain = try indexCodecs.bind(to: ChunkRepresentation(shape: perShard + [2], dataType: .uint64,
                                                                      fillValue: FillValue(UInt64.max)))
        guard let indexSize = indexChain.encodedSize else {
            throw ZarrError(.invalidMetadata, "sharding index_codecs must produce a fixed size (bytes and crc32c only)")
        }
        return BoundShardingCodec(shardShape: decoded.shape, chunksPerShard: perShard, inner: innerChain, index: indexChain,
                                  indexSize: indexSize, indexAtEnd: indexAtEnd)
    }
}
