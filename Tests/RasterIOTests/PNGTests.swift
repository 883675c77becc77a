import TestSupport
import Dispatch
import Foundation
import MIFACore
import Testing
@testable import RasterIO

@Suite("PNG")
struct PNGTests {
    @Test("8- and 16-bit gray, gray+alpha, RGB, RGBA round trip exactly", arguments: [DataType.uint8, .uint16], [1, 2, 3, 4])
    func roundTrip(dataType: DataType, channels: Int) throws {
        var rng = SeededGenerator(seed: UInt64(channels * 17 + dataType.byteSize))
        let directory = TemporaryDirectory()
        for _ in 0..<5 {
            let height = Int.random(in: 1...40, using: &rng), width = Int.random(in: 1...40, using: &rng)
            let shape = channels == 1 ? [height, width] : [height, width, channels]
            let array = randomArray(dataType, shape: shape, using: &rng)
            let path = directory.file("image.png")
            try PNGFile.write(array, to: path)
            let image = try PNGFile.read(path: path)
            #expect(image.axes == (channels == 1 ? "YX" : "YXS"))
            #expect(sameElements(image.array, array))
            let info = try PNGFile.info(path: path)
            #expect(info.width == width && info.height == height && info.channels == channels && info.bitDepth == dataType.byteSize * 8)
        }
    }

    @Test("writing refuses what PNG cannot hold")
    func invalidWrites() throws {
        #expect(rasterError { _ = try PNGFile.encode(RasterImage(array: .float32(NDArray(shape: [2, 2])))) }?.kind == .invalidArgument)
        #expect(rasterError { _ = try PNGFile.encode(RasterImage(array: .uint8(NDArray(shape: [2, 2, 2])), axes: "ZYX")) }?.kind == .invalidArgument)
        #expect(rasterError { _ = try PNGFile.encode(RasterImage(array: .uint8(NDArray(shape: [2, 2, 5])), axes: "YXS")) }?.kind == .invalidArgument)
        #expect(rasterError { _ = try PNGFile.encode(RasterImage(array: .uint8(NDArray(shape: [0, 2])), axes: "YX")) }?.kind == .invalidArgument)
    }

    @Test("interlaced, sub-byte, palette and gamma-tagged PNGs decode to raw sample values")
    func craftedVariants() throws {
        // Adam7-interlaced 8-bit gray, 5×3: every pass row carries its own filter byte.
        let pixels: [[UInt8]] = (0..<3).map { y in (0..<5).map { x in UInt8(y * 10 + x) } }
        let interlaced = PNGBuilder.png(width: 5, height: 3, bitDepth: 8, colorType: 0, interlace: 1, raw: PNGBuilder.adam7(pixels))
        #expect(try PNGFile.decode(interlaced).array == .uint8(try NDArray(shape: [3, 5], elements: pixels.flatMap { $0 })))
        // 2-bit gray: 4 pixels in one byte, values kept as 0...3.
        let twoBit = PNGBuilder.png(width: 4, height: 1, bitDepth: 2, colorType: 0, raw: [0, 0b00_01_10_11])
        #expect(try PNGFile.decode(twoBit).array == .uint8(try NDArray(shape: [1, 4], elements: [0, 1, 2, 3])))
        // Palette: indices, not colours.
        let palette = PNGBuilder.png(width: 3, height: 1, bitDepth: 8, colorType: 3, raw: [0, 2, 0, 1], extra: [("PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255])])
        #expect(try PNGFile.decode(palette).array == .uint8(try NDArray(shape: [1, 3], elements: [2, 0, 1])))
        // A gAMA chunk changes nothing: 16-bit values stay exact.
        let gamma = PNGBuilder.png(width: 2, height: 1, bitDepth: 16, colorType: 0, raw: [0, 0x12, 0x34, 0xAB, 0xCD], extra: [("gAMA", [0, 0, 0xB1, 0x8F])])
        #expect(try PNGFile.decode(gamma).array == .uint16(try NDArray(shape: [1, 2], elements: [0x1234, 0xABCD])))
    }

    @Test("damaged image data with valid CRCs fails cleanly through libpng")
    func libpngErrors() throws {
        // Filter type 9 does not exist.
        let badFilter = PNGBuilder.png(width: 2, height: 2, bitDepth: 8, colorType: 0, raw: [9, 1, 2, 0, 3, 4])
        let filterError = rasterError { _ = try PNGFile.decode(badFilter, name: "bad.png") }
        #expect(filterError?.kind == .corrupt && filterError?.context.file == "bad.png" && filterError?.context.key == "IDAT")
        // Too little image data.
        let short = PNGBuilder.png(width: 8, height: 8, bitDepth: 8, colorType: 0, raw: [0, 1, 2])
        #expect(rasterError { _ = try PNGFile.decode(short, name: "short.png") }?.kind == .corrupt)
        // A zlib stream that is not one.
        let garbage = PNGBuilder.png(width: 2, height: 2, bitDepth: 8, colorType: 0, raw: [], zlib: [0x78, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x00])
        #expect(rasterError { _ = try PNGFile.decode(garbage, name: "garbage.png") }?.kind == .corrupt)
    }

    @Test("decoding runs concurrently")
    func concurrent() throws {
        var rng = SeededGenerator(seed: 99)
        let array = randomArray(.uint16, shape: [64, 64, 3], using: &rng)
        let bytes = try PNGFile.encode(RasterImage(array: array))
        let bad = PNGBuilder.png(width: 2, height: 2, bitDepth: 8, colorType: 0, raw: [9, 1, 2, 0, 3, 4])
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            let good = (try? PNGFile.decode(bytes)).map { sameElements($0.array, array) } ?? false
            let failed = rasterError { _ = try PNGFile.decode(bad) } != nil
            results.record(good && failed)
        }
        #expect(results.all)
    }
}

/// Collects booleans from concurrent work.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Bool] = []
    func record(_ value: Bool) { lock.withLock { values.append(value) } }
    var all: Bool { lock.withLock { values.count == 32 && values.allSatisfy { $0 } } }
}
