public import MIFACore

/// `blosc` (c-blosc 1.x): a blocked, shuffling meta-compressor.
///
/// ```json
/// {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 2, "blocksize": 0}}
/// {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}          (v2 compressor)
/// ```
/// v2 `shuffle` is a number: 0 none, 1 byte, 2 bit, -1 automatic (bit shuffle for one-byte
/// elements, byte shuffle otherwise, as numcodecs decides). `typesize` defaults to the element size.
/// Decoding checks the frame header first: its `cbytes` must equal the stored length and its
/// `nbytes` the expected size.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/codecs/blosc/index.html and
/// https://numcodecs.readthedocs.io/en/stable/compression/blosc.html.
public struct BloscCodec: BytesToBytesCodec {
    /// Shuffle modes.
    public enum Shuffle: String, Sendable, Hashable, CaseIterable {
        /// No shuffle.
        case noshuffle
        /// Byte shuffle.
        case shuffle
        /// Bit shuffle.
        case bitshuffle

        var code: Int {
            switch self {
            case .noshuffle: 0
            case .shuffle: 1
            case .bitshuffle: 2
            }
        }
    }

    /// The compressors c-blosc 1 knows.
    public static let compressorNames = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"]

    /// Compressor name.
    public let cname: String
    /// Compression level 0-9.
    public let clevel: Int
    /// Shuffle mode; `nil` means automatic (v2 `-1`).
    public let shuffle: Shuffle?
    /// Element size for shuffling; `nil` means the chunk's element size.
    public let typesize: Int?
    /// Block size in bytes, 0 for automatic.
    public let blocksize: Int

    /// A codec with the given settings.
    public init(cname: String = "lz4", clevel: Int = 5, shuffle: Shuffle? = .shuffle, typesize: Int? = nil, blocksize: Int = 0) {
        self.cname = cname
        self.clevel = clevel
        self.shuffle = shuffle
        self.typesize = typesize
        self.blocksize = blocksize
    }

    /// Reads the v3 or v2 configuration.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for an unknown compressor, a level outside 0-9, an
    ///   unknown shuffle, or a negative size.
    public init(_ configuration: CodecConfiguration) throws {
        cname = try configuration.string("cname", default: "lz4", allowed: Self.compressorNames)
        clevel = try configuration.int("clevel", default: 5, in: 0...9)
        switch configuration["shuffle"] {
        case nil, .null?: shuffle = nil
        case .string(let text)?:
            guard let mode = Shuffle(rawValue: text) else {
                throw configuration.error("'shuffle' must be \"noshuffle\", \"shuffle\" or \"bitshuffle\", found \"\(text)\"", member: "shuffle")
            }
            shuffle = mode
        default:
            switch try configuration.int("shuffle", in: -1...2) {
            case 0: shuffle = .noshuffle
            case 1: shuffle = .shuffle
            case 2: shuffle = .bitshuffle
            default: shuffle = nil
            }
        }
        let size = try configuration.int("typesize", default: 0, in: 0...Int(Int32.max))
        typesize = size == 0 ? nil : size
        blocksize = try configuration.int("blocksize", default: 0, in: 0...Int(Int32.max))
        guard LibBlosc.hasCompressor(cname) else {
            throw configuration.error("compressor '\(cname)' is not available in this c-blosc build", member: "cname", kind: .unsupportedExtension)
        }
    }

    /// `blosc`.
    public var name: String { "blosc" }

    /// The v3 configuration.
    public var configuration: JSONObject {
        var object: JSONObject = ["cname": .string(cname), "clevel": .number(JSONNumber(clevel)), "blocksize": .number(JSONNumber(blocksize))]
        object["shuffle"] = .string((shuffle ?? .shuffle).rawValue)
        if let typesize { object["typesize"] = .number(JSONNumber(typesize)) }
        return object
    }

    /// Resolves automatic shuffle and type size from the chunk's element size.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec {
        let size = typesize ?? decoded.dataType.byteSize
        let mode = shuffle ?? (decoded.dataType.byteSize == 1 ? .bitshuffle : .shuffle)
        return Bound(cname: cname, clevel: clevel, shuffle: mode.code, typesize: size, blocksize: blocksize)
    }

    struct Bound: BoundBytesToBytesCodec {
        let cname: String
        let clevel: Int
        let shuffle: Int
        let typesize: Int
        let blocksize: Int

        func maximumEncodedSize(forDecodedSize decodedSize: Int) -> Int {
            decodedSize.addingReportingOverflow(LibBlosc.headerLength + 1024).partialValue
        }

        func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
            try LibBlosc.decompress(input, into: output)
        }

        func decode(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
            let size = try LibBlosc.decodedSize(of: input, limit: limit)
            var output = [UInt8](repeating: 0, count: size)
            try output.withUnsafeMutableBytes { try LibBlosc.decompress(input, into: $0) }
            return output
        }

        func encode(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
            try LibBlosc.compress(input, compressor: cname, level: clevel, shuffle: shuffle,
                                  typesize: typesize > 255 ? 1 : typesize, blocksize: blocksize)
        }
    }
}
