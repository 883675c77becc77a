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

/// Issue 14: the sampler read whole label planes and widened them to Int64 (a 50k × 50k label
/// needs about 25 GB). It now scans tile by tile (about one chunk) in the labels' own type; the
/// summary, hence every request, is the same as the whole-plane scan's.
extension LabelAwareSamplerTests {
    /// The whole-plane scan the sampler used before, kept as the reference: per class and source
    /// the blocks, and per source the foreground blocks, in plane order.
    static func wholePlaneScan(_ index: SampleIndex, blockSize: Int) throws -> (classes: [Int64: [[LabelAwarePatchSampler.Block]]], foreground: [[LabelAwarePatchSampler.Block]]) {
        typealias Block = LabelAwarePatchSampler.Block
        var byClass: [Int64: [[Block]]] = [:]
        var foreground = [[Block]](repeating: [], count: index.sources.count)
        for (s, source) in index.sources.enumerated() {
            guard let label = source.label, let axes = source.labelAxes else { continue }
            let e = source.extents
            for t in 0..<e.t {
                for z in 0..<e.z {
                    var ranges = [Range<Int>](repeating: 0..<1, count: label.rank)
                    if let a = axes.t { ranges[a] = t..<(t + 1) }
                    if let a = axes.z { ranges[a] = z..<(z + 1) }
                    ranges[axes.y] = 0..<e.y
                    ranges[axes.x] = 0..<e.x
                    let values: [Int64]
                    switch try label.read(Region(ranges)) {
                    case .uint8(let a): values = a.elements.map(Int64.init)
                    case .uint16(let a): values = a.elements.map(Int64.init)
                    case .int32(let a): values = a.elements.map(Int64.init)
                    default: Issue.record("unexpected label type"); return ([:], [])
                    }
                    for row in 0..<((e.y + blockSize - 1) / blockSize) {
                        for column in 0..<((e.x + blockSize - 1) / blockSize) {
                            var masks: [Int64: UInt64] = [:]
                            var any: UInt64 = 0
                            for dy in 0..<min(blockSize, e.y - row * blockSize) {
                                let line = (row * blockSize + dy) * e.x + column * blockSize
                                for dx in 0..<min(blockSize, e.x - column * blockSize) where values[line + dx] != 0 {
                                    let bit = UInt64(1) << UInt64(dy * blockSize + dx)
                                    masks[values[line + dx], default: 0] |= bit
                                    any |= bit
                                }
                            }
                            guard any != 0 else { continue }
                            let at = { (pixels: UInt64) in Block(source: Int32(s), t: Int32(t), z: Int32(z), row: Int32(row), column: Int32(column), pixels: pixels) }
                            foreground[s].append(at(any))
                            for (value, pixels) in masks {
                                byClass[value, default: [[Block]](repeating: [], count: index.sources.count)][s].append(at(pixels))
                            }
                        }
                    }
                }
            }
        }
        return (byClass, foreground)
    }

    /// A random label image (`type`, values 0..<classes, mostly 0) of `shape` with `chunks`, on a
    /// constant image.
    static func randomLabels(shape: [Int], chunks: [Int], classes: Int, seed: UInt64, type: DataType) throws -> SampleSource {
        let store = MemoryStore()
        let axes = (shape.count == 3 ? ["z", "y", "x"] : ["y", "x"]).map { Axis.space($0) }
        let writer = try OMEZarrImageWriter(store: store, shape: shape, dataType: .uint8, axes: axes, options: OMEZarrWriteOptions(levels: 1, chunks: chunks))
        try writer.write(AnyNDArray(NDArray<UInt8>(shape: shape, repeating: 1)))
        let image = try writer.finish()
        var random = SampleRandom(key: seed)
        var values = [Int](repeating: 0, count: shape.reduce(1, *))
        for i in values.indices where Int.random(in: 0..<4, using: &random) == 0 { values[i] = Int.random(in: 1..<classes, using: &random) }
        let labels: AnyNDArray
        switch type {
        case .uint16: labels = AnyNDArray(try NDArray<UInt16>(shape: shape, elements: values.map(UInt16.init)))
        case .int32: labels = AnyNDArray(try NDArray<Int32>(shape: shape, elements: values.map(Int32.init)))
        default: labels = AnyNDArray(try NDArray<UInt8>(shape: shape, elements: values.map(UInt8.init)))
        }
        try image.addLabel(name: "cells", labels, options: OMEZarrWriteOptions(levels: 1, chunks: chunks))
        return try SampleSource(image: OMEZarrImage.open(store), labelName: "cells", name: "seed \(seed)")
    }

    @Test func chunkByChunkScanEqualsTheWholePlaneScan() throws {
        // Chunks that are, and are not, multiples of the block size; 2-D and 3-D; three label types.
        let cases: [(shape: [Int], chunks: [Int], type: DataType)] = [
            ([37, 53], [16, 16], .uint8), ([40, 29], [10, 7], .uint16), ([3, 21, 33], [2, 9, 12], .int32), ([19, 64], [19, 64], .uint8),
        ]
        for (k, c) in cases.enumerated() {
            let sources = try (0..<2).map { try Self.randomLabels(shape: c.shape, chunks: c.chunks, classes: 5, seed: UInt64(10 * k + $0), type: c.type) }
            let index = try SampleIndex(sources: sources, weights: [1, 2])
            for blockSize in [1, 3, 8] {
                let reference = try Self.wholePlaneScan(index, blockSize: blockSize)
                let patch = c.shape.count == 3 ? [2, 8, 8] : [8, 8]
                let sampler = try LabelAwarePatchSampler(patch: patch, samplesPerEpoch: 64, foregroundFraction: 0.8, balanceClasses: true,
                                                         blockSize: blockSize, index: index)
                #expect(sampler.classes == reference.classes.keys.sorted())
                #expect(sampler.blocksByClass == sampler.classes.map { reference.classes[$0]! })
                #expect(sampler.foreground == reference.foreground)
                let chunkBytes = c.chunks.suffix(2).map { ($0 + blockSize - 1) / blockSize * blockSize }.reduce(c.type.byteSize, *)
                #expect(sampler.largestScanRead <= chunkBytes)
            }
        }
    }

    /// A label image whose plane as Int64 (32 MiB) is far beyond what the scan may hold: it reads
    /// one 128 × 128 tile of uint8 at a time and still centres every patch on the rare objects.
    @Test func aLabelLargerThanTheBudgetIsScannedChunkByChunk() throws {
        let side = 2048
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: [side, side], dataType: .uint8, options: OMEZarrWriteOptions(levels: 1, chunks: [128, 128]))
        try writer.write(AnyNDArray(NDArray<UInt8>(shape: [side, side], repeating: 5)))
        let image = try writer.finish()
        var labels = NDArray<UInt8>(shape: [side, side])
        let objects = [(300, 1700, UInt8(7)), (1900, 40, UInt8(9)), (1024, 1024, UInt8(7))]
        for (y, x, value) in objects { for dy in 0..<3 { for dx in 0..<3 { labels[y + dy, x + dx] = value } } }
        try image.addLabel(name: "cells", AnyNDArray(labels), options: OMEZarrWriteOptions(levels: 1, chunks: [128, 128]))
        let index = try SampleIndex(sources: [SampleSource(image: OMEZarrImage.open(store), labelName: "cells")])
        let sampler = try LabelAwarePatchSampler(patch: [32, 32], samplesPerEpoch: 300, foregroundFraction: 1, index: index)
        let wholePlaneAsInt64 = side * side * 8
        #expect(sampler.largestScanRead == 128 * 128)
        #expect(sampler.largestScanRead * 2048 <= wholePlaneAsInt64)
        #expect(sampler.classes == [7, 9])
        for sample in 0..<300 {
            var random = SampleRandom(seed: 4, epoch: 0, index: sample)
            let r = sampler.request(sample, in: index, random: &random)
            let (cy, cx) = (r.origin[1] + 16, r.origin[2] + 16)
            #expect(objects.contains { cy >= $0.0 && cy < $0.0 + 3 && cx >= $0.1 && cx < $0.1 + 3 }, "sample \(sample) centred at \(cy), \(cx)")
        }
    }
}
