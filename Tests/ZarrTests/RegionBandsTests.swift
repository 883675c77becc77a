import MIFACore
import Testing
import TestSupport
@testable import Zarr

/// Band reads (``ZarrArray/bands(of:targetBytes:maxBytes:)``, ``ZarrArray/readBytes(_:concurrency:writing:)``),
/// as `mifa zarr export` writes files: the bands tile the region's C-order bytes and read what a
/// whole read reads, and no chunk is fetched for two bands.
@Suite struct RegionBandsTests {
    /// The bands' bytes put together at their offsets; every byte of the region written exactly once.
    static func readThroughBands(_ array: ZarrArray, _ plan: RegionBands, concurrency: Int) throws -> [UInt8] {
        let blocks = LockedState<[(offset: Int, bytes: [UInt8])]>([])
        try array.readBytes(plan, concurrency: concurrency) { band, offset in
            blocks.withLock { $0.append((offset, Array(band))) }
        }
        var joined: [UInt8] = []
        for block in blocks.withLock({ $0 }).sorted(by: { $0.offset < $1.offset }) {
            #expect(block.offset == joined.count, "a gap or an overlap at byte \(block.offset)")
            joined += block.bytes
        }
        #expect(joined.count == plan.region.elementCount * array.dataType.byteSize)
        return joined
    }

    /// Whether every band starts and ends on the chunk grid (or at the region's edge) along each axis.
    static func onChunkGrid(_ plan: RegionBands, chunk: [Int]) -> Bool {
        plan.bands.allSatisfy { band in
            band.ranges.indices.allSatisfy { axis in
                let (range, whole) = (band.ranges[axis], plan.region.ranges[axis])
                return range == whole || chunk[axis] == 1
                    || ((range.lowerBound == whole.lowerBound || range.lowerBound % chunk[axis] == 0)
                        && (range.upperBound == whole.upperBound || range.upperBound % chunk[axis] == 0))
            }
        }
    }

    @Test(arguments: 0..<ArrayTests.codecSets.count) func bandsReadAsTheWholeRegion(_ which: Int) throws {
        let (name, format, codecs) = ArrayTests.codecSets[which]
        let shape = [7, 17, 9]
        let sharded = codecs.first?.name == "sharding_indexed"
        let array = try ZarrArray.create(MemoryStore(), metadata: try ArrayMetadata(format: format, shape: shape, dataType: .int32,
                                                                                     chunkShape: sharded ? [6, 8, 4] : [3, 5, 4],
                                                                                     fillValue: FillValue(Int32(-7)), codecs: codecs))
        try array.write(ArrayTests.data(shape, seed: 5) { Int32.random(in: -50_000...50_000, using: &$0) })
        let chunk = sharded ? [3, 4, 2] : [3, 5, 4]
        var generator = SeededGenerator(seed: 21)
        for trial in 0..<30 {
            let region = ArrayTests.randomRegion(shape, &generator)
            let target = [4, 64, 1 << 20][trial % 3]
            let plan = try #require(array.bands(of: region, targetBytes: target, maxBytes: 1 << 20), "\(name) \(region)")
            #expect(Self.onChunkGrid(plan, chunk: chunk), "\(name) \(region): \(plan.bands)")
            #expect(try Self.readThroughBands(array, plan, concurrency: trial % 3 + 1) == (try array.readBytes(region)), "\(name) \(region)")
        }
    }

    @Test func planesChunkedOneByOneAreCutInsideAPlaneWhenAPlaneIsTooLarge() throws {
        let shape = [3, 17, 9]
        let store = RecordingStore()
        let array = try ZarrArray.create(store, metadata: try ArrayMetadata(shape: shape, dataType: .int32, chunkShape: [1, 5, 4],
                                                                            codecs: [TestCodecs.bytes(), TestCodecs.zstd()]))
        try array.write(ArrayTests.data(shape, seed: 6) { Int32.random(in: -9...9, using: &$0) })
        let region = Region([0..<3, 1..<16, 2..<9])
        // A plane of the region is 15 * 7 * 4 = 420 bytes; a row of chunks 5 * 7 * 4 = 140.
        let plan = try #require(array.bands(of: region, targetBytes: 150, maxBytes: 400))
        #expect(plan.bands.allSatisfy { $0.shape[0] == 1 && $0.ranges[2] == 2..<9 })
        #expect(plan.bands.count == 3 * 4, "rows 1..<5, 5..<10, 10..<15, 15..<16 of each plane: \(plan.bands)")
        #expect(Self.onChunkGrid(plan, chunk: [1, 5, 4]))
        // With room for whole planes, the bands hold several of them.
        let wholePlanes = try #require(array.bands(of: region, targetBytes: 900, maxBytes: 1000))
        #expect(wholePlanes.bands.map { $0.shape[0] } == [2, 1])
        _ = store.takeReads()
        let bytes = try Self.readThroughBands(array, plan, concurrency: 2)
        let reads = store.takeReads().map(\.0)
        #expect(reads.count == Set(reads).count, "a chunk fetched for two bands: \(reads.sorted())")
        #expect(bytes == (try array.readBytes(region)))
    }

    @Test func shardedArraysAreCutIntoRowsOfShardsWhenOneFits() throws {
        let shape = [16, 12]
        let store = RecordingStore()
        let array = try ZarrArray.create(store, metadata: try ArrayMetadata(shape: shape, dataType: .uint16, chunkShape: [8, 6],
                                                                            codecs: [TestCodecs.sharding([2, 3], codecs: [TestCodecs.bytes(), TestCodecs.zstd()])]))
        try array.write(ArrayTests.data(shape, seed: 7) { UInt16.random(in: 0...999, using: &$0) })
        let region = Region(shape: shape)
        let expected = try array.readBytes(region)
        // A row of shards is 8 * 12 * 2 = 192 bytes; a row of inner chunks 2 * 12 * 2 = 48.
        let shards = try #require(array.bands(of: region, targetBytes: 64, maxBytes: 192))
        #expect(shards.bands.map(\.ranges) == [[0..<8, 0..<12], [8..<16, 0..<12]])
        _ = store.takeReads()
        #expect(try Self.readThroughBands(array, shards, concurrency: 1) == expected)
        let reads = store.takeReads()
        #expect(reads.count == 4 * 2, "one index read and one range read per shard: \(reads)")
        let inner = try #require(array.bands(of: region, targetBytes: 64, maxBytes: 191))
        #expect(inner.bands.map(\.ranges) == (0..<8).map { [(2 * $0)..<(2 * $0 + 2), 0..<12] })
        #expect(try Self.readThroughBands(array, inner, concurrency: 2) == expected)
    }

    @Test func noBandsWhenARowOfChunksIsOverTheLimit() throws {
        let array = try ZarrArray.create(MemoryStore(), metadata: try ArrayMetadata(shape: [8, 16, 16], dataType: .uint8, chunkShape: [4, 4, 4],
                                                                                   codecs: [TestCodecs.bytes()]))
        // One row of chunks: 4 planes of 16 x 16 bytes.
        #expect(array.bands(of: Region(shape: [8, 16, 16]), targetBytes: 512, maxBytes: 1023) == nil)
        let rows = try #require(array.bands(of: Region(shape: [8, 16, 16]), targetBytes: 512, maxBytes: 1024))
        #expect(rows.bands.map(\.ranges) == [[0..<4, 0..<16, 0..<16], [4..<8, 0..<16, 0..<16]])
        #expect(rows.offsets == [0, 1024])
        // A region one plane deep needs only that plane of each chunk: bands of one row of chunks.
        let plane = try #require(array.bands(of: Region([3..<4, 0..<16, 0..<16]), targetBytes: 64, maxBytes: 64))
        #expect(plane.bands.map(\.ranges) == (0..<4).map { [3..<4, (4 * $0)..<(4 * $0 + 4), 0..<16] })
        #expect(plane.offsets == [0, 64, 128, 192])
    }
}
