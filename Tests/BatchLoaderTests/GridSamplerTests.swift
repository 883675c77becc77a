@testable import BatchLoader
import MIFACore
import Testing

@Suite struct GridSamplerTests {
    @Test func gridTilesCoverAndStitchBack() throws {
        let index = try LoaderFixtures.twoImages()
        let sampler = try GridPatchSampler(patch: [32, 24], overlap: [8, 4])
        #expect(GridPatchSampler.starts(extent: 70, size: 32, step: 24) == [0, 24, 38])
        #expect(GridPatchSampler.starts(extent: 20, size: 32, step: 24) == [0])
        let loader = try BatchLoader(index: index, sampler: sampler,
                                     configuration: BatchLoaderConfiguration(batchSize: 3, shuffle: false, workers: 2, memoryBudget: 1 << 22, imageType: .float32))
        var aggregator = GridAggregator(index: loader.index, channels: 2)
        let iterator = try loader.batches(epoch: 0)
        var tiles = 0
        while let batch = try iterator.nextBatch() {
            let images = try batch.images(Float.self)
            let n = 2 * 32 * 24
            for (k, request) in batch.requests.enumerated() {
                aggregator.add(Array(images.elements[(k * n)..<((k + 1) * n)]), for: request)
                tiles += 1
            }
        }
        #expect(tiles == sampler.sampleCount(in: index))
        for (i, source) in loader.index.sources.enumerated() {
            let expected = try source.image.read(UInt16.self).elements.map(Float.init)
            #expect(aggregator.result(source: i) == Array(expected))
        }
        #expect(throws: BatchLoaderError.self) { try GridPatchSampler(patch: [8, 8], overlap: [8, 0]) }
    }

    @Test func wholeImagesArePaddedToTheLargest() throws {
        let index = try LoaderFixtures.twoImages()
        let loader = try BatchLoader(index: index, sampler: WholeImageSampler(),
                                     configuration: BatchLoaderConfiguration(batchSize: 2, shuffle: false, memoryBudget: 1 << 22))
        let iterator = try loader.batches(epoch: 0)
        let batch = try #require(try iterator.nextBatch())
        #expect(batch.imageShape == [2, 2, 70, 90])
        let images = try batch.images(UInt16.self)
        let second = Array(images.elements[(2 * 70 * 90)...])
        let expected = try LoaderFixtures.expectedImage(batch.requests[1], source: loader.index.sources[1], channels: [0, 1])
        #expect(second == expected)
        #expect(try iterator.nextBatch() == nil)
    }
}
