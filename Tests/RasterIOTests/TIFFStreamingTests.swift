import TestSupport
import Foundation
import MIFACore
import Testing
@testable import RasterIO

/// Writes that encode runs of strips or tiles on several threads and write them in order
/// (``TIFFFile/encodePages(_:from:tags:mode:directories:into:name:)``), and reads that decode
/// into a `.npy` (``TIFFFile/exportNPY(page:to:durable:)``), run by run or through a mapping.
@Suite("TIFF streaming writes and exports")
struct TIFFStreamingTests {
    @Test("large writes put every strip or tile in file order, after all directories", arguments: [
        TIFFWriteOptions(compression: .zstd), TIFFWriteOptions(compression: .deflate, predictor: true, layout: .tiled(width: 128, height: 64)),
        TIFFWriteOptions(compression: .lzw, layout: .striped(rowsPerStrip: 5), byteOrder: .big),
    ])
    func chunksInFileOrder(options: TIFFWriteOptions) throws {
        var rng = SeededGenerator(seed: 5)
        let array = randomArray(.uint16, shape: [2, 2900, 3000], using: &rng)
        #expect(array.bytes().count / 2 > TIFFFile.encodeTaskBytes * 4)  // each page spans more than one window (two tasks per thread, two threads)
        let file = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: array, axes: "ZYX"), options: options))
        #expect(sameElements(try file.readStack().array, array))
        var previousEnd = file.pages.map(\.offset).max()!
        for info in file.pages {
            let plan = try file.decodingPlan(for: info).1
            try file.selectAndCheck(info, plan)
            for chunk in 0..<plan.chunkCount {
                let offset = Int(file.handle.chunkOffset(chunk))
                #expect(offset >= previousEnd, "page \(info.index) chunk \(chunk) at \(offset), before the end of the one before (\(previousEnd))")
                previousEnd = offset + Int(file.handle.chunkByteCount(chunk))
            }
        }
    }

    @Test("a stack or a page exported to .npy equals what readStack and readPage return", arguments: [Endianness.little, .big])
    func exportEqualsRead(byteOrder: Endianness) throws {
        var rng = SeededGenerator(seed: 9)
        let array = randomArray(.float32, shape: [3, 2, 300, 500], using: &rng)
        let directory = TemporaryDirectory()
        let tif = directory.file("stack.tif"), out = directory.file("stack.npy")
        try TIFFFile.write(RasterImage(array: array, axes: "ZCYX"), to: tif, options: TIFFWriteOptions(compression: .zstd, byteOrder: byteOrder), durable: false)
        let file = try TIFFFile(path: tif)
        let layout = try file.exportNPY(to: out, durable: false)
        #expect(layout.axes == "ZCYX" && layout.shape == array.shape)
        #expect(sameElements(try NPYFile.read(path: out), try file.readStack().array))
        try file.exportNPY(page: 4, to: out, durable: true)
        #expect(sameElements(try NPYFile.read(path: out), try file.readPage(4).array))
        let missing = rasterError { try file.exportNPY(page: 6, to: directory.file("none.npy"), durable: false) }
        #expect(missing?.kind == .invalidArgument && !FileManager.default.fileExists(atPath: directory.file("none.npy")))
    }

    @Test("a damaged file exports nothing and leaves the destination as it was")
    func damagedExportLeavesNothing() throws {
        var rng = SeededGenerator(seed: 13)
        let array = randomArray(.uint16, shape: [3, 768, 768], using: &rng)
        var bytes = try TIFFFile.encode(RasterImage(array: array, axes: "ZYX"), options: TIFFWriteOptions(compression: .deflate, layout: .striped(rowsPerStrip: 32)))
        let probe = try TIFFFile(bytes: bytes)
        let plan = try probe.decodingPlan(for: probe.pages[1]).1
        try probe.selectAndCheck(probe.pages[1], plan)
        let offset = Int(probe.handle.chunkOffset(3)), count = Int(probe.handle.chunkByteCount(3))
        for i in offset..<(offset + count) { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let directory = TemporaryDirectory()
        let tif = directory.file("damaged.tif"), out = directory.file("out.npy")
        try Data(bytes).write(to: URL(fileURLWithPath: tif))
        try Data("before".utf8).write(to: URL(fileURLWithPath: out))
        let error = rasterError { try TIFFFile(path: tif).exportNPY(to: out, durable: false) }
        #expect(error?.kind == .corrupt && error?.context.key == "page 1/strip 3", "\(String(describing: error))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data("before".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["damaged.tif", "out.npy"])
    }
}
