@testable import BatchLoader
import MIFACore
import OMEZarr
import Zarr

/// Small OME-Zarr images written in memory for the loader's tests.
enum LoaderFixtures {
    /// A deterministic value for pixel `i` of image `seed`.
    static func value(_ i: Int, _ seed: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: SampleRandom.mix(UInt64(i) &* 31 &+ UInt64(seed)) % 60000)
    }

    /// An image of `shape` (axes named by rank: `c,y,x`, `z,y,x` or `c,z,y,x`) with uint16 pixels,
    /// chunks `chunks`, and a label image "cells" (uint16 rectangles) when `labels`.
    static func image(shape: [Int], axes: [String], chunks: [Int], shards: [Int]? = nil, seed: Int, labels: Bool = true, levels: Int = 1) throws -> OMEZarrImage {
        let store = MemoryStore()
        let axisList = axes.map { $0 == "c" ? Axis(name: "c", type: .channel) : Axis.space($0) }
        let writer = try OMEZarrImageWriter(store: store, shape: shape, dataType: .uint16, axes: axisList,
                                            options: OMEZarrWriteOptions(levels: levels, chunks: chunks, shards: shards))
        var pixels = NDArray<UInt16>(shape: shape)
        for i in pixels.elements.indices { pixels.elements[i] = value(i, seed) }
        try writer.write(AnyNDArray(pixels))
        let image = try writer.finish()
        if labels {
            let c = axes.firstIndex(of: "c")
            let labelShape = shape.enumerated().filter { $0.offset != c }.map(\.element)
            var mask = NDArray<UInt16>(shape: labelShape)
            let height = labelShape[labelShape.count - 2], width = labelShape[labelShape.count - 1]
            for i in mask.elements.indices {
                let y = (i / width) % height, x = i % width
                mask.elements[i] = UInt16(((y / 7) * 3 + (x / 9) + seed) % 5)
            }
            try image.addLabel(name: "cells", AnyNDArray(mask))
        }
        return try OMEZarrImage.open(store)
    }

    /// Two 2-channel 2-D images of different sizes with labels.
    static func twoImages() throws -> SampleIndex {
        let a = try image(shape: [2, 70, 90], axes: ["c", "y", "x"], chunks: [1, 16, 16], seed: 1)
        let b = try image(shape: [2, 50, 40], axes: ["c", "y", "x"], chunks: [1, 16, 32], seed: 2)
        return try SampleIndex(sources: [SampleSource(image: a, labelName: "cells", name: "a"),
                                         SampleSource(image: b, labelName: "cells", name: "b")])
    }

    /// The expected pixels of `request` read directly through the Zarr engine: `[C, z, y, x]`
    /// for the channels given, zeros outside the image.
    static func expectedImage(_ request: PatchRequest, source: SampleSource, channels: [Int]) throws -> [UInt16] {
        try expected(request, array: source.image, axes: source.axes, channels: channels)
    }

    /// The expected mask of `request`: `[z, y, x]`.
    static func expectedMask(_ request: PatchRequest, source: SampleSource) throws -> [UInt16] {
        try expected(request, array: source.label!, axes: source.labelAxes!, channels: [0])
    }

    private static func expected(_ request: PatchRequest, array: ZarrArray, axes: SampleSource.AxisSlots, channels: [Int]) throws -> [UInt16] {
        let s = request.shape
        var out = [UInt16](repeating: 0, count: channels.count * s.reduce(1, *))
        let shape = array.shape
        for (k, channel) in channels.enumerated() {
            var ranges = [Range<Int>](repeating: 0..<1, count: array.rank)
            if let t = axes.t { ranges[t] = request.t..<(request.t + 1) }
            if let c = axes.c { ranges[c] = channel..<(channel + 1) }
            var clipped: [Range<Int>] = []
            for (slot, k2) in [(axes.z, 0), (axes.y, 1), (axes.x, 2)] {
                guard let axis = slot else { clipped.append(0..<1); continue }
                let lo = max(0, request.origin[k2]), hi = min(shape[axis], request.origin[k2] + s[k2])
                if hi <= lo { return out }
                ranges[axis] = lo..<hi
                clipped.append(lo..<hi)
            }
            let block = try array.read(UInt16.self, region: Region(ranges))
            var i = 0
            for z in clipped[0] {
                for y in clipped[1] {
                    for x in clipped[2] {
                        let dz = axes.z == nil ? 0 : z - request.origin[0]
                        out[k * s.reduce(1, *) + (dz * s[1] + y - request.origin[1]) * s[2] + x - request.origin[2]] = block.elements[i]
                        i += 1
                    }
                }
            }
        }
        return out
    }

    /// Every batch digest of one epoch.
    static func digests(_ loader: BatchLoader, epoch: Int, from start: Int = 0) throws -> [UInt64] {
        let iterator = try loader.batches(epoch: epoch, startingAt: start)
        var result: [UInt64] = []
        while let batch = try iterator.nextBatch() { result.append(batch.digest) }
        return result
    }
}
