import Foundation
import TestSupport
import MIFACore
import Testing
@testable import Zarr

/// The opt-in shard-index cache: reads through it equal reads without it, it reads each index
/// once while it is cached, it never holds more than its bound, and writes drop what they replace.
struct ShardIndexCacheTests {
    @Test func cachedReadsEqualUncachedReadsOnRandomRegions() throws {
        var generator = SeededGenerator(seed: 21)
        for _ in 0..<40 {
            let (array, data) = try DecodedChunkCacheTests.randomArray(&generator, store: MemoryStore(), sharded: true)
            // Bounds from "holds nothing" through "holds a few" to "holds all", so eviction is exercised.
            let bound = [0, 200, 700, 5000, 1 << 20].randomElement(using: &generator)!
            let cache = ShardIndexCache(maxBytes: bound)
            let cached = array.cachingShardIndexes(in: cache)
            for _ in 0..<25 {
                let region = ArrayTests.randomRegion(data.shape, &generator)
                let expected = try data.copy(region: region)
                let plain = try array.read(UInt16.self, region: region, concurrency: Int.random(in: 1...3, using: &generator))
                let through = try cached.read(UInt16.self, region: region, concurrency: Int.random(in: 1...3, using: &generator))
                #expect(plain == expected)
                #expect(through == expected, "region [\(region)] of shape \(data.shape)")
                #expect(cache.bytes <= bound)
            }
        }
    }

    @Test func eachIndexIsReadOnceWhileItIsCached() throws {
        let store = RecordingStore()
        let metadata = try ArrayMetadata(shape: [64, 64], dataType: .uint16, chunkShape: [32, 32],
                                         codecs: [TestCodecs.sharding([8, 8], codecs: [TestCodecs.bytes(), TestCodecs.zstd()])])
        let array = try ZarrArray.create(store, metadata: metadata)
        try array.write(NDArray<UInt16>(shape: [64, 64], repeating: 7))
        let cache = ShardIndexCache(maxBytes: 1 << 20)
        let cached = array.cachingShardIndexes(in: cache)
        _ = store.takeReads()
        _ = try cached.read(UInt16.self, region: Region([9..<12, 40..<47]))
        #expect(store.takeReads().count == 2)  // the index, then the inner chunk
        _ = try cached.read(UInt16.self, region: Region([0..<8, 32..<40]))
        let again = store.takeReads()
        #expect(again.count == 1 && again[0].0 == "c/0/1" && again[0].1 != .suffix(length: 16 * 16 + 4))
        #expect(cache.count == 1 && cache.statistics == (hits: 1, misses: 1))
        // The uncached array still reads the index every time.
        _ = try array.read(UInt16.self, region: Region([0..<8, 32..<40]))
        #expect(store.takeReads().count == 2)
    }

    @Test func theBoundIsNeverExceededAndTheLeastRecentlyUsedGoesFirst() throws {
        let one = ShardIndex(ranges: [0..<4, nil, 4..<9])
        let cost = ShardIndexCache(maxBytes: 0).cost(of: one, key: "k0")
        let cache = ShardIndexCache(maxBytes: 2 * cost)
        cache.insert(one, for: "k0")
        cache.insert(one, for: "k1")
        #expect(cache.value(for: "k0") == one)  // k1 is now the least recently used
        cache.insert(one, for: "k2")
        #expect(cache.bytes <= 2 * cost && cache.count == 2)
        #expect(cache.value(for: "k1") == nil && cache.value(for: "k0") == one && cache.value(for: "k2") == one)
        // An index larger than the whole bound is not kept, and does not evict the others.
        let big = ShardIndex(ranges: [Range<Int>?](repeating: 0..<1, count: 1000))
        cache.insert(big, for: "big")
        #expect(cache.value(for: "big") == nil && cache.count == 2)
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<2000 {
            let key = "k\(Int.random(in: 0..<50, using: &generator))"
            if Bool.random(using: &generator) {
                cache.insert(ShardIndex(ranges: [Range<Int>?](repeating: nil, count: Int.random(in: 0...4, using: &generator))), for: key)
            } else {
                _ = cache.value(for: key)
            }
            #expect(cache.bytes <= cache.maxBytes)
        }
        cache.removeAll()
        #expect(cache.bytes == 0 && cache.count == 0)
    }

    @Test func writesThroughTheCachingArrayDropTheIndexesTheyReplace() throws {
        var generator = SeededGenerator(seed: 77)
        let store = MemoryStore()
        let (array, data) = try DecodedChunkCacheTests.randomArray(&generator, store: store, sharded: true)
        let cached = array.cachingShardIndexes(in: ShardIndexCache(maxBytes: 1 << 20))
        #expect(try cached.read(UInt16.self) == data)
        var changed = data
        for i in changed.elements.indices { changed.elements[i] = UInt16.random(in: 1...60000, using: &generator) }
        try cached.write(changed)
        #expect(try cached.read(UInt16.self) == changed)
    }
}

/// Concurrent readers of one shard's index on a cold cache.
@Suite struct ShardIndexSingleReadTests {
    @Test func concurrentCallersForOneShardReadItsIndexOnce() throws {
        let cache = ShardIndexCache(maxBytes: 1 << 20)
        let index = ShardIndex(ranges: [0..<4, nil])
        let reads = LockedState(0)
        let answers = Slots<ShardIndex>(count: 8)
        Parallel.forEachWaiting(8, concurrency: 8) { i in
            answers[i] = try? cache.value(for: "shard") {
                reads.withLock { $0 += 1 }
                usleep(50_000)  // long enough for the other seven to ask meanwhile
                return index
            }
        }
        #expect(reads.withLock { $0 } == 1)
        #expect(answers.all.allSatisfy { $0 == index })
        #expect(cache.statistics == (hits: 7, misses: 1))
    }

    @Test func afterAFailedReadTheWaitersReadForThemselves() {
        struct Failure: Error {}
        let cache = ShardIndexCache(maxBytes: 1 << 20)
        let reads = LockedState(0)
        let failures = LockedState(0)
        Parallel.forEachWaiting(4, concurrency: 4) { _ in
            do {
                _ = try cache.value(for: "shard") {
                    reads.withLock { $0 += 1 }
                    usleep(20_000)
                    throw Failure()
                }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 4 && reads.withLock { $0 } == 4 && cache.count == 0)
    }
}
