@testable import DatasetPackage
import MIFACore
import OMEZarr
import Testing
import TestSupport
import Zarr

/// ``LabelSetComparison`` over label images, one chunk of level 0 at a time, gives the changes of
/// the whole arrays: random label pairs (random shapes, chunks, values, one side sometimes absent
/// or of another shape), chunked against whole and against the pixel sets computed here.
@Suite struct LabelSetComparisonTests {
    /// Random labels: rectangles of values 1...`objects` over background, on a `height` x `width` grid.
    static func labels(height: Int, width: Int, objects: UInt16, _ random: inout SeededGenerator) -> [UInt16] {
        var labels = [UInt16](repeating: 0, count: height * width)
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let value = UInt16.random(in: 1...objects, using: &random)
            let y = Int.random(in: 0..<height, using: &random), x = Int.random(in: 0..<width, using: &random)
            let h = Int.random(in: 1...max(1, height - y), using: &random), w = Int.random(in: 1...max(1, width - x), using: &random)
            for r in y..<(y + h) { for c in x..<(x + w) { labels[r * width + c] = value } }
        }
        return labels
    }

    /// `labels` changed a little: a rectangle repainted with a value (maybe 0, maybe new).
    static func edited(_ labels: [UInt16], height: Int, width: Int, objects: UInt16, _ random: inout SeededGenerator) -> [UInt16] {
        var result = labels
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            let value = UInt16.random(in: 0...objects + 1, using: &random)
            let y = Int.random(in: 0..<height, using: &random), x = Int.random(in: 0..<width, using: &random)
            for r in y..<min(height, y + Int.random(in: 1...4, using: &random)) { for c in x..<min(width, x + Int.random(in: 1...4, using: &random)) { result[r * width + c] = value } }
        }
        return result
    }

    /// An OME-Zarr image of `labels` in memory, chunked by `chunks`.
    static func image(_ labels: [UInt16], shape: [Int], chunks: [Int]) throws -> OMEZarrImage {
        let store = MemoryStore()
        let writer = try OMEZarrImageWriter(store: store, shape: shape, dataType: .uint16, options: OMEZarrWriteOptions(levels: 1, chunks: chunks))
        try writer.write(AnyNDArray(NDArray<UInt16>(shape: shape, elements: labels)))
        _ = try writer.finish()
        return try OMEZarrImage.open(store)
    }

    /// The changes as pixel sets imply them: a value in one version only is added or removed, a
    /// value in both is changed when its pixels differ (every shared value when the shapes differ).
    static func expected(_ old: [UInt16]?, _ new: [UInt16]?, sameShape: Bool, image: String) -> ObjectChanges {
        func pixels(_ labels: [UInt16]?) -> [UInt16: Set<Int>] {
            var result: [UInt16: Set<Int>] = [:]
            for (i, value) in (labels ?? []).enumerated() where value != 0 { result[value, default: []].insert(i) }
            return result
        }
        let before = pixels(old), after = pixels(new)
        let names = { (values: [UInt16]) in values.sorted().map { "\(image):\($0)" } }
        return ObjectChanges(added: names(after.keys.filter { before[$0] == nil }), removed: names(before.keys.filter { after[$0] == nil }),
                             changed: names(before.keys.filter { after[$0] != nil && (!sameShape || after[$0] != before[$0]) }))
    }

    @Test(arguments: 1...40) func chunkByChunkGivesTheChangesOfTheWholeArrays(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let height = Int.random(in: 1...20, using: &random), width = Int.random(in: 1...24, using: &random)
        let objects = UInt16.random(in: 1...5, using: &random)
        let shape = [height, width]
        var old: [UInt16]? = Self.labels(height: height, width: width, objects: objects, &random)
        var new: [UInt16]? = Self.edited(old!, height: height, width: width, objects: objects, &random)
        var newShape = shape
        switch Int.random(in: 0..<8, using: &random) {
        case 0: old = nil
        case 1: new = nil
        case 2:
            newShape = [height + 1, width]
            new = Self.labels(height: height + 1, width: width, objects: objects, &random)
        default: break
        }
        let chunks = { (shape: [Int], random: inout SeededGenerator) in shape.map { Int.random(in: 1...$0, using: &random) } }
        let oldImage = try old.map { try Self.image($0, shape: shape, chunks: chunks(shape, &random)) }
        let newImage = try new.map { try Self.image($0, shape: newShape, chunks: chunks(newShape, &random)) }
        let chunked = try LabelSetComparison.compare(old: oldImage, new: newImage, imageID: "img")
        let whole = try LabelSetComparison.compare(old: old.map { AnyNDArray(try NDArray<UInt16>(shape: shape, elements: $0)) },
                                                   new: new.map { AnyNDArray(try NDArray<UInt16>(shape: newShape, elements: $0)) }, imageID: "img")
        #expect(chunked == whole, "seed \(seed)")
        #expect(chunked == Self.expected(old, new, sameShape: old != nil && new != nil && shape == newShape, image: "img"), "seed \(seed)")
    }

    @Test func theRegionsTileTheShapeOnce() {
        var regions: [Region] = []
        LabelSetComparison.forEachRegion(shape: [5, 7], chunk: [2, 3]) { regions.append($0) }
        #expect(regions.count == 3 * 3)
        var covered = [Int](repeating: 0, count: 35)
        for region in regions {
            for r in region.ranges[0] { for c in region.ranges[1] { covered[r * 7 + c] += 1 } }
        }
        #expect(covered.allSatisfy { $0 == 1 })
        var none = 0
        LabelSetComparison.forEachRegion(shape: [0, 4], chunk: [1, 1]) { _ in none += 1 }
        #expect(none == 0)
    }
}
