@testable import BatchLoader
import MIFACore
import OMEZarr
import TestSupport
import Testing
import Zarr

/// The loader over sharded images: the same patches as over the same pixels unsharded, with each
/// shard's index kept in the loader's bounded shard-index cache.
struct ShardedSourceTests {
    @Test func shardedImagesGiveTheSameBatchesAndReadEachIndexOnce() throws {
        var generator = SeededGenerator(seed: 12)
        for _ in 0..<4 {
            let shape = [Int.random(in: 40...100, using: &generator), Int.random(in: 40...100, using: &generator)]
            let seed = Int.random(in: 0...9, using: &generator)
            let plain = try LoaderFixtures.image(shape: shape, axes: ["y", "x"], chunks: [16, 16], seed: seed)
            let sharded = try LoaderFixtures.image(shape: shape, axes: ["y", "x"], chunks: [16, 16], shards: [32, 32], seed: seed)
            func loader(_ image: OMEZarrImage) throws -> BatchLoader {
                try BatchLoader(index: SampleIndex(sources: [SampleSource(image: image, labelName: "cells")]),
                                sampler: UniformPatchSampler(patch: [12, 10], samplesPerEpoch: 48),
                                configuration: BatchLoaderConfiguration(batchSize: 4, seed: 5, workers: 1, memoryBudget: 1 << 22))
            }
            let expected = try loader(plain), actual = try loader(sharded)
            #expect(try LoaderFixtures.digests(actual, epoch: 0) == (try LoaderFixtures.digests(expected, epoch: 0)))
            #expect(expected.index.sources[0].image.shardIndexCache == nil, "nothing caches indexes of unsharded images")
            let cache = try #require(actual.index.sources[0].image.shardIndexCache)
            let shards = shape.map { ($0 + 31) / 32 }.reduce(1, *)
            // One worker: each shard's index was read at most once (the cache holds them all), however many
            // inner chunks were read from it.
            #expect(cache.statistics.misses <= shards + (actual.index.sources[0].label?.shardIndexCache == nil ? 0 : shards))
            #expect(cache.statistics.hits > 0 && cache.bytes <= cache.maxBytes)
        }
    }
}
