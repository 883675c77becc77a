import TestSupport
import MIFACore
import Testing
@testable import Zarr

@Suite struct CodecTests {
    static let registry = CodecRegistry.standard

    static func bound(_ description: CodecDescription, type: ZarrDataType = .uint16, count: Int) throws -> any BoundBytesToBytesCodec {
        guard case .bytesToBytes(let codec) = try registry.codec(for: description) else { throw ZarrError(.invalidMetadata, "not bytes-to-bytes") }
        return try codec.bind(to: ChunkRepresentation(shape: [count], dataType: type, fillValue: .zero(for: type)))
    }

    @Test func crc32cKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // Slicing-by-8 agrees with the bytewise loop at every length and alignment.
        var generator = SeededGenerator(seed: 3)
        let data = generator.bytes(300)
        for length in [1, 7, 8, 9, 63, 64, 65, 299] {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in data.prefix(length) {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0x82F6_3B78) }
            }
            #expect(CRC32C.checksum(Array(data.prefix(length))) == crc ^ 0xFFFF_FFFF)
        }
    }

    static let compressors: [CodecDescription] = [
        TestCodecs.zstd(1), TestCodecs.zstd(19), TestCodecs.gzip(1), TestCodecs.gzip(9),
        CodecDescription(name: "zlib", configuration: ["level": 6]),
        TestCodecs.crc32c,
        CodecDescription(name: "bz2", configuration: ["level": 1]),
        CodecDescription(name: "numcodecs.bz2", configuration: ["level": 9]),
        CodecDescription(name: "lzma", configuration: ["format": 1, "check": -1, "preset": .null, "filters": .null]),
        CodecDescription(name: "numcodecs.lzma", configuration: ["format": 2, "check": -1, "preset": 1]),
        CodecDescription(name: "lzma", configuration: ["format": 1, "check": 10, "preset": 0]),
    ] + ["blosclz", "lz4", "lz4hc", "zlib", "zstd"].flatMap { cname in
        ["noshuffle", "shuffle", "bitshuffle"].map { TestCodecs.blosc(cname, shuffle: $0) }
    } + [-1, 0, 1, 2].map { shuffle in
        CodecDescription(name: "blosc", configuration: ["cname": "lz4", "clevel": 5, "shuffle": .number(JSONNumber(shuffle)), "blocksize": 0])
    }

    @Test(arguments: compressors) func bytesToBytesRoundTrip(_ description: CodecDescription) throws {
        var generator = SeededGenerator(seed: 11)
        for data in [generator.bytes(4096), generator.compressibleBytes(65_536), [UInt8](repeating: 9, count: 2), []] {
            let codec = try Self.bound(description, count: data.count / 2)
            let encoded = try data.withUnsafeBytes { try codec.encode($0) }
            var decoded = [UInt8](repeating: 0, count: data.count)
            try encoded.withUnsafeBytes { input in try decoded.withUnsafeMutableBytes { try codec.decode(input, into: $0) } }
            #expect(decoded == data)
            #expect(try encoded.withUnsafeBytes { try codec.decode($0, limit: data.count) } == data)
            #expect(encoded.count <= codec.maximumEncodedSize(forDecodedSize: data.count))
        }
    }

    /// bz2 and lzma as Python's modules read them: concatenated streams, automatic format detection,
    /// and never more output or decoder memory than the bounds allow.
    @Test func bz2AndLzmaStreamsAndBounds() throws {
        var generator = SeededGenerator(seed: 23)
        let data = generator.compressibleBytes(100_000)
        let bz2 = try Self.bound(CodecDescription(name: "bz2", configuration: ["level": 5]), count: data.count / 2)
        let xz = try Self.bound(CodecDescription(name: "lzma", configuration: [:]), count: data.count / 2)
        let alone = try Self.bound(CodecDescription(name: "lzma", configuration: ["format": 2]), count: data.count / 2)
        let automatic = try Self.bound(CodecDescription(name: "lzma", configuration: ["format": 0]), count: data.count / 2)
        for codec in [bz2, xz] {
            let half = data.count / 2
            let joined = try data[..<half].withUnsafeBytes { try codec.encode($0) } + data[half...].withUnsafeBytes { try codec.encode($0) }
            #expect(try joined.withUnsafeBytes { try codec.decode($0, limit: data.count) } == data)
            // One byte less room than the data needs: refused, not truncated.
            #expect(throws: ZarrError.self) { try joined.withUnsafeBytes { try codec.decode($0, limit: data.count - 1) } }
            let whole = try data.withUnsafeBytes { try codec.encode($0) }
            for cut in [1, whole.count / 2, whole.count - 1] {
                #expect(throws: ZarrError.self) { try Array(whole[..<cut]).withUnsafeBytes { try codec.decode($0, limit: data.count) } }
            }
            var damaged = whole
            damaged[whole.count / 2] ^= 0xFF
            #expect(throws: ZarrError.self) { try damaged.withUnsafeBytes { try codec.decode($0, limit: data.count) } }
            #expect(throws: ZarrError.self) { try (whole + [1, 2, 3]).withUnsafeBytes { try codec.decode($0, limit: data.count) } }
        }
        for writer in [xz, alone] {
            let encoded = try data.withUnsafeBytes { try writer.encode($0) }
            #expect(try encoded.withUnsafeBytes { try automatic.decode($0, limit: data.count) } == data)
        }
        #expect(throws: ZarrError.self) { try data.withUnsafeBytes { try automatic.encode($0) } }
        // A .lzma header asking for a 4 GiB dictionary is refused before the decoder allocates it.
        var header = try data.withUnsafeBytes { try alone.encode($0) }
        header.replaceSubrange(1..<5, with: [0xFF, 0xFF, 0xFF, 0xFF])
        let refused = #expect(throws: ZarrError.self) { try header.withUnsafeBytes { try alone.decode($0, limit: data.count) } }
        #expect(refused?.message.contains("decoder memory") == true)
    }

    @Test func zstdFramesWithoutContentSizeAreStreamed() throws {
        var generator = SeededGenerator(seed: 5)
        let data = generator.compressibleBytes(300_000)
        let frame = try data.withUnsafeBytes { try LibZstd.compress($0, level: 3, checksum: true, includeContentSize: false) }
        #expect(try frame.withUnsafeBytes { try LibZstd.contentSize(of: $0) } == .unknown)
        let codec = try Self.bound(TestCodecs.zstd(), count: data.count / 2)
        var decoded = [UInt8](repeating: 0, count: data.count)
        try frame.withUnsafeBytes { input in try decoded.withUnsafeMutableBytes { try codec.decode(input, into: $0) } }
        #expect(decoded == data)
        // More than expected: refused, whatever the frame says.
        var small = [UInt8](repeating: 0, count: data.count - 1)
        #expect(throws: ZarrError.self) {
            try frame.withUnsafeBytes { input in try small.withUnsafeMutableBytes { try codec.decode(input, into: $0) } }
        }
        // Two frames back to back decode as their concatenation.
        let twice = frame + frame
        #expect(try twice.withUnsafeBytes { try codec.decode($0, limit: 2 * data.count) } == data + data)
        // Truncated.
        #expect(throws: ZarrError.self) { try Array(frame.dropLast(5)).withUnsafeBytes { try codec.decode($0, limit: data.count) } }
    }

    /// `make deps` installs libzstd >= 1.5.7 (Debian 13's on Debian 12): 1.5.4's compressor does ~26%
    /// less per CPU second, too little for zstd writes to keep up with tensorstore (BENCHMARKS.md).
    @Test func linkedLibzstdIsAtLeast157() {
        #expect(LibZstd.versionNumber >= 10507,
                "the build linked libzstd \(LibZstd.versionString); zstd writes need >= 1.5.7: run `make deps`, then rebuild")
    }

    @Test func zstdDeclaredSizeIsCheckedBeforeDecoding() throws {
        let data = [UInt8](repeating: 1, count: 1000)
        let frame = try data.withUnsafeBytes { try LibZstd.compress($0, level: 3, checksum: false) }
        let codec = try Self.bound(TestCodecs.zstd(), count: 400)
        var wrong = [UInt8](repeating: 0, count: 800)
        let error = #expect(throws: ZarrError.self) {
            try frame.withUnsafeBytes { input in try wrong.withUnsafeMutableBytes { try codec.decode(input, into: $0) } }
        }
        #expect(error?.message.contains("declares 1000 bytes") == true)
        #expect(throws: ZarrError.self) { try frame.withUnsafeBytes { try codec.decode($0, limit: 999) } }
    }

    @Test func bloscHeadersThatLieAreRefused() throws {
        var generator = SeededGenerator(seed: 9)
        let data = generator.compressibleBytes(10_000)
        let codec = try Self.bound(TestCodecs.blosc(), count: 5000)
        let frame = try data.withUnsafeBytes { try codec.encode($0) }
        func decode(_ bytes: [UInt8], size: Int = 10_000) throws {
            var out = [UInt8](repeating: 0, count: size)
            try bytes.withUnsafeBytes { input in try out.withUnsafeMutableBytes { try codec.decode(input, into: $0) } }
        }
        try decode(frame)
        func patched(_ offset: Int, _ value: UInt32) -> [UInt8] {
            var copy = frame
            withUnsafeBytes(of: value.littleEndian) { for i in 0..<4 { copy[offset + i] = $0[i] } }
            return copy
        }
        // nbytes says more than the chunk holds: refused before decompressing.
        #expect(throws: ZarrError.self) { try decode(patched(4, 1 << 30)) }
        #expect(throws: ZarrError.self) { try patched(4, 1 << 30).withUnsafeBytes { try codec.decode($0, limit: 20_000) } }
        // cbytes differs from the stored length.
        #expect(throws: ZarrError.self) { try decode(patched(12, UInt32(frame.count + 100))) }
        #expect(throws: ZarrError.self) { try decode(Array(frame.dropLast(3))) }
        // Too short for a header, wrong expected size.
        #expect(throws: ZarrError.self) { try decode([2, 1, 0]) }
        #expect(throws: ZarrError.self) { try decode(frame, size: 9_999) }
    }

    @Test func deflateVariants() throws {
        var generator = SeededGenerator(seed: 2)
        let data = generator.compressibleBytes(20_000)
        let codec = try Self.bound(TestCodecs.gzip(), count: 10_000)
        let member = try data.withUnsafeBytes { try LibZlib.deflate($0, level: 6, wrapping: .gzip) }
        let zlib = try data.withUnsafeBytes { try LibZlib.deflate($0, level: 6, wrapping: .zlib) }
        #expect(try zlib.withUnsafeBytes { try codec.decode($0, limit: 20_000) } == data)
        #expect(try (member + member).withUnsafeBytes { try codec.decode($0, limit: 40_000) } == data + data)
        #expect(try (member + [0, 0, 0]).withUnsafeBytes { try codec.decode($0, limit: 20_000) } == data)
        #expect(throws: ZarrError.self) { try Array(member.dropLast(9)).withUnsafeBytes { try codec.decode($0, limit: 20_000) } }
        #expect(throws: ZarrError.self) { try member.withUnsafeBytes { try codec.decode($0, limit: 19_999) } }
        var corrupt = member
        corrupt[20] ^= 0xFF
        #expect(throws: ZarrError.self) { try corrupt.withUnsafeBytes { try codec.decode($0, limit: 20_000) } }
    }

    @Test func crc32cDetectsDamage() throws {
        let codec = try Self.bound(TestCodecs.crc32c, count: 2)
        let encoded = try [UInt8]([1, 2, 3, 4]).withUnsafeBytes { try codec.encode($0) }
        #expect(encoded.count == 8)
        var damaged = encoded
        damaged[1] ^= 1
        let error = #expect(throws: ZarrError.self) { try damaged.withUnsafeBytes { try codec.decode($0, limit: 4) } }
        #expect(error?.kind == .checksumMismatch)
        #expect(throws: ZarrError.self) { try [UInt8]([1, 2]).withUnsafeBytes { try codec.decode($0, limit: 4) } }
    }

    @Test func chainOrderIsEnforced() throws {
        #expect(throws: ZarrError.self) { try Self.registry.chain([TestCodecs.zstd(), TestCodecs.bytes()]) }
        #expect(throws: ZarrError.self) { try Self.registry.chain([TestCodecs.bytes(), TestCodecs.transpose([0])]) }
        #expect(throws: ZarrError.self) { try Self.registry.chain([TestCodecs.bytes(), TestCodecs.bytes()]) }
        #expect(throws: ZarrError.self) { try Self.registry.chain([TestCodecs.zstd()]) }
        let unknown = #expect(throws: ZarrError.self) { try Self.registry.chain([TestCodecs.bytes(), CodecDescription(name: "imagecodecs_jpeg2k")]) }
        #expect(unknown?.kind == .unsupportedExtension)
        let chain = try Self.registry.chain([TestCodecs.transpose([1, 0]), TestCodecs.bytes(), TestCodecs.zstd(), TestCodecs.crc32c])
        #expect(chain.arrayToArray.count == 1 && chain.bytesToBytes.count == 2)
        #expect(chain.descriptions.map(\.name) == ["transpose", "bytes", "zstd", "crc32c"])
    }

    @Test func configurationsAreValidatedWhenRead() throws {
        let bad: [CodecDescription] = [
            CodecDescription(name: "blosc", configuration: ["cname": "lz5", "clevel": 5, "shuffle": "shuffle"]),
            CodecDescription(name: "blosc", configuration: ["cname": "lz4", "clevel": 12, "shuffle": "shuffle"]),
            CodecDescription(name: "blosc", configuration: ["cname": "lz4", "clevel": 5, "shuffle": "sideways"]),
            CodecDescription(name: "zstd", configuration: ["level": "high"]),
            CodecDescription(name: "gzip", configuration: ["level": 10]),
            CodecDescription(name: "bytes", configuration: ["endian": "middle"]),
            CodecDescription(name: "transpose", configuration: ["order": "sideways"]),
            CodecDescription(name: "delta", configuration: ["dtype": "<i4", "astype": "<i2"]),
            CodecDescription(name: "sharding_indexed", configuration: ["chunk_shape": [0, 4], "codecs": []]),
            CodecDescription(name: "bz2", configuration: ["level": 0]),
            CodecDescription(name: "lzma", configuration: ["format": 3, "filters": .null]),
            CodecDescription(name: "lzma", configuration: ["format": 1, "filters": [["id": 33]]]),
            CodecDescription(name: "lzma", configuration: ["format": 2, "check": 4]),
            CodecDescription(name: "lzma", configuration: ["format": 1, "preset": 10]),
        ]
        for description in bad {
            #expect(throws: ZarrError.self, "\(description.name) \(description.configuration)") { try Self.registry.codec(for: description) }
        }
        let error = #expect(throws: ZarrError.self) {
            try Self.registry.codec(for: CodecDescription(name: "gzip", configuration: ["level": 10], pointer: "/codecs/1"), file: "a/zarr.json")
        }
        #expect(error?.context.pointer == "/codecs/1/configuration/level")
        #expect(error?.context.file == "a/zarr.json")
    }

    @Test func chainWithTransposeDeltaEndianAndCompressors() throws {
        let chain = try Self.registry.chain([
            TestCodecs.transpose([2, 0, 1]), CodecDescription(name: "numcodecs.delta", configuration: ["dtype": "<i4"]),
            TestCodecs.bytes("big"), TestCodecs.blosc("zstd", shuffle: "bitshuffle", typesize: 4), TestCodecs.gzip(), TestCodecs.crc32c,
        ])
        let shape = [3, 4, 5]
        let bound = try chain.bind(to: ChunkRepresentation(shape: shape, dataType: .int32, fillValue: .zero(for: .int32)))
        #expect(bound.encodedShape == [5, 3, 4])
        #expect(bound.layoutStrides == [4, 1, 12])
        var generator = SeededGenerator(seed: 4)
        let values = (0..<60).map { _ in Int32.random(in: -1000...1000, using: &generator) }
        var buffer = values.withUnsafeBytes { [UInt8]($0) }
        let original = buffer
        let encoded = try buffer.withUnsafeMutableBytes { try bound.encode($0) }!
        var decoded = [UInt8](repeating: 0, count: buffer.count)
        try encoded.withUnsafeBytes { input in try decoded.withUnsafeMutableBytes { try bound.decode(input, into: $0) } }
        #expect(decoded == original)
    }

    @Test(arguments: [true, false]) func shardsWithEmptyInnerChunks(indexAtEnd: Bool) throws {
        let chain = try Self.registry.chain([TestCodecs.sharding([2, 3], codecs: [TestCodecs.bytes(), TestCodecs.zstd()], indexAtEnd: indexAtEnd)])
        let bound = try chain.bind(to: ChunkRepresentation(shape: [4, 6], dataType: .uint8, fillValue: FillValue(UInt8(7))))
        let sharding = try #require(bound.sharding)
        #expect(sharding.indexSize == 4 * 16 + 4)
        var shard = [UInt8](repeating: 7, count: 24)
        for i in [0, 1, 2, 6, 7, 8] { shard[i] = UInt8(i) }  // only the first inner chunk differs from the fill
        let encoded = try #require(try shard.withUnsafeMutableBytes { try bound.encode($0) })
        let indexBytes = indexAtEnd ? Array(encoded.suffix(68)) : Array(encoded.prefix(68))
        let index = try indexBytes.withUnsafeBytes { try sharding.decodeIndex($0, shardSize: encoded.count) }
        #expect(index.ranges.compactMap { $0 }.count == 1)
        #expect(index.ranges[1] == nil && index.ranges[3] == nil)
        var decoded = [UInt8](repeating: 0, count: 24)
        try encoded.withUnsafeBytes { input in try decoded.withUnsafeMutableBytes { try bound.decode(input, into: $0) } }
        #expect(decoded == shard)
        // All fill: nothing to store.
        var empty = [UInt8](repeating: 7, count: 24)
        #expect(try empty.withUnsafeMutableBytes { try bound.encode($0) } == nil)
    }
}
