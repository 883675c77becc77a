import MIFACore
import Testing
@testable import Zarr

/// The single-chunk API a loader uses: grid, region, bytes and typed chunks.
@Suite struct ChunkReadTests {
    @Test func everyChunkOfAPlainAndAShardedArrayMatchesTheRegionRead() throws {
        let layouts: [(String, [Int], [CodecDescription])] = [
            ("plain", [4, 3], [TestCodecs.bytes(), TestCodecs.zstd()]),
            ("sharded", [8, 6], [TestCodecs.sharding([4, 3], codecs: [TestCodecs.bytes(), TestCodecs.blosc()])]),
            ("F order", [4, 3], [TestCodecs.transpose([1, 0]), TestCodecs.bytes("big"), TestCodecs.gzip()]),
        ]
        for (name, chunks, codecs) in layouts {
            let store = MemoryStore()
            let metadata = try ArrayMetadata(shape: [10, 7], dataType: .int16, chunkShape: chunks, fillValue: .init(bytes: [7, 0]), codecs: codecs)
            let array = try ZarrArray.create(store, metadata: metadata)
            let data = ArrayTests.data([10, 7], seed: 11) { Int16.random(in: -900...900, using: &$0) }
            try array.write(data)
            // Chunk (1, 1) of the read grid goes missing: it must come back as the fill value.
            try array.write(NDArray<Int16>(shape: [4, 3], repeating: 7), at: [4, 3])
            var expected = data
            try expected.copy(from: NDArray<Int16>(shape: [4, 3], repeating: 7), region: Region(shape: [4, 3]), to: [4, 3])
            #expect(array.readChunkShape == [4, 3], "\(name)")
            #expect(array.readGridShape == [3, 3], "\(name)")
            for cy in 0..<3 {
                for cx in 0..<3 {
                    let region = try array.readChunkRegion([cy, cx])
                    #expect(region == Region([(cy * 4)..<Swift.min(cy * 4 + 4, 10), (cx * 3)..<Swift.min(cx * 3 + 3, 7)]), "\(name)")
                    let typed = try array.readChunk(Int16.self, at: [cy, cx])
                    #expect(typed == (try expected.copy(region: region)), "\(name) chunk \([cy, cx])")
                    let bytes = try array.readChunkBytes([cy, cx])
                    #expect(bytes == typed.withUnsafeBytes { Array($0) }, "\(name) chunk \([cy, cx])")
                    #expect(try array.readChunk(Int16.self, at: [cy, cx], order: .columnMajor) == typed)
                }
            }
        }
    }

    @Test func aReadChunksLocationIsItsKeyOrItsByteRangeInTheShard() throws {
        let data = ArrayTests.data([10, 7], seed: 12) { Int16.random(in: -900...900, using: &$0) }
        let fill = NDArray<Int16>(shape: [4, 3], repeating: 0)
        let plain = try ZarrArray.create(MemoryStore(), metadata: try ArrayMetadata(shape: [10, 7], dataType: .int16, chunkShape: [4, 3],
                                                                                   codecs: [TestCodecs.bytes()]))
        try plain.write(data)
        #expect(try plain.readChunkLocation([1, 2])?.key == plain.chunkKey([1, 2]))
        #expect(try plain.readChunkLocation([1, 2])?.range == nil)
        // Sharded, uncompressed: an inner chunk's range holds its elements as stored (little endian).
        let store = MemoryStore()
        let metadata = try ArrayMetadata(shape: [10, 7], dataType: .int16, chunkShape: [8, 6],
                                         codecs: [TestCodecs.sharding([4, 3], codecs: [TestCodecs.bytes()])])
        let written = try ZarrArray.create(store, metadata: metadata)
        try written.write(data)
        try written.write(fill, at: [4, 3])  // inner chunk (1, 1) is not stored
        let cache = ShardIndexCache(maxBytes: 1 << 16)
        let sharded = written.cachingShardIndexes(in: cache)
        for (index, shard) in [([0, 0], [0, 0]), ([0, 1], [0, 0]), ([1, 0], [0, 0]), ([0, 2], [0, 1])] {
            let location = try #require(try sharded.readChunkLocation(index))
            let range = try #require(location.range)
            #expect(location.key == sharded.chunkKey(shard))
            let bytes = try store.get(location.key, range: .range(offset: range.lowerBound, length: range.count))
            let region = try sharded.readChunkRegion(index)
            if region.shape == [4, 3] {
                let expected = try data.copy(region: region)
                #expect(bytes == expected.elements.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }, "chunk \(index)")
            } else {
                #expect(bytes?.count == 4 * 3 * 2, "chunk \(index): the whole inner chunk, fill value around the array's edge")
            }
        }
        #expect(try sharded.readChunkLocation([1, 1]) == nil)
        // Both shards' indexes were read once, then looked up in the cache, as region reads do.
        #expect(cache.statistics.misses == 2 && cache.statistics.hits == 3)
        _ = try sharded.read(Int16.self, region: Region([0..<2, 0..<2]))
        #expect(cache.statistics.misses == 2 && cache.statistics.hits == 4)
        // A shard that is not stored: nothing; an index outside the read grid: refused.
        try store.delete(sharded.chunkKey([1, 1]))
        #expect(try sharded.readChunkLocation([2, 2]) == nil)
        for index in [[3, 0], [0, -1], [0]] {
            #expect(throws: ZarrError.self) { try sharded.readChunkLocation(index) }
        }
    }

    @Test func indicesOutsideTheGridAndWrongTypesAreRefused() throws {
        let array = try ZarrArray.create(MemoryStore(), metadata: try ArrayMetadata(shape: [5, 5], dataType: .uint8, chunkShape: [2, 2],
                                                                                   codecs: [TestCodecs.bytes()]))
        for index in [[3, 0], [0, -1], [0], [0, 0, 0]] {
            #expect(throws: ZarrError.self) { try array.readChunkBytes(index) }
        }
        #expect(throws: ZarrError.self) { try array.readChunk(Float.self, at: [0, 0]) }
        #expect(try array.readChunkBytes([2, 2]) == [0])
    }
}
