@testable import BatchLoader
import Annotations
import MIFACore
import OMEZarr
import Testing
import Zarr

/// Random crops, dataset mixing, concurrent decodes of one chunk, and a consumer that holds
/// every batch buffer.
@Suite struct CropMixingAndBudgetTests {
    /// The two fixture images with a point at the centre of every 3rd pixel whose category is the
    /// label value there.
    static func pointedImages() throws -> SampleIndex {
        var sources: [SampleSource] = []
        for source in try LoaderFixtures.twoImages().sources {
            let mask = try source.label!.read(UInt16.self)
            var points: [Annotation] = []
            for y in stride(from: 0, to: mask.shape[0], by: 3) {
                for x in stride(from: 1, to: mask.shape[1], by: 3) {
                    points.append(Annotation(categoryID: .int(Int64(mask[y, x])), value: .geometry(.point(Point(x: Double(x) + 0.5, y: Double(y) + 0.5)))))
                }
            }
            sources.append(source.withAnnotations(points))
        }
        return try SampleIndex(sources: sources)
    }

    @Test func randomCropsKeepImagesMasksAndAnnotationsConsistent() throws {
        let index = try Self.pointedImages()
        let sampler = UniformPatchSampler(patch: [20, 20], samplesPerEpoch: 30)
        let options = AugmentationOptions(flips: true, rotations: true, crop: [11, 11])
        let make = { try BatchLoader(index: index, sampler: sampler, configuration: BatchLoaderConfiguration(
            batchSize: 6, seed: 5, workers: 3, memoryBudget: 1 << 22, augmentation: options)) }
        let loader = try make()
        #expect(loader.patchShape == [1, 11, 11])
        let iterator = try loader.batches(epoch: 0)
        var origins = Set<[Int]>()
        while let batch = try iterator.nextBatch() {
            #expect(batch.imageShape == [batch.samples.count, 2, 11, 11])
            let images = try batch.images(UInt16.self), masks = try #require(try batch.masks(UInt16.self))
            for (k, request) in batch.requests.enumerated() {
                let aug = batch.augmentations[k]
                origins.insert(aug.cropOrigin)
                #expect(aug.cropOrigin[0] == 0 && (0...9).contains(aug.cropOrigin[1]) && (0...9).contains(aug.cropOrigin[2]))
                let crop = PatchRequest(source: request.source, t: request.t, origin: zip(request.origin, aug.cropOrigin).map(+), shape: [1, 11, 11])
                let source = loader.index.sources[request.source]
                let image = try LoaderFixtures.expectedImage(crop, source: source, channels: [0, 1])
                let mask = try LoaderFixtures.expectedMask(crop, source: source)
                // Pixel (r, c) of the crop lands where its centre moves under the flips and rotation.
                for r in 0..<11 {
                    for c in 0..<11 {
                        let v = aug.apply(Vertex(Double(c) + 0.5, Double(r) + 0.5), height: 11, width: 11)
                        #expect(masks[k, Int(v.y), Int(v.x)] == mask[r * 11 + c])
                        #expect(images[k, 1, Int(v.y), Int(v.x)] == image[121 + r * 11 + c])
                    }
                }
                // Every point of the crop is there, on a pixel of its own label.
                var expectedPoints = 0
                for r in 0..<11 where (crop.origin[1] + r) % 3 == 0 {
                    for c in 0..<11 where (crop.origin[2] + c) % 3 == 1 && crop.origin[2] + c < source.extents.x && crop.origin[1] + r < source.extents.y {
                        expectedPoints += 1
                    }
                }
                #expect(batch.annotations[k].count == expectedPoints)
                for annotation in batch.annotations[k] {
                    guard case .point(let p) = annotation.shape, case .int(let value)? = annotation.categoryID else { continue }
                    #expect(Int64(masks[k, Int(p.y), Int(p.x)]) == value)
                }
            }
        }
        #expect(origins.count > 5)
        #expect(try LoaderFixtures.digests(try make(), epoch: 0) == (try LoaderFixtures.digests(loader, epoch: 0)))
        #expect(throws: BatchLoaderError.self) {
            try BatchLoader(index: index, sampler: sampler, configuration: BatchLoaderConfiguration(augmentation: AugmentationOptions(crop: [21, 5])))
        }
        #expect(throws: BatchLoaderError.self) {
            try BatchLoader(index: index, sampler: sampler, configuration: BatchLoaderConfiguration(augmentation: AugmentationOptions(crop: [2, 5, 5])))
        }
    }

    @Test func datasetsAreMixedByWeight() throws {
        let two = try LoaderFixtures.twoImages().sources
        let index = try SampleIndex(datasets: [(sources: [two[0], two[0]], weight: 3), (sources: [two[1]], weight: 1)])
        #expect(index.weights == [1.5, 1.5, 1])
        let make = { try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [8, 8], samplesPerEpoch: 4000),
                                     configuration: BatchLoaderConfiguration(seed: 9, memoryBudget: 1 << 22)) }
        let loader = try make(), again = try make()
        let order = try loader.order(epoch: 0)
        var perSource = [0, 0, 0]
        for position in 0..<order.shardCount {
            let request = loader.sample(at: position, order: order).request
            #expect(request == again.sample(at: position, order: order).request)
            perSource[request.source] += 1
        }
        #expect((2800...3200).contains(perSource[0] + perSource[1]))  // 3/4 of 4000, within 7 standard deviations
        #expect((1200...1800).contains(perSource[0]))
        #expect(throws: BatchLoaderError.self) { try SampleIndex(datasets: [(sources: [two[0]], weight: 1), (sources: [], weight: 1)]) }
        #expect(throws: BatchLoaderError.self) { try SampleIndex(datasets: [(sources: [two[0]], weight: 0)]) }
    }

    @Test func concurrentRequestsForOneChunkDecodeItOnce() throws {
        let image = try LoaderFixtures.image(shape: [64, 64], axes: ["y", "x"], chunks: [64, 64], seed: 4, labels: false)
        let index = try SampleIndex(sources: [SampleSource(image: image)])
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [8, 8], samplesPerEpoch: 96),
                                     configuration: BatchLoaderConfiguration(batchSize: 8, workers: 6, prefetch: 4, memoryBudget: 1 << 22))
        let iterator = try loader.batches(epoch: 0)
        while try iterator.nextBatch() != nil {}
        let metrics = loader.metrics
        #expect(metrics.chunksDecoded == 1 && metrics.cacheMisses == 1)
        #expect(metrics.cacheHits + metrics.sharedLoads == 95)
    }

    @Test func recycledChunkBuffersKeepEveryPixelExact() throws {
        let index = try LoaderFixtures.twoImages()
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [24, 20], samplesPerEpoch: 60),
                                     configuration: BatchLoaderConfiguration(batchSize: 3, seed: 2, workers: 3, prefetch: 1, memoryBudget: 60_000))
        let iterator = try loader.batches(epoch: 0)
        while let batch = try iterator.nextBatch() {
            let images = try batch.images(UInt16.self), masks = try #require(try batch.masks(UInt16.self))
            for (k, request) in batch.requests.enumerated() {
                let source = loader.index.sources[request.source]
                #expect(Array(images.elements[(k * 960)..<((k + 1) * 960)]) == (try LoaderFixtures.expectedImage(request, source: source, channels: [0, 1])))
                #expect(Array(masks.elements[(k * 480)..<((k + 1) * 480)]) == (try LoaderFixtures.expectedMask(request, source: source)))
            }
        }
        // The cache was too small to keep every chunk: chunks were dropped and decoded again.
        let roomy = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [24, 20], samplesPerEpoch: 60),
                                    configuration: BatchLoaderConfiguration(batchSize: 3, seed: 2, memoryBudget: 1 << 22))
        #expect(try LoaderFixtures.digests(roomy, epoch: 0) == (try LoaderFixtures.digests(loader, epoch: 0)))
        #expect(loader.metrics.chunksDecoded > roomy.metrics.chunksDecoded)
        #expect(loader.metrics.peakMemoryBytes <= 60_000)
    }

    @Test func holdingEveryBatchBufferThrowsInsteadOfHanging() throws {
        let index = try LoaderFixtures.twoImages()
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 400),
                                     configuration: BatchLoaderConfiguration(batchSize: 4, workers: 2, prefetch: 1, memoryBudget: 40_000))
        let capacity = loader.pool.capacity
        #expect(capacity >= 2)
        let iterator = try loader.batches(epoch: 0)
        var held: [Batch] = []
        let error = try #require(throws: BatchLoaderError.self) {
            while let batch = try iterator.nextBatch() { held.append(batch) }
        }
        #expect(error.kind == .budgetTooSmall)
        #expect(held.count == capacity)
        #expect(loader.metrics.peakMemoryBytes <= 40_000)
        held.removeAll()
        // Holding one batch less than the buffers while asking for the next always makes progress.
        let again = try loader.batches(epoch: 1)
        var window: [Batch] = []
        var count = 0
        while let batch = try again.nextBatch() {
            window.append(batch)
            if window.count == capacity { window.removeFirst() }
            count += 1
        }
        #expect(count == 100)
    }
}
