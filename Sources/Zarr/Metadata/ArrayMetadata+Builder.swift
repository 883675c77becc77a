public import MIFACore

extension ArrayMetadata {
    /// The compressor of a new array, in terms both versions can say.
    public enum Compressor: Sendable, Hashable, CustomStringConvertible {
        /// No compression.
        case none
        /// Zstandard at a level.
        case zstd(level: Int)
        /// Blosc with a compressor name, level and shuffle.
        case blosc(cname: String, clevel: Int, shuffle: BloscCodec.Shuffle)
        /// gzip at a level.
        case gzip(level: Int)
        /// zlib at a level (`numcodecs.zlib` in v3).
        case zlib(level: Int)

        /// Parses `none`, `zstd:5`, `blosc:lz4:5:shuffle`, `gzip:6` or `zlib:1` (levels optional).
        /// - Throws: ``ZarrError`` `.invalidMetadata` naming what is wrong.
        public init(parsing text: String) throws {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func level(_ index: Int, default value: Int, _ range: ClosedRange<Int>) throws -> Int {
                guard index < parts.count else { return value }
                guard let level = Int(parts[index]), range.contains(level) else {
                    throw ZarrError(.invalidMetadata, "codec '\(text)': level '\(parts[index])' must be an integer in \(range.lowerBound)...\(range.upperBound)")
                }
                return level
            }
            switch parts[0] {
            case "none", "raw":
                guard parts.count == 1 else { throw ZarrError(.invalidMetadata, "codec '\(text)': 'none' takes no options") }
                self = .none
            case "zstd":
                guard parts.count <= 2 else { throw ZarrError(.invalidMetadata, "codec '\(text)': use zstd:LEVEL") }
                self = .zstd(level: try level(1, default: 3, LibZstd.minimumLevel...LibZstd.maximumLevel))
            case "gzip":
                guard parts.count <= 2 else { throw ZarrError(.invalidMetadata, "codec '\(text)': use gzip:LEVEL") }
                self = .gzip(level: try level(1, default: 5, 0...9))
            case "zlib":
                guard parts.count <= 2 else { throw ZarrError(.invalidMetadata, "codec '\(text)': use zlib:LEVEL") }
                self = .zlib(level: try level(1, default: 1, 0...9))
            case "blosc":
                guard parts.count <= 4 else { throw ZarrError(.invalidMetadata, "codec '\(text)': use blosc:CNAME:LEVEL:SHUFFLE") }
                let cname = parts.count > 1 ? parts[1] : "lz4"
                guard BloscCodec.compressorNames.contains(cname), LibBlosc.hasCompressor(cname) else {
                    throw ZarrError(.invalidMetadata, "codec '\(text)': blosc compressor '\(cname)' is not one of blosclz, lz4, lz4hc, zlib, zstd")
                }
                let shuffleName = parts.count > 3 ? parts[3] : "shuffle"
                guard let shuffle = BloscCodec.Shuffle(rawValue: shuffleName) else {
                    throw ZarrError(.invalidMetadata, "codec '\(text)': shuffle '\(shuffleName)' must be noshuffle, shuffle or bitshuffle")
                }
                self = .blosc(cname: cname, clevel: try level(2, default: 5, 0...9), shuffle: shuffle)
            default:
                throw ZarrError(.invalidMetadata, "codec '\(text)' is not one of none, zstd:LEVEL, blosc:CNAME:LEVEL:SHUFFLE, gzip:LEVEL, zlib:LEVEL")
            }
        }

        /// The text form, e.g. `blosc:lz4:5:shuffle`.
        public var description: String {
            switch self {
            case .none: "none"
            case .zstd(let level): "zstd:\(level)"
            case .blosc(let cname, let clevel, let shuffle): "blosc:\(cname):\(clevel):\(shuffle.rawValue)"
            case .gzip(let level): "gzip:\(level)"
            case .zlib(let level): "zlib:\(level)"
            }
        }

        /// The codec description in the form `format` writes (numcodecs ids and forms for v2).
        func codecDescription(format: ZarrFormat, elementSize: Int) -> CodecDescription? {
            switch (self, format) {
            case (.none, _): return nil
            case (.zstd(let level), .v3): return CodecDescription(name: "zstd", configuration: ["level": .number(JSONNumber(level)), "checksum": false])
            case (.zstd(let level), .v2): return CodecDescription(name: "zstd", configuration: ["level": .number(JSONNumber(level))])
            case (.gzip(let level), _): return CodecDescription(name: "gzip", configuration: ["level": .number(JSONNumber(level))])
            case (.zlib(let level), .v3): return CodecDescription(name: "numcodecs.zlib", configuration: ["level": .number(JSONNumber(level))])
            case (.zlib(let level), .v2): return CodecDescription(name: "zlib", configuration: ["level": .number(JSONNumber(level))])
            case (.blosc(let cname, let clevel, let shuffle), .v3):
                return CodecDescription(name: "blosc", configuration: [
                    "cname": .string(cname), "clevel": .number(JSONNumber(clevel)), "shuffle": .string(shuffle.rawValue),
                    "typesize": .number(JSONNumber(elementSize)), "blocksize": 0,
                ])
            case (.blosc(let cname, let clevel, let shuffle), .v2):
                return CodecDescription(name: "blosc", configuration: [
                    "cname": .string(cname), "clevel": .number(JSONNumber(clevel)), "shuffle": .number(JSONNumber(shuffle.code)), "blocksize": 0,
                ])
            }
        }
    }

    /// Metadata for a new array from the choices a user makes: version, chunks, optional shards
    /// (v3), compressor and memory order.
    ///
    /// v3 arrays get `[transpose?] bytes compressor`, or with shards one `sharding_indexed` codec
    /// whose inner chunks use those codecs and whose index is `bytes` + `crc32c` at the end, as
    /// zarr-python writes. v2 arrays get `order` and one numcodecs compressor.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for ranks that differ, shards that are not a
    ///   multiple of the chunks, or shards in v2.
    public static func make(format: ZarrFormat = .v3, shape: [Int], dataType: ZarrDataType, chunks: [Int], shards: [Int]? = nil,
                            compressor: Compressor = .zstd(level: 3), order: MemoryOrder = .rowMajor, fillValue: FillValue? = nil,
                            dimensionNames: [String?]? = nil, attributes: JSONObject = JSONObject()) throws -> ArrayMetadata {
        guard chunks.count == shape.count else {
            throw ZarrError(.invalidMetadata, "chunks \(chunks) have \(chunks.count) axes but the array has \(shape.count)")
        }
        var codecs: [CodecDescription] = []
        if order == .columnMajor && shape.count > 1 {
            codecs.append(CodecDescription(name: "transpose", configuration: ["order": .array((0..<shape.count).reversed().map { .number(JSONNumber($0)) })]))
        }
        var bytes = JSONObject()
        if dataType.swapUnit > 1 || format == .v3 { bytes["endian"] = "little" }
        codecs.append(CodecDescription(name: "bytes", configuration: bytes))
        if let compressor = compressor.codecDescription(format: format, elementSize: dataType.byteSize) { codecs.append(compressor) }
        var chunkShape = chunks
        if let shards {
            guard format == .v3 else { throw ZarrError(.invalidMetadata, "shards need Zarr v3; use --zarr-format 3") }
            guard shards.count == shape.count, zip(shards, chunks).allSatisfy({ $1 > 0 && $0 % $1 == 0 }) else {
                throw ZarrError(.invalidMetadata, "shards \(shards) must have one extent per axis, each a multiple of the chunk extent \(chunks)")
            }
            let sharding = CodecDescription(name: "sharding_indexed", configuration: [
                "chunk_shape": .array(chunks.map { .number(JSONNumber($0)) }),
                "codecs": .array(codecs.map(\.json)),
                "index_codecs": [["name": "bytes", "configuration": ["endian": "little"]], ["name": "crc32c"]],
                "index_location": "end",
            ])
            codecs = [sharding]
            chunkShape = shards
        }
        return try ArrayMetadata(format: format, shape: shape, dataType: dataType, chunkShape: chunkShape, fillValue: fillValue,
                                 codecs: codecs, attributes: attributes, dimensionNames: dimensionNames)
    }
}
