@testable import BatchLoader
import MIFACore
import Testing

/// The pipeline registers with the cache the chunks its coming patches will look up: exactly the
/// lookups the workers then make (so the cache's view of the future is the truth), and the batches
/// are the same whatever the cache keeps.
@Suite struct ChunkScheduleTests {
    private static func loader(_ index: SampleIndex, budget: Int, crop: [Int]? = nil, samples: Int = 96) throws -> BatchLoader {
        let options = AugmentationOptions(flips: crop != nil, rotations: crop != nil, crop: crop)
        return try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [20, 20], samplesPerEpoch: samples),
                               configuration: BatchLoaderConfiguration(batchSize: 8, seed: 9, workers: 2, prefetch: 2,
                                                                       memoryBudget: budget, channels: [0, 1], augmentation: options))
    }

    @Test(arguments: [nil, [14, 14]]) func everyRegisteredLookupHappens(crop: [Int]?) throws {
        let loader = try Self.loader(try LoaderFixtures.twoImages(), budget: 1 << 22, crop: crop)
        let batches = try loader.batches(epoch: 0)
        #expect(try batches.next() != nil)
        #expect(loader.cache.scheduledLookups > 0)
        while try batches.next() != nil {}
        // Every chunk the schedule said a patch would look up, it looked up (image channels, labels,
        // crops): nothing registered is left over.
        #expect(loader.cache.scheduledLookups == 0)
        // And every lookup was registered.
        #expect(loader.cache.unforeseenLookups == 0)
        #expect(batches.isComplete)
    }

    @Test func aCacheTooSmallForTheDataGivesTheSameBatches() throws {
        // The same epoch with room for every chunk and with room for a few: the cache decides only
        // what is decoded again, never what a batch holds.
        let index = try LoaderFixtures.twoImages()
        let roomy = try Self.loader(index, budget: 1 << 24)
        let tight = try Self.loader(index, budget: 1 << 17)
        #expect(try LoaderFixtures.digests(tight, epoch: 0) == LoaderFixtures.digests(roomy, epoch: 0))
        #expect(tight.metrics.chunksDecoded > roomy.metrics.chunksDecoded)
        #expect(tight.cache.scheduledLookups == 0)
    }
}
