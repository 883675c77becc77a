@testable import BatchLoader
import Foundation
import MIFACore
import OMEZarr
import Testing
import Zarr

@Suite struct BatchLoaderTests {
    @Test func everyPixelEqualsADirectRead() throws {
        let index = try LoaderFixtures.twoImages()
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [24, 20], samplesPerEpoch: 23),
                                     configuration: BatchLoaderConfiguration(batchSize: 5, seed: 7, workers: 3, prefetch: 2, memoryBudget: 1 << 22))
        #expect(loader.batchesPerEpoch == 5)
        let iterator = try loader.batches(epoch: 0)
        var count = 0
        while let batch = try iterator.nextBatch() {
            let images = try batch.images(UInt16.self)
            let masks = try #require(try batch.masks(UInt16.self))
            #expect(images.shape == [batch.samples.count, 2, 24, 20])
            let patch = 2 * 24 * 20
            for (k, request) in batch.requests.enumerated() {
                let source = loader.index.sources[request.source]
                let expected = try LoaderFixtures.expectedImage(request, source: source, channels: [0, 1])
                #expect(Array(images.elements[(k * patch)..<((k + 1) * patch)]) == expected)
                let mask = try LoaderFixtures.expectedMask(request, source: source)
                #expect(Array(masks.elements[(k * 480)..<((k + 1) * 480)]) == mask)
            }
            count += batch.samples.count
        }
        #expect(count == 23)
        let metrics = loader.metrics
        #expect(metrics.patches == 23 && metrics.batches == 5)
        #expect(metrics.chunksDecoded > 0 && metrics.bytesRead > 0)
        #expect(metrics.peakMemoryBytes <= 1 << 22)
    }

    @Test func float32ChannelSubsetAndNormalisation() throws {
        let index = try LoaderFixtures.twoImages()
        let config = BatchLoaderConfiguration(batchSize: 4, seed: 1, workers: 2, memoryBudget: 1 << 22, imageType: .float32,
                                              normalization: Normalization(mean: [100], std: [2]), channels: [1])
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [30, 30], samplesPerEpoch: 8), configuration: config)
        let iterator = try loader.batches(epoch: 3)
        while let batch = try iterator.nextBatch() {
            let images = try batch.images(Float.self)
            #expect(images.shape == [4, 1, 30, 30])
            for (k, request) in batch.requests.enumerated() {
                let expected = try LoaderFixtures.expectedImage(request, source: loader.index.sources[request.source], channels: [1])
                let got = Array(images.elements[(k * 900)..<((k + 1) * 900)])
                let want: [Float] = expected.map { (Float($0) - 100) * 0.5 }
                #expect(got == want)
            }
        }
    }

    @Test func threeDimensionalAndPlanarPatchesFromVolumes() throws {
        let volume = try LoaderFixtures.image(shape: [6, 33, 41], axes: ["z", "y", "x"], chunks: [4, 16, 16], seed: 3)
        let index = try SampleIndex(sources: [SampleSource(image: volume, labelName: "cells")])
        for patch in [[4, 12, 12], [12, 12]] {
            let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: patch, samplesPerEpoch: 9),
                                         configuration: BatchLoaderConfiguration(batchSize: 4, workers: 2, memoryBudget: 1 << 22))
            let iterator = try loader.batches(epoch: 0)
            while let batch = try iterator.nextBatch() {
                #expect(batch.imageShape == [batch.samples.count, 1] + patch)
                let images = try batch.images(UInt16.self), masks = try #require(try batch.masks(UInt16.self))
                let n = patch.reduce(1, *)
                for (k, request) in batch.requests.enumerated() {
                    let source = loader.index.sources[0]
                    #expect(Array(images.elements[(k * n)..<((k + 1) * n)]) == (try LoaderFixtures.expectedImage(request, source: source, channels: [0])))
                    #expect(Array(masks.elements[(k * n)..<((k + 1) * n)]) == (try LoaderFixtures.expectedMask(request, source: source)))
                }
            }
        }
    }

    @Test func identicalDigestsForAnyNumberOfThreads() throws {
        let index = try LoaderFixtures.twoImages()
        var reference: [UInt64]?
        for (workers, prefetch, ordered) in [(1, 1, true), (2, 2, true), (4, 3, true), (8, 4, true), (3, 2, false)] {
            let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 40),
                                         configuration: BatchLoaderConfiguration(batchSize: 6, seed: 11, workers: workers, prefetch: prefetch,
                                                                                  memoryBudget: 1 << 21, ordered: ordered))
            var digests = try LoaderFixtures.digests(loader, epoch: 2)
            if !ordered { digests.sort() }
            if let reference {
                #expect(digests == (ordered ? reference : reference.sorted()), "workers \(workers)")
            } else {
                reference = digests
            }
        }
        let other = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 40),
                                    configuration: BatchLoaderConfiguration(batchSize: 6, seed: 12, memoryBudget: 1 << 21))
        #expect(try LoaderFixtures.digests(other, epoch: 2) != reference)
    }

    @Test func resumingFromACheckpointReproducesTheRest() throws {
        let index = try LoaderFixtures.twoImages()
        let make = { try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 30),
                                     configuration: BatchLoaderConfiguration(batchSize: 4, seed: 5, workers: 3, memoryBudget: 1 << 21)) }
        let full = try LoaderFixtures.digests(try make(), epoch: 1)
        #expect(full.count == 8)
        for step in 0...full.count {
            let loader = try make()
            let iterator = try loader.batches(epoch: 1)
            for _ in 0..<step { _ = try iterator.nextBatch() }
            let checkpoint = iterator.checkpoint
            #expect(checkpoint == LoaderCheckpoint(seed: 5, epoch: 1, batch: step))
            iterator.cancel()
            let resumed = try make().batches(resuming: checkpoint)
            var rest: [UInt64] = []
            while let batch = try resumed.nextBatch() { rest.append(batch.digest) }
            #expect(rest == Array(full[step...]))
        }
    }

    @Test func ranksGetDisjointEqualShards() throws {
        let index = try LoaderFixtures.twoImages()
        var seen: [Int] = []
        var sizes = Set<Int>()
        for rank in 0..<3 {
            let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [8, 8], samplesPerEpoch: 30),
                                         configuration: BatchLoaderConfiguration(batchSize: 4, seed: 2, rank: rank, worldSize: 3, memoryBudget: 1 << 21))
            let iterator = try loader.batches(epoch: 0)
            var mine: [Int] = []
            while let batch = try iterator.nextBatch() { mine += batch.samples }
            sizes.insert(mine.count)
            seen += mine
        }
        #expect(sizes == [10])
        #expect(seen.sorted() == Array(0..<30))
        let fromEnvironment = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [8, 8], samplesPerEpoch: 30),
                                              configuration: BatchLoaderConfiguration(memoryBudget: 1 << 22), environment: ["RANK": "1", "WORLD_SIZE": "3"])
        #expect(fromEnvironment.rank == 1 && fromEnvironment.worldSize == 3)
    }

    @Test func memoryBudgetHoldsUnderASlowConsumer() throws {
        let index = try LoaderFixtures.twoImages()
        let config = BatchLoaderConfiguration(batchSize: 4, seed: 3, workers: 4, prefetch: 2, memoryBudget: 80_000)
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 48), configuration: config)
        let iterator = try loader.batches(epoch: 0)
        var batches = 0
        while let batch = try iterator.nextBatch() {
            _ = batch.digest
            Thread.sleep(forTimeInterval: 0.005)
            #expect(loader.metrics.memoryInUse <= 80_000)
            batches += 1
        }
        #expect(batches == 12)
        #expect(loader.metrics.peakMemoryBytes <= 80_000)
        #expect(throws: BatchLoaderError.self) {
            try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [64, 64], samplesPerEpoch: 4),
                            configuration: BatchLoaderConfiguration(batchSize: 4, memoryBudget: 10_000))
        }
    }

    @Test func aCorruptChunkSurfacesWithItsKey() throws {
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: [32, 32], dataType: .uint16, options: OMEZarrWriteOptions(levels: 1, chunks: [16, 16]))
        try writer.write(AnyNDArray(NDArray<UInt16>(shape: [32, 32], repeating: 9)))
        _ = try writer.finish()
        let chunkKey = try #require(try store.list(prefix: "0/").first { !$0.value.hasSuffix(".json") && !$0.value.hasSuffix(".zarray") && !$0.value.hasSuffix(".zattrs") })
        try store.set(chunkKey, [1, 2, 3, 4, 5])
        let index = try SampleIndex(sources: [SampleSource(image: OMEZarrImage.open(store))])
        let loader = try BatchLoader(index: index, sampler: WholeImageSampler(), configuration: BatchLoaderConfiguration(batchSize: 1, memoryBudget: 1 << 20))
        let iterator = try loader.batches(epoch: 0)
        let error = try #require(throws: BatchLoaderError.self) { _ = try iterator.nextBatch() }
        #expect(error.kind == .chunkFailed)
        #expect(error.context.key == chunkKey.value)
        // Asking again does not turn the failed epoch into a complete one.
        let again = try #require(throws: BatchLoaderError.self) { _ = try iterator.nextBatch() }
        #expect(again.kind == .chunkFailed && again.context.key == chunkKey.value)
        #expect(!iterator.isComplete)
    }

    /// Issue 14: `next()` was `try? pipeline.next()`, so a loop over it saw a chunk failure as the
    /// end of a complete epoch. Now `next()` throws, on the first call and on every call after.
    @Test func aChunkFailureIsNeverAShortEpoch() throws {
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: [64, 64], dataType: .uint16, options: OMEZarrWriteOptions(levels: 1, chunks: [16, 16]))
        try writer.write(AnyNDArray(NDArray<UInt16>(shape: [64, 64], repeating: 9)))
        _ = try writer.finish()
        // Damage the last chunk, so that the first batches succeed and a later one fails.
        let chunkKey = try #require(try store.list(prefix: "0/").filter { !$0.value.hasSuffix(".json") }.map(\.value).sorted().last)
        try store.set(try StoreKey(chunkKey), [1, 2, 3, 4, 5])
        let index = try SampleIndex(sources: [SampleSource(image: OMEZarrImage.open(store))])
        let origins = (0..<4).flatMap { y in (0..<4).map { x in [0, 16 * y, 16 * x] } }
        let sampler = try PatchListSampler(requests: origins.map { PatchRequest(source: 0, origin: $0, shape: [1, 16, 16]) }, index: index)
        let loader = try BatchLoader(index: index, sampler: sampler,
                                     configuration: BatchLoaderConfiguration(batchSize: 4, shuffle: false, workers: 1, memoryBudget: 1 << 20))
        let iterator = try loader.batches(epoch: 0)
        var delivered = 0
        let error = try #require(throws: BatchLoaderError.self) {
            while try iterator.next() != nil { delivered += 1 }
        }
        #expect(error.kind == .chunkFailed && error.context.key == chunkKey)
        #expect(delivered == 3)
        #expect(throws: BatchLoaderError.self) { _ = try iterator.next() }
        #expect(!iterator.isComplete)
        let whole = try loader.batches(epoch: 0, startingAt: 3)
        #expect(throws: BatchLoaderError.self) { _ = try whole.nextBatch() }
        let good = try BatchLoader(index: index, sampler: try PatchListSampler(requests: Array(origins.prefix(12)).map { PatchRequest(source: 0, origin: $0, shape: [1, 16, 16]) }, index: index),
                                   configuration: BatchLoaderConfiguration(batchSize: 4, shuffle: false, memoryBudget: 1 << 20))
        let complete = try good.batches(epoch: 0)
        while try complete.next() != nil {}
        #expect(complete.isComplete)
    }

    @Test func cancellationStopsTheIterator() throws {
        let index = try LoaderFixtures.twoImages()
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 400),
                                     configuration: BatchLoaderConfiguration(batchSize: 4, workers: 3, memoryBudget: 1 << 20))
        let iterator = try loader.batches(epoch: 0)
        _ = try iterator.nextBatch()
        iterator.cancel()
        #expect(try iterator.nextBatch() == nil)
    }

    @Test func asyncSequenceGivesTheSameBatches() async throws {
        let index = try LoaderFixtures.twoImages()
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 20),
                                     configuration: BatchLoaderConfiguration(batchSize: 4, seed: 8, memoryBudget: 1 << 21))
        var digests: [UInt64] = []
        for try await batch in loader.sequence(epoch: 0) { digests.append(batch.digest) }
        #expect(digests == (try LoaderFixtures.digests(loader, epoch: 0)))
    }
}
