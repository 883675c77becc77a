import TestSupport
import Foundation
import MIFACore
import Testing
@testable import RasterIO

/// Reads large enough to decode on several threads (``TIFFFile/parallelDecodeBytes``), each
/// thread through its own libtiff handle: the result is the array written, whatever the layout,
/// and a damaged strip or tile is still reported with its page and number.
@Suite("TIFF parallel decoding")
struct TIFFParallelDecodeTests {
    /// A random layout and compression, pages of `height` x `width` uint16 (or float32) above the threshold together.
    @Test("large reads equal what was written, seeded", arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func largeReadsRoundTrip(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let dataType: DataType = Bool.random(using: &rng) ? .uint16 : .float32
        let pages = Int.random(in: 1...4, using: &rng)
        let height = Int.random(in: 700...900, using: &rng), width = Int.random(in: 700...900, using: &rng)
        #expect(pages * height * width * dataType.byteSize >= TIFFFile.parallelDecodeBytes)
        let array = randomArray(dataType, shape: [pages, height, width], using: &rng)
        let layout: TIFFWriteOptions.Layout = Bool.random(using: &rng)
            ? .tiled(width: 16 * Int.random(in: 1...8, using: &rng), height: 16 * Int.random(in: 1...8, using: &rng))
            : .striped(rowsPerStrip: Int.random(in: 1...300, using: &rng))
        let compression = [TIFFWriteOptions.Compression.none, .deflate, .zstd, .lzw].randomElement(using: &rng)!
        let options = TIFFWriteOptions(compression: compression, layout: layout, byteOrder: Bool.random(using: &rng) ? .big : .little)
        let directory = TemporaryDirectory()
        let path = directory.file("large.tif")
        try TIFFFile.write(RasterImage(array: array, axes: "ZYX"), to: path, options: options)
        for file in [try TIFFFile(path: path), try TIFFFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))] {
            let stack = try file.readStack()
            #expect(stack.array.rowMajor.bytes() == array.bytes(), "\(dataType) \(array.shape) \(options)")
            let last = try file.readPage(pages - 1)
            #expect(last.shape == [height, width])
        }
        // The same pages decoded directly: the read is planned on every core (so a threshold or
        // plan that silently kept it on one thread fails here), and small reads stay on one.
        let file = try TIFFFile(path: path)
        let planned = try file.pages.map { info in
            let plan = try file.decodingPlan(for: info).1
            try file.selectAndCheck(info, plan)
            return (info, plan)
        }
        var bytes = [UInt8](repeating: 0, count: array.bytes().count)
        let threads = try bytes.withUnsafeMutableBytes { try file.decode(planned, into: .memory($0)) }
        #expect(threads == min(Parallel.defaultConcurrency, planned.reduce(0) { $0 + $1.1.chunkCount }))
        #expect(bytes == array.bytes())
        let onePage = [planned[0]]
        if onePage[0].1.pageBytes < TIFFFile.parallelDecodeBytes {
            var small = [UInt8](repeating: 0, count: onePage[0].1.pageBytes)
            #expect(try small.withUnsafeMutableBytes { try file.decode(onePage, into: .memory($0)) } == 1)
        }
    }

    @Test("a damaged strip of a large read is named with its page", arguments: [TIFFWriteOptions.Compression.deflate, .zstd])
    func damagedStripIsNamed(compression: TIFFWriteOptions.Compression) throws {
        var rng = SeededGenerator(seed: 77)
        let array = randomArray(.uint16, shape: [3, 768, 768], using: &rng)
        var bytes = try TIFFFile.encode(RasterImage(array: array, axes: "ZYX"), options: TIFFWriteOptions(compression: compression, layout: .striped(rowsPerStrip: 32)))
        let file = try TIFFFile(bytes: bytes)
        let info = file.pages[2]
        let (_, plan) = try file.decodingPlan(for: info)
        try file.selectAndCheck(info, plan)
        let strip = 17
        let offset = Int(file.handle.chunkOffset(strip)), count = Int(file.handle.chunkByteCount(strip))
        for i in offset..<(offset + count) { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let error = rasterError { _ = try TIFFFile(bytes: bytes, name: "damaged.tif").readStack() }
        #expect(error?.kind == .corrupt)
        #expect(error?.context.key == "page 2/strip \(strip)", "\(String(describing: error))")
        #expect(error?.context.file == "damaged.tif")
    }
}
