import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Zarr

/// A store that records every read, to check what the array asks for.
final class RecordingStore: ZarrStore {
    let inner = MemoryStore()
    let reads = LockedState<[(String, ByteRange?)]>([])
    var location: String { "recording" }
    var isWritable: Bool { true }
    var rangesIgnored: Bool { false }
    func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        reads.withLock { $0.append((key.value, range)) }
        return try inner.get(key, range: range)
    }
    func set(_ key: StoreKey, _ bytes: [UInt8]) throws { try inner.set(key, bytes) }
    func delete(_ key: StoreKey) throws { try inner.delete(key) }
    func list(prefix: String) throws -> [StoreKey] { try inner.list(prefix: prefix) }
    func takeReads() -> [(String, ByteRange?)] {
        reads.withLock { value in
            defer { value = [] }
            return value
        }
    }
}

@Suite struct ArrayTests {
    static func data<T: NDArrayElement>(_ shape: [Int], seed: UInt64, _ make: (inout SeededGenerator) -> T) -> NDArray<T> {
        var generator = SeededGenerator(seed: seed)
        var array = NDArray<T>(shape: shape)
        for i in array.elements.indices { array.elements[i] = make(&generator) }
        return array
    }

    static func randomRegion(_ shape: [Int], _ generator: inout SeededGenerator) -> Region {
        Region(shape.map { extent in
            let a = Int.random(in: 0...extent, using: &generator)
            let b = Int.random(in: 0...extent, using: &generator)
            return Swift.min(a, b)..<Swift.max(a, b)
        })
    }

    /// Codec lists to write with, for the matrix.
    static let codecSets: [(String, ZarrFormat, [CodecDescription])] = [
        ("v3 raw", .v3, [TestCodecs.bytes()]),
        ("v3 big-endian zstd", .v3, [TestCodecs.bytes("big"), TestCodecs.zstd()]),
        ("v3 F blosc", .v3, [TestCodecs.transpose([2, 1, 0]), TestCodecs.bytes(), TestCodecs.blosc("lz4", shuffle: "shuffle", typesize: 4)]),
        ("v3 gzip crc32c", .v3, [TestCodecs.bytes(), TestCodecs.gzip(), TestCodecs.crc32c]),
        ("v3 shard end", .v3, [TestCodecs.sharding([3, 4, 2], codecs: [TestCodecs.bytes(), TestCodecs.zstd()])]),
        ("v3 shard start no crc", .v3, [TestCodecs.sharding([3, 4, 2], codecs: [TestCodecs.transpose([1, 0, 2]), TestCodecs.bytes(), TestCodecs.blosc()],
                                                          indexAtEnd: false, crc: false)]),
        ("v2 raw", .v2, [TestCodecs.bytes()]),
        ("v2 F zlib big", .v2, [TestCodecs.transpose([2, 1, 0]), TestCodecs.bytes("big"), CodecDescription(name: "zlib", configuration: ["level": 3])]),
        ("v2 delta blosc", .v2, [CodecDescription(name: "delta", configuration: ["dtype": "<i4"]), TestCodecs.bytes(),
                                  CodecDescription(name: "blosc", configuration: ["cname": "zstd", "clevel": 5, "shuffle": -1, "blocksize": 0])]),
    ]

    @Test(arguments: 0..<codecSets.count) func roundTripsAcrossCodecsAndRegions(_ which: Int) throws {
        let (name, format, codecs) = Self.codecSets[which]
        let shape = [7, 17, 9]  // ragged against every chunk shape below
        let chunkShape = codecs.first?.name == "sharding_indexed" ? [6, 8, 4] : [3, 5, 4]
        let store = MemoryStore()
        let metadata = try ArrayMetadata(format: format, shape: shape, dataType: .int32, chunkShape: chunkShape,
                                         fillValue: FillValue(Int32(-7)), codecs: codecs)
        let array = try ZarrArray.create(store, path: "a/b", metadata: metadata)
        let data = Self.data(shape, seed: 1) { Int32.random(in: -50_000...50_000, using: &$0) }
        try array.write(data)
        let reopened = try ZarrArray.open(store, path: "a/b")
        #expect(reopened.metadata == metadata, "\(name)")
        #expect(try reopened.read(Int32.self) == data, "\(name)")
        #expect(try reopened.read(Int32.self, order: .columnMajor) == data, "\(name) F result")
        var generator = SeededGenerator(seed: 99)
        for trial in 0..<40 {
            let region = Self.randomRegion(shape, &generator)
            let concurrency = trial % 3 + 1
            #expect(try reopened.read(Int32.self, region: region, concurrency: concurrency) == (try data.copy(region: region)), "\(name) \(region)")
        }
        // Partial overwrite: read-modify-write of partly covered chunks.
        var expected = data
        for trial in 0..<15 {
            let region = Self.randomRegion(shape, &generator)
            let patch = Self.data(region.shape, seed: UInt64(trial)) { Int32.random(in: -9...9, using: &$0) }
            try reopened.write(patch, at: region.origin, concurrency: trial % 2 + 1)
            try expected.copy(from: patch, region: Region(shape: patch.shape), to: region.origin)
        }
        #expect(try reopened.read(Int32.self) == expected, "\(name) after partial writes")
    }

    @Test func missingChunksReadAsTheFillValue() throws {
        let store = MemoryStore()
        for fill in [Float.nan, 2.5] {
            let metadata = try ArrayMetadata(shape: [10, 10], dataType: .float32, chunkShape: [4, 4], fillValue: FillValue(fill),
                                             codecs: [TestCodecs.bytes(), TestCodecs.zstd()])
            let array = try ZarrArray.create(store, path: "f", metadata: metadata, overwrite: true)
            var patch = NDArray<Float>(shape: [2, 3], repeating: 1)
            patch[1, 2] = -1
            try array.write(patch, at: [5, 5])
            let keys = try store.list(prefix: "f/c/").map(\.value)
            #expect(keys == ["f/c/1/1"])
            let all = try array.read(Float.self)
            for y in 0..<10 {
                for x in 0..<10 {
                    let inside = (5..<7).contains(y) && (5..<8).contains(x)
                    let value = all[y, x]
                    if inside { #expect(value == patch[y - 5, x - 5]) } else { #expect(value.bitPattern == fill.bitPattern) }
                }
            }
        }
    }

    @Test func chunksEqualToTheFillValueAreDeleted() throws {
        let store = MemoryStore()
        var array = try ZarrArray.create(store, metadata: try ArrayMetadata(
            shape: [8, 8], dataType: .uint8, chunkShape: [4, 4], fillValue: FillValue(UInt8(3)), codecs: [TestCodecs.bytes()]))
        try array.write(NDArray<UInt8>(shape: [8, 8], repeating: 9))
        #expect(try store.list(prefix: "c/").count == 4)
        try array.write(NDArray<UInt8>(shape: [4, 8], repeating: 3))
        #expect(try store.list(prefix: "c/").map(\.value) == ["c/1/0", "c/1/1"])
        array.writesEmptyChunks = true
        try array.write(NDArray<UInt8>(shape: [4, 4], repeating: 3))
        #expect(try store.list(prefix: "c/").count == 3)
        // Sharded: a shard whose inner chunks all equal the fill value is deleted.
        let sharded = try ZarrArray.create(store, path: "s", metadata: try ArrayMetadata(
            shape: [8, 8], dataType: .uint8, chunkShape: [8, 8], codecs: [TestCodecs.sharding([4, 4], codecs: [TestCodecs.bytes()])]))
        try sharded.write(NDArray<UInt8>(shape: [8, 8], repeating: 1))
        #expect(try store.list(prefix: "s/c/").count == 1)
        try sharded.write(NDArray<UInt8>(shape: [8, 8], repeating: 0))
        #expect(try store.list(prefix: "s/c/").isEmpty)
    }

    @Test func shardedReadsFetchOnlyTheIndexAndTheNeededInnerChunks() throws {
        let store = RecordingStore()
        let metadata = try ArrayMetadata(shape: [64, 64], dataType: .uint16, chunkShape: [32, 32],
                                         codecs: [TestCodecs.sharding([8, 8], codecs: [TestCodecs.bytes(), TestCodecs.zstd()])])
        let array = try ZarrArray.create(store, metadata: metadata)
        let data = Self.data([64, 64], seed: 5) { UInt16.random(in: 0...4000, using: &$0) }
        try array.write(data)
        _ = store.takeReads()
        // One inner chunk of one shard: the index suffix, then one range.
        #expect(try array.read(UInt16.self, region: Region([9..<12, 40..<47])) == (try data.copy(region: Region([9..<12, 40..<47]))))
        let reads = store.takeReads()
        #expect(reads.count == 2)
        #expect(reads[0].0 == "c/0/1" && reads[0].1 == .suffix(length: 16 * 16 + 4))
        if case .range(_, let length)? = reads[1].1 { #expect(length < 8 * 8 * 2 + 100) } else { Issue.record("expected a range read") }
        // A row of four neighbouring inner chunks: still one range read, coalesced.
        _ = try array.read(UInt16.self, region: Region([0..<8, 32..<64]))
        #expect(store.takeReads().count == 2)
        // The whole array: one index read and one coalesced read per shard.
        #expect(try array.read(UInt16.self) == data)
        #expect(store.takeReads().count == 8)
    }

    @Test func shardedPartialWritesKeepUntouchedInnerChunksAsStored() throws {
        let store = MemoryStore()
        let metadata = try ArrayMetadata(shape: [20, 20], dataType: .int16, chunkShape: [10, 10],
                                         codecs: [TestCodecs.sharding([5, 5], codecs: [TestCodecs.bytes(), TestCodecs.gzip()])])
        let array = try ZarrArray.create(store, metadata: metadata)
        var expected = Self.data([20, 20], seed: 8) { Int16.random(in: -100...100, using: &$0) }
        try array.write(expected)
        let before = try #require(try store.get(try StoreKey("c/0/0")))
        let patch = NDArray<Int16>(shape: [2, 2], repeating: 1234)
        try array.write(patch, at: [7, 7])  // touches inner chunk (1,1) of shard (0,0) only
        try expected.copy(from: patch, region: Region(shape: [2, 2]), to: [7, 7])
        #expect(try array.read(Int16.self) == expected)
        let after = try #require(try store.get(try StoreKey("c/0/0")))
        #expect(Array(after.prefix(50)) == Array(before.prefix(50)), "the first inner chunk is copied, not re-encoded")
    }

    @Test func keysOfEveryEncodingLandWhereOtherToolsLook() throws {
        let directory = TemporaryDirectory()
        let store = try DirectoryStore(root: directory.path)
        let cases: [(ZarrFormat, ChunkKeyEncoding, String)] = [
            (.v3, .default(separator: "/"), "c/1/0"), (.v3, .default(separator: "."), "c.1.0"),
            (.v3, .v2(separator: "."), "1.0"), (.v2, .v2(separator: "."), "1.0"), (.v2, .v2(separator: "/"), "1/0"),
        ]
        for (i, (format, encoding, key)) in cases.enumerated() {
            let metadata = try ArrayMetadata(format: format, shape: [4, 2], dataType: .uint8, chunkShape: [2, 2],
                                             chunkKeyEncoding: encoding, codecs: [TestCodecs.bytes()])
            let array = try ZarrArray.create(store, path: "n\(i)", metadata: metadata)
            try array.write(NDArray<UInt8>(shape: [2, 2], repeating: 1), at: [2, 0])
            #expect(FileManager.default.fileExists(atPath: directory.file("n\(i)/\(key)")), "\(key)")
            #expect(try ZarrArray.open(store, path: "n\(i)").read(UInt8.self)[3, 1] == 1)
        }
    }

    @Test func typesWithoutNDArrayElementsReadAsBytes() throws {
        let store = MemoryStore()
        for type in [ZarrDataType.complex64, .complex128, .raw(bits: 24)] {
            let metadata = try ArrayMetadata(shape: [5, 3], dataType: type, chunkShape: [2, 2], codecs: [TestCodecs.bytes("big"), TestCodecs.zstd()])
            let array = try ZarrArray.create(store, path: type.v3Name, metadata: metadata)
            var generator = SeededGenerator(seed: 1)
            let bytes = generator.bytes(15 * type.byteSize)
            try array.writeBytes(bytes, shape: [5, 3])
            #expect(try array.readBytes() == bytes)
            #expect(try array.readBytes(Region([1..<4, 1..<2])).count == 3 * type.byteSize)
            #expect(throws: ZarrError.self) { try array.read() }
        }
    }

    /// Half precision reads and writes as `NDArray<Float16>` in both byte orders and through the
    /// delta filter, every bit pattern (NaNs, infinities, subnormals) kept.
    @Test func float16ArraysReadAndWriteAsNumbers() throws {
        var generator = SeededGenerator(seed: 16)
        for (index, codecs) in [[TestCodecs.bytes(), TestCodecs.zstd()], [TestCodecs.bytes("big"), TestCodecs.gzip()]].enumerated() {
            let shape = [Int.random(in: 1...20, using: &generator), Int.random(in: 1...20, using: &generator)]
            let chunks = shape.map { Int.random(in: 1...$0, using: &generator) }
            let array = try ZarrArray.create(MemoryStore(), metadata: try ArrayMetadata(shape: shape, dataType: .float16, chunkShape: chunks, codecs: codecs))
            let data = Self.data(shape, seed: UInt64(index)) { Float16(bitPattern: UInt16.random(in: 0...UInt16.max, using: &$0)) }
            try array.write(AnyNDArray(data))
            let read = try array.read()
            #expect(read.dataType == .float16)
            #expect(read.typed(as: Float16.self)?.elements.map(\.bitPattern) == data.elements.map(\.bitPattern))
            let region = Self.randomRegion(shape, &generator)
            #expect(try array.read(Float16.self, region: region).elements.map(\.bitPattern)
                    == (try data.copy(region: region)).elements.map(\.bitPattern))
        }
    }

    @Test func readsIntoAnExistingArrayAtAnOrigin() throws {
        let store = MemoryStore()
        let array = try ZarrArray.create(store, metadata: try ArrayMetadata(shape: [6, 6], dataType: .uint32, chunkShape: [4, 4],
                                                                            codecs: [TestCodecs.bytes(), TestCodecs.blosc(typesize: 4)]))
        let data = Self.data([6, 6], seed: 3) { UInt32.random(in: 0...100, using: &$0) }
        try array.write(data)
        var batch = NDArray<UInt32>(shape: [2, 5, 5], repeating: 0, order: .columnMajor)
        try array.read(Region([1..<5, 2..<5]), into: &batch, at: [1, 1, 2])
        for y in 0..<4 { for x in 0..<3 { #expect(batch[1, 1 + y, 2 + x] == data[1 + y, 2 + x]) } }
        #expect(batch[0, 0, 0] == 0)
        #expect(throws: ZarrError.self) { try array.read(Region([0..<6, 0..<6]), into: &batch, at: [0, 0, 0]) }
        #expect(throws: ZarrError.self) { try array.read(Float.self) }
        #expect(throws: ZarrError.self) { try array.read(UInt32.self, region: Region([0..<7, 0..<1])) }
    }

    /// Results of 8 MiB and more take the cold-destination copy (whole rows of chunks per thread,
    /// prefetching); partial edge chunks and both memory orders must still land exactly.
    @Test(arguments: [MemoryOrder.rowMajor, .columnMajor]) func largeReadsMatchTheWrittenData(_ order: MemoryOrder) throws {
        let shape = [2050, 2100]
        let store = MemoryStore()
        let array = try ZarrArray.create(store, metadata: try ArrayMetadata(shape: shape, dataType: .uint16, chunkShape: [256, 320],
                                                                            codecs: [TestCodecs.bytes()]))
        var data = NDArray<UInt16>(shape: shape)
        for i in data.elements.indices { data.elements[i] = UInt16(truncatingIfNeeded: i &* 40503) }
        try array.write(data, concurrency: 2)
        let read = try array.read(UInt16.self, order: order, concurrency: 2)
        #expect(read.count * 2 >= StridedCopy.coldDestinationBytes)
        #expect(read.order == order)
        #expect(read == data)
    }

    @Test func zeroDimensionalAndEmptyArrays() throws {
        let store = MemoryStore()
        let scalar = try ZarrArray.create(store, path: "s", metadata: try ArrayMetadata(shape: [], dataType: .float64, chunkShape: [],
                                                                                       codecs: [TestCodecs.bytes()]))
        try scalar.write(NDArray<Double>(shape: [], repeating: 4.25))
        #expect(try store.exists(try StoreKey("s/c")))
        #expect(try scalar.read(Double.self).elements == [4.25])
        let empty = try ZarrArray.create(store, path: "e", metadata: try ArrayMetadata(shape: [0, 5], dataType: .uint8, chunkShape: [2, 2],
                                                                                      codecs: [TestCodecs.bytes()]))
        #expect(try empty.read(UInt8.self).count == 0)
    }

    @Test func groupsListChildrenAndConsolidate() throws {
        for format in ZarrFormat.allCases {
            let store = MemoryStore()
            let root = try ZarrGroup.create(store, format: format, attributes: ["name": "root"])
            try ZarrGroup.create(store, path: "labels", format: format)
            try ZarrArray.create(store, path: "0", metadata: try ArrayMetadata(format: format, shape: [4], dataType: .uint8, chunkShape: [2],
                                                                            codecs: [TestCodecs.bytes()], attributes: ["k": 1]))
            try ZarrArray.create(store, path: "labels/cells", metadata: try ArrayMetadata(format: format, shape: [4], dataType: .uint8,
                                                                                       chunkShape: [2], codecs: [TestCodecs.bytes()]))
            #expect(try root.children().map(\.name) == ["0", "labels"])
            #expect(try ZarrGroup.open(store).attributes["name"] == "root")
            #expect(try root.openGroup("labels").children().map(\.name) == ["cells"])
            let consolidated = try root.consolidate()
            #expect(consolidated.metadata.consolidated?.keys.sorted() == ["0", "labels", "labels/cells"])
            let reopened = try ZarrGroup.open(store)
            #expect(reopened.metadata.consolidated?.count == 3, "\(format)")
            #expect(try reopened.children().map(\.name) == ["0", "labels"])
            #expect(throws: ZarrError.self) { try ZarrGroup.create(store, format: format) }
            #expect(throws: ZarrError.self) { try ZarrArray.open(store) }
            #expect(throws: ZarrError.self) { try ZarrGroup.open(store, path: "0") }
        }
    }
}
