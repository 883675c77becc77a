/// Finds codecs by name: v3 names and v2 (numcodecs) ids are aliases of the same factory, so the
/// array never switches over codec names itself.
///
/// ``standard`` knows `bytes`, `vlen-utf8`, `vlen-bytes`, `transpose`, `sharding_indexed`, `blosc`, `zstd`, `gzip`, `crc32c`,
/// `numcodecs.zlib` (`zlib`), `numcodecs.bz2` (`bz2`), `numcodecs.lzma` (`lzma`) and
/// `numcodecs.delta` (`delta`). Register more on a copy:
/// ```swift
/// var registry = CodecRegistry.standard
/// registry.register(["my.codec"]) { configuration, _ in .bytesToBytes(try MyCodec(configuration)) }
/// ```
public struct CodecRegistry: Sendable {
    /// A configured codec of one of the three kinds.
    public enum Codec: Sendable {
        /// Array to array.
        case arrayToArray(any ArrayToArrayCodec)
        /// Array to bytes.
        case arrayToBytes(any ArrayToBytesCodec)
        /// Bytes to bytes.
        case bytesToBytes(any BytesToBytesCodec)
    }

    /// Makes a configured codec from its configuration; the registry is passed on for codecs that
    /// hold nested chains.
    public typealias Factory = @Sendable (CodecConfiguration, CodecRegistry) throws -> Codec

    private var factories: [String: Factory] = [:]

    /// An empty registry.
    public init() {}

    /// The codecs MIFAKit implements.
    public static let standard: CodecRegistry = {
        var registry = CodecRegistry()
        registry.register(["bytes", "endian"]) { .arrayToBytes(try BytesCodec($0)) }
        registry.register(["vlen-utf8", "vlen-bytes"]) { .arrayToBytes(try VlenCodec($0)) }
        registry.register(["transpose"]) { .arrayToArray(try TransposeCodec($0)) }
        registry.register(["sharding_indexed"]) { .arrayToBytes(try ShardingCodec($0, registry: $1)) }
        registry.register(["blosc", "numcodecs.blosc"]) { .bytesToBytes(try BloscCodec($0)) }
        registry.register(["zstd", "numcodecs.zstd"]) { .bytesToBytes(try ZstdCodec($0)) }
        registry.register(["gzip", "numcodecs.gzip"]) { .bytesToBytes(try GzipCodec($0)) }
        registry.register(["numcodecs.zlib", "zlib"]) { .bytesToBytes(try ZlibCodec($0)) }
        registry.register(["numcodecs.bz2", "bz2"]) { .bytesToBytes(try Bz2Codec($0)) }
        registry.register(["numcodecs.lzma", "lzma"]) { .bytesToBytes(try LzmaCodec($0)) }
        registry.register(["crc32c", "numcodecs.crc32c"]) { .bytesToBytes(try Crc32cCodec($0)) }
        registry.register(["numcodecs.delta", "delta"]) { .arrayToArray(try DeltaCodec($0)) }
        return registry
    }()

    /// Registers a factory under one or more names (a v3 name and its v2 id).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public mutating func register(_ names: [String], _ factory: @escaping @Sendable (CodecConfiguration) throws -> Codec) {
        for name in names { factories[name] = { configuration, _ in try factory(configuration) } }
    }

    /// Registers a factory that needs the registry (for nested codec chains).
    public mutating func register(_ names: [String], _ factory: @escaping Factory) {
        for name in names { factories[name] = factory }
    }

    /// Whether a codec of this name is known.
    public func knows(_ name: String) -> Bool { factories[name] != nil }

    /// The configured codec for a description.
    /// - Throws: ``ZarrError`` `.unsupportedExtension` for an unknown name, `.invalidMetadata` for
    ///   a configuration the codec refuses.
    public func codec(for description: CodecDescription, file: String? = nil) throws -> Codec {
        let configuration = CodecConfiguration(description, file: file)
        guard let factory = factories[description.name] else {
            throw ZarrError(.unsupportedExtension,
                            "codec '\(description.name)' is not supported; supported are \(factories.keys.sorted().joined(separator: ", "))",
                            context: .init(file: file, pointer: description.pointer))
        }
        return try factory(configuration, self)
    }

    /// The typed chain for a list of descriptions: array-to-array codecs, exactly one
    /// array-to-bytes codec, then bytes-to-bytes codecs.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the order is wrong or the array-to-bytes codec
    ///   is missing or repeated; errors of ``codec(for:file:)``.
    public func chain(_ descriptions: [CodecDescription], file: String? = nil) throws -> CodecChain {
        var arrayToArray: [any ArrayToArrayCodec] = []
        var arrayToBytes: (any ArrayToBytesCodec)?
        var bytesToBytes: [any BytesToBytesCodec] = []
        for description in descriptions {
            func misplaced(_ what: String) -> ZarrError {
                ZarrError(.invalidMetadata, "codec '\(description.name)' is \(what); codecs must be array-to-array, then one array-to-bytes, then bytes-to-bytes",
                          context: .init(file: file, pointer: description.pointer))
            }
            switch try codec(for: description, file: file) {
            case .arrayToArray(let codec):
                guard arrayToBytes == nil else { throw misplaced("array-to-array but follows the array-to-bytes codec") }
                arrayToArray.append(codec)
            case .arrayToBytes(let codec):
                guard arrayToBytes == nil else { throw misplaced("a second array-to-bytes codec") }
                arrayToBytes = codec
            case .bytesToBytes(let codec):
                guard arrayToBytes != nil else { throw misplaced("bytes-to-bytes but comes before the array-to-bytes codec") }
                bytesToBytes.append(codec)
            }
        }
        guard let arrayToBytes else {
            throw ZarrError(.invalidMetadata, "the codecs have no array-to-bytes codec (such as \"bytes\")", context: .init(file: file))
        }
        return CodecChain(arrayToArray: arrayToArray, arrayToBytes: arrayToBytes, bytesToBytes: bytesToBytes)
    }
}
