import Foundation
import TestSupport
import MIFACore
import Testing
@testable import Zarr

/// The opt-in decoded-chunk cache: reads through it equal reads without it (sharded or not, any
/// layout, any bound), a cached chunk is neither fetched nor decoded again (nor its shard's index
/// read), the bound holds, concurrent readers agree, and writes drop what they replace.
///
/// No invalidation beyond writes through the caching array is tested because none is promised:
/// like ``ShardIndexCache``, a chunk rewritten by another writer is seen once its entry goes.
struct DecodedChunkCacheTests {
    /// A random uint16 array (sharded or not, as `sharded` says or at random; unsharded ones in C
    /// or transposed layout; some chunks left at the fill value, so absent) and its data. The
    /// shard-index cache's tests read through it too.
    static func randomArray(_ generator: inout SeededGenerator, store: any ZarrStore, sharded: Bool? = nil) throws -> (ZarrArray, NDArray<UInt16>) {
        let rank = Int.random(in: 1...3, using: &generator)
        let inner = (0..<rank).map { _ in Int.random(in: 1...5, using: &generator) }
        let sharded = sharded ?? Bool.random(using: &generator)
        var codecs = [TestCodecs.bytes(), TestCodecs.zstd()]
        if !sharded, rank > 1, Bool.random(using: &generator) {
            codecs.insert(TestCodecs.transpose(Array((0..<rank).reversed())), at: 0)
        }
        let chunk = sharded ? inner.map { $0 * Int.random(in: 1...3, using: &generator) } : inner
        let shape = chunk.map { $0 * Int.random(in: 1...3, using: &generator) + Int.random(in: 0...2, using: &generator) }
        let metadata = try ArrayMetadata(shape: shape, dataType: .uint16, chunkShape: chunk,
                                         codecs: sharded ? [TestCodecs.sharding(inner, codecs: codecs, indexAtEnd: Bool.random(using: &generator))] : codecs)
        let array = try ZarrArray.create(store, metadata: metadata)
        var data = NDArray<UInt16>(shape: shape)
        let sparse = Bool.random(using: &generator)
        for i in data.elements.indices {
            data.elements[i] = sparse && UInt8.random(in: 0...3, using: &generator) != 0 ? 0 : UInt16.random(in: 0...60000, using: &generator)
        }
        try array.write(data)
        return (array, data)
    }

    @Test func cachedReadsEqualUncachedReadsOnRandomRegions() throws {
        var generator = SeededGenerator(seed: 121)
        var hits = 0
        for _ in 0..<60 {
            let (array, data) = try Self.randomArray(&generator, store: MemoryStore())
            // Bounds from "holds nothing" through "holds a few" to "holds all", so eviction is exercised.
            let bound = [0, 150, 400, 2000, 1 << 20].randomElement(using: &generator)!
            let cache = DecodedChunkCache(maxBytes: bound)
            let cached = array.cachingDecodedChunks(in: cache)
            for _ in 0..<25 {
                let region = ArrayTests.randomRegion(data.shape, &generator)
                let expected = try data.copy(region: region)
                let order: MemoryOrder = Bool.random(using: &generator) ? .rowMajor : .columnMajor
                let through = try cached.read(UInt16.self, region: region, order: order,
                                              concurrency: Int.random(in: 1...3, using: &generator))
                #expect(through == expected, "region [\(region)] of shape \(data.shape)")
                #expect(cache.bytes <= bound)
            }
            hits += cache.statistics.hits
        }
        #expect(hits > 0)  // the comparison above went through cached chunks, not only fresh ones
    }

    @Test func aCachedChunkIsNeitherFetchedNorItsShardIndexRead() throws {
        for sharded in [false, true] {
            let store = RecordingStore()
            let codecs = [TestCodecs.bytes(), TestCodecs.zstd()]
            let metadata = try ArrayMetadata(shape: [64, 64], dataType: .uint16, chunkShape: sharded ? [32, 32] : [8, 8],
                                             codecs: sharded ? [TestCodecs.sharding([8, 8], codecs: codecs)] : codecs)
            let array = try ZarrArray.create(store, metadata: metadata)
            let data = ArrayTests.data([64, 64], seed: 5) { UInt16.random(in: 1...9000, using: &$0) }
            try array.write(data)
            let cache = DecodedChunkCache(maxBytes: 1 << 20)
            let cached = array.cachingDecodedChunks(in: cache)
            _ = store.takeReads()
            let region = Region([9..<12, 40..<47])  // one chunk of 8x8
            #expect(try cached.read(UInt16.self, region: region) == data.copy(region: region))
            #expect(store.takeReads().count == (sharded ? 2 : 1))  // (the index, then) the chunk
            #expect(cache.count == 1 && cache.bytes == 8 * 8 * 2 + cache.cost(of: [], key: cached.decodedChunkCacheKey(sharded ? StoreKey(unchecked: "c/0/1") : StoreKey(unchecked: "c/1/5"), inner: sharded ? 5 : nil)))
            let inside = Region([8..<16, 40..<48])
            #expect(try cached.read(UInt16.self, region: inside) == data.copy(region: inside))
            #expect(store.takeReads().isEmpty)
            #expect(cache.statistics == (hits: 1, misses: 1))
            // The uncached array still fetches the chunk every time.
            _ = try array.read(UInt16.self, region: inside)
            #expect(store.takeReads().count == (sharded ? 2 : 1))
        }
    }

    @Test func theBoundHoldsAndTheLeastRecentlyUsedChunkGoesFirst() {
        let chunk = [UInt8](repeating: 3, count: 100)
        let cost = DecodedChunkCache(maxBytes: 0).cost(of: chunk, key: "k0")
        #expect(cost == 100 + 2 + DecodedChunkCache.entryOverhead)
        let cache = DecodedChunkCache(maxBytes: 2 * cost)
        cache.insert(chunk, for: "k0")
        cache.insert(chunk, for: "k1")
        #expect(cache.value(for: "k0") == chunk)
        cache.insert(chunk, for: "k2")
        #expect(cache.bytes == 2 * cost && cache.value(for: "k1") == nil && cache.value(for: "k0") == chunk)
        cache.insert([UInt8](repeating: 1, count: 2 * cost), for: "big")
        #expect(cache.value(for: "big") == nil && cache.count == 2)
        cache.removeAll(withPrefix: "k")
        #expect(cache.count == 0 && cache.bytes == 0)
    }

    @Test func concurrentReadersThroughOneCacheAgree() throws {
        var generator = SeededGenerator(seed: 8)
        let store = MemoryStore()
        let metadata = try ArrayMetadata(shape: [96, 80], dataType: .uint16, chunkShape: [32, 40],
                                         codecs: [TestCodecs.sharding([8, 10], codecs: [TestCodecs.bytes(), TestCodecs.zstd()])])
        let array = try ZarrArray.create(store, metadata: metadata)
        let data = ArrayTests.data([96, 80], seed: 9) { UInt16.random(in: 0...60000, using: &$0) }
        try array.write(data)
        // Room for about a third of the inner chunks: lookups, inserts and evictions interleave.
        let cache = DecodedChunkCache(maxBytes: 32 * (8 * 10 * 2 + 120))
        let cached = array.cachingDecodedChunks(in: cache)
        let regions = (0..<400).map { _ in ArrayTests.randomRegion([96, 80], &generator) }
        let wrong = LockedState(0)
        Parallel.forEachWaiting(regions.count, concurrency: 4) { i in
            let read = try? cached.read(UInt16.self, region: regions[i], concurrency: 2)
            if read != (try? data.copy(region: regions[i])) { wrong.withLock { $0 += 1 } }
        }
        #expect(wrong.withLock { $0 } == 0)
        #expect(cache.bytes <= cache.maxBytes && cache.statistics.hits > 0)
    }

    @Test func writesThroughTheCachingArrayDropTheChunksTheyReplace() throws {
        var generator = SeededGenerator(seed: 78)
        for _ in 0..<8 {
            let (array, data) = try Self.randomArray(&generator, store: MemoryStore())
            let cached = array.cachingDecodedChunks(in: DecodedChunkCache(maxBytes: 1 << 20))
            #expect(try cached.read(UInt16.self) == data)
            var changed = data
            let region = ArrayTests.randomRegion(data.shape, &generator)
            var patch = try data.copy(region: region)
            for i in patch.elements.indices { patch.elements[i] = UInt16.random(in: 1...60000, using: &generator) }
            try cached.write(patch, at: region.origin)
            try changed.copy(from: patch, region: Region(shape: patch.shape), to: region.origin)
            #expect(try cached.read(UInt16.self) == changed)
        }
    }
}
