import TestSupport
import MIFACore
import Testing
@testable import Zarr

/// The `vlen-utf8` / `vlen-bytes` decoder against an encoder written here from numcodecs'
/// description (u32 count, then u32 length + bytes per item, little-endian), and string arrays
/// read through the array with missing chunks and a compressor.
@Suite struct VlenCodecTests {
    /// Encodes items as numcodecs' VLenUTF8 / VLenBytes do.
    static func encode(_ items: [[UInt8]]) -> [UInt8] {
        func word(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).littleEndian) { Array($0) } }
        return word(items.count) + items.flatMap { word($0.count) + $0 }
    }

    /// Random strings from several Unicode planes, a fifth of them empty.
    static func randomStrings(_ count: Int, using generator: inout SeededGenerator) -> [String] {
        let scalars: [UInt32] = Array(0x20...0x7E) + [0xE9, 0x3B1, 0x4E2D, 0x1F600, 0x10348, 0x301, 0x0]
        return (0..<count).map { _ in
            guard Int.random(in: 0..<5, using: &generator) != 0 else { return "" }
            let length = Int.random(in: 1...10, using: &generator)
            return String(String.UnicodeScalarView((0..<length).map { _ in Unicode.Scalar(scalars.randomElement(using: &generator)!)! }))
        }
    }

    @Test func randomStringsRoundTrip() throws {
        var generator = SeededGenerator(seed: 20)
        for _ in 0..<200 {
            let strings = Self.randomStrings(Int.random(in: 0...40, using: &generator), using: &generator)
            let encoded = Self.encode(strings.map { Array($0.utf8) })
            let decoded = try encoded.withUnsafeBytes { try VlenCodec.decodeStrings($0, elementCount: strings.count) }
            #expect(decoded == strings)
            let ranges = try encoded.withUnsafeBytes { try VlenCodec.itemRanges($0, elementCount: strings.count) }
            #expect(ranges.map { Array(encoded[$0]) } == strings.map { Array($0.utf8) })
        }
    }

    @Test func damagedInputIsRefusedAtItsOffset() throws {
        var generator = SeededGenerator(seed: 21)
        for _ in 0..<200 {
            let strings = Self.randomStrings(Int.random(in: 1...20, using: &generator), using: &generator)
            let encoded = Self.encode(strings.map { Array($0.utf8) })
            // Every strict prefix is refused: counts and lengths are checked against the bytes there.
            let cut = Int.random(in: 0..<encoded.count, using: &generator)
            #expect(throws: ZarrError.self) { try Array(encoded.prefix(cut)).withUnsafeBytes { try VlenCodec.decodeStrings($0, elementCount: strings.count) } }
            // So are trailing bytes and a count that differs from the chunk's element count.
            #expect(throws: ZarrError.self) { try (encoded + [0]).withUnsafeBytes { try VlenCodec.decodeStrings($0, elementCount: strings.count) } }
            #expect(throws: ZarrError.self) { try encoded.withUnsafeBytes { try VlenCodec.decodeStrings($0, elementCount: strings.count + 1) } }
        }
        // A count a header claims but the bytes cannot hold is refused before anything is allocated.
        let huge = Self.encode([]).enumerated().map { $0.offset < 4 ? 0xFF : $0.element } + [0, 0, 0, 0]
        #expect(throws: ZarrError.self) { try huge.withUnsafeBytes { try VlenCodec.itemRanges($0, elementCount: Int(UInt32.max)) } }
        // Invalid UTF-8 (a lone continuation byte, a surrogate) is refused by vlen-utf8, kept by vlen-bytes.
        for bad: [UInt8] in [[0x80], [0xED, 0xA0, 0x80], [0xC3]] {
            let encoded = Self.encode([Array("ok".utf8), bad])
            let error = #expect(throws: ZarrError.self) { try encoded.withUnsafeBytes { try VlenCodec.decodeStrings($0, elementCount: 2) } }
            #expect(error?.message.contains("item 1") == true)
            #expect(try encoded.withUnsafeBytes { try VlenCodec.itemRanges($0, elementCount: 2) }.map { Array(encoded[$0]) }.last == bad)
        }
    }

    @Test func stringArraysReadWithMissingChunksAndACompressor() throws {
        var generator = SeededGenerator(seed: 22)
        for round in 0..<20 {
            let shape = [Int.random(in: 1...9, using: &generator), Int.random(in: 1...9, using: &generator)]
            let chunks = shape.map { Int.random(in: 1...$0, using: &generator) }
            let fill = round % 2 == 0 ? "" : "f\u{1F600}"
            let codecs = [CodecDescription(name: "vlen-utf8")] + (round % 3 == 0 ? [TestCodecs.zstd(3)] : [])
            let metadata = try ArrayMetadata(shape: shape, dataType: .string, chunkShape: chunks,
                                             fillValue: FillValue(json: .string(fill), type: .string, format: .v3), codecs: codecs)
            let store = MemoryStore()
            let array = try ZarrArray.create(store, metadata: metadata)
            var expected = [String](repeating: fill, count: shape[0] * shape[1])
            let grid = GridRange(region: Region(shape: shape), chunkShape: chunks)
            for index in (0..<grid.count).map({ grid[$0] }) where Bool.random(using: &generator) {
                let origin = zip(index, chunks).map(*)
                let strings = Self.randomStrings(chunks[0] * chunks[1], using: &generator)
                for i in 0..<chunks[0] { for j in 0..<chunks[1] where origin[0] + i < shape[0] && origin[1] + j < shape[1] {
                    expected[(origin[0] + i) * shape[1] + origin[1] + j] = strings[i * chunks[1] + j]
                } }
                var bytes = Self.encode(strings.map { Array($0.utf8) })
                if codecs.count > 1 { bytes = try bytes.withUnsafeBytes { try LibZstd.compress($0, level: 3, checksum: false) } }
                try store.set(array.chunkKey(index), bytes)
            }
            #expect(try array.readStrings().elements == expected)
            // A region, and the refusal of numeric reads.
            let region = Region([shape[0] / 2..<shape[0], 0..<shape[1]])
            #expect(try array.readStrings(region).elements == Array(expected[(shape[0] / 2 * shape[1])...]))
            #expect(throws: ZarrError.self) { try array.readBytes() }
            #expect(throws: ZarrError.self) { try array.read() }
        }
    }
}
