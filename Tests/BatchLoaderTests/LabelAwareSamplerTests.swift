@testable import BatchLoader
import MIFACore
import OMEZarr
import Testing
import Zarr

@Suite struct LabelAwareSamplerTests {
    /// A 2-D image whose labels are a large region of 1 and a 3 × 3 square of 2, the rest 0.
    static func index() throws -> SampleIndex {
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: [96, 96], dataType: .uint8, options: OMEZarrWriteOptions(levels: 1, chunks: [32, 32]))
        try writer.write(AnyNDArray(NDArray<UInt8>(shape: [96, 96], repeating: 7)))
        let image = try writer.finish()
        var labels = NDArray<UInt8>(shape: [96, 96])
        for y in 0..<96 { for x in 0..<40 { labels[y, x] = 1 } }
        for y in 70..<73 { for x in 80..<83 { labels[y, x] = 2 } }
        try image.addLabel(name: "cells", AnyNDArray(labels))
        return try SampleIndex(sources: [SampleSource(image: OMEZarrImage.open(store), labelName: "cells")])
    }

    @Test func centredSamplesHitLabelsAndRareClasses() throws {
        let index = try Self.index()
        let sampler = try LabelAwarePatchSampler(patch: [12, 12], samplesPerEpoch: 200, foregroundFraction: 1, balanceClasses: true, blockSize: 1, index: index)
        #expect(sampler.classes == [1, 2])
        let loader = try BatchLoader(index: index, sampler: sampler, configuration: BatchLoaderConfiguration(batchSize: 20, seed: 3, memoryBudget: 1 << 22))
        let iterator = try loader.batches(epoch: 0)
        var withRare = 0, total = 0
        while let batch = try iterator.nextBatch() {
            let masks = try #require(try batch.masks(UInt8.self))
            for k in 0..<batch.samples.count {
                let patch = masks.elements[(k * 144)..<((k + 1) * 144)]
                #expect(patch.contains { $0 != 0 })
                if patch.contains(2) { withRare += 1 }
                total += 1
            }
        }
        #expect(total == 200)
        #expect(withRare > 60)  // about half are centred on class 2, which covers 0.1% of the image
        let none = try LabelAwarePatchSampler(patch: [12, 12], samplesPerEpoch: 10, foregroundFraction: 0, index: index)
        var random = SampleRandom(key: 1)
        #expect(none.request(0, in: index, random: &random).shape == [1, 12, 12])
        #expect(throws: BatchLoaderError.self) { try LabelAwarePatchSampler(patch: [4, 4], samplesPerEpoch: 1, foregroundFraction: 2, index: index) }
    }
}

extension LabelAwareSamplerTests {
    @Test func centredPatchesAreCentredOnTheClassExactly() throws {
        let index = try Self.index()
        let labels = try index.sources[0].label!.read(UInt8.self)
        for blockSize in [8, 5, 1] {
            let sampler = try LabelAwarePatchSampler(patch: [12, 12], samplesPerEpoch: 400, foregroundFraction: 1, balanceClasses: true,
                                                     blockSize: blockSize, index: index)
            var unclamped = 0, onRare = 0
            for sample in 0..<400 {
                var random = SampleRandom(seed: 1, epoch: 0, index: sample)
                let request = sampler.request(sample, in: index, random: &random)
                let (y, x) = (request.origin[1], request.origin[2])
                guard (1..<(96 - 12)).contains(y), (1..<(96 - 12)).contains(x) else { continue }  // moved inside the image
                unclamped += 1
                let centre = labels[y + 6, x + 6]
                #expect(centre != 0, "block size \(blockSize), request \(request)")
                if centre == 2 { onRare += 1 }
            }
            #expect(unclamped > 150 && onRare > 100)
        }
        #expect(throws: BatchLoaderError.self) { try LabelAwarePatchSampler(patch: [4, 4], samplesPerEpoch: 1, foregroundFraction: 1, blockSize: 9, index: index) }
    }
}

extension LabelAwareSamplerTests {
    @Test func centredSamplesFollowTheDatasetWeights() throws {
        let two = try LoaderFixtures.twoImages().sources
        let index = try SampleIndex(datasets: [(sources: [two[0]], weight: 3), (sources: [two[1]], weight: 1)])
        for balance in [false, true] {
            let sampler = try LabelAwarePatchSampler(patch: [12, 12], samplesPerEpoch: 2000, foregroundFraction: 1, balanceClasses: balance, index: index)
            var fromFirst = 0
            for sample in 0..<2000 {
                var random = SampleRandom(seed: 2, epoch: 0, index: sample)
                if sampler.request(sample, in: index, random: &random).source == 0 { fromFirst += 1 }
            }
            #expect((1350...1650).contains(fromFirst), "balance \(balance): \(fromFirst) of 2000 from the weight-3 source")
        }
    }
}
