import TestSupport
import Foundation
import MIFACore
import Testing
@testable import RasterIO

@Suite("Header claims are checked against ReadLimits before anything is allocated")
struct ReadLimitsTests {
    @Test func claimsOverTheLimitAreRefusedNamingShapeBytesAndFlag() {
        let limits = ReadLimits()
        #expect(limits.maxBytes == 2 << 30)
        let error = rasterError { try limits.check(claimedShape: [65536, 65536], dataType: .uint8, file: "bomb.tif", page: 0, key: "ImageWidth") }
        #expect(error?.kind == .tooLarge)
        let message = error?.message ?? ""
        #expect(message.contains("bomb.tif") && message.contains("[65536, 65536]") && message.contains("4294967296 bytes"))
        #expect(message.contains("--max-memory 4G") && message.contains("ReadLimits.maxBytes"))
        #expect(error?.context.shape == [65536, 65536])
        // Products that overflow Int are refused, not wrapped.
        let overflow = rasterError { try limits.check(claimedShape: [1 << 40, 1 << 40, 8], dataType: .float64, file: "x.npy") }
        #expect(overflow?.kind == .tooLarge)
        #expect(overflow?.message.contains("more than \(Int.max) bytes") == true)
        #expect(rasterError { try limits.check(claimedShape: [2, -3], dataType: .uint8, file: "x.npy") }?.kind == .corrupt)
        #expect((try? limits.check(claimedShape: [1024, 1024], dataType: .uint16, file: "ok.tif")) == 2 << 20)
    }

    @Test func everyReaderHonoursTheLimit() throws {
        var rng = SeededGenerator(seed: 3)
        let array = randomArray(.uint16, shape: [4, 64, 64], using: &rng)
        let tiff = try TIFFFile.encode(RasterImage(array: array, axes: "ZYX"), options: TIFFWriteOptions(compression: .deflate))
        let small = ReadLimits(maxBytes: 4096)
        let file = try TIFFFile(bytes: tiff, name: "stack.tif", limits: small)
        #expect(rasterError { _ = try file.readStack() }?.kind == .tooLarge)
        #expect(rasterError { _ = try file.readPage(0) }?.kind == .tooLarge)
        #expect(rasterError { _ = try file.decodedBytes(ofPage: 0) }?.kind == .tooLarge)
        let enough = try TIFFFile(bytes: tiff, name: "stack.tif", limits: ReadLimits(maxBytes: 16384))
        #expect(rasterError { _ = try enough.readStack() }?.kind == .tooLarge)
        #expect(try enough.readPage(1).shape == [64, 64])
        let npy = NPYFile.encode(array)
        #expect(rasterError { _ = try NPYFile.decode(npy, name: "a.npy", limits: small) }?.kind == .tooLarge)
        let png = try PNGFile.encode(RasterImage(array: randomArray(.uint8, shape: [80, 80], using: &rng), axes: "YX"))
        #expect(rasterError { _ = try PNGFile.decode(png, name: "a.png", limits: small) }?.kind == .tooLarge)
    }

    @Test func streamedWritesMatchTheInMemoryEncoding() throws {
        let folder = TemporaryDirectory()
        var rng = SeededGenerator(seed: 4)
        let array = randomArray(.int16, shape: [3, 17, 19], using: &rng)
        let image = try RasterImage(array: array, axes: "ZYX")
        for order in [Endianness.little, .big] {
            let options = TIFFWriteOptions(compression: .zstd, byteOrder: order)
            try TIFFFile.write(image, to: folder.file("a.tif"), options: options)
            let written = try TIFFFile(path: folder.file("a.tif"))
            #expect(sameElements(try written.readStack().array, array))
            try NPYFile.write(array, to: folder.file("a.npy"), endianness: order)
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: folder.file("a.npy")))) == NPYFile.encode(array, endianness: order))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func reshapeAxesAsTifffile() {
        #expect(reshapeAxes("YXS", shape: [219, 301, 1], newShape: [219, 301]) == "YX")
        #expect(reshapeAxes("IYX", shape: [12, 219, 301], newShape: [3, 4, 219, 1, 301, 1]) == "QQYQXQ")
        #expect(reshapeAxes("QYXS", shape: [5, 20, 40, 2], newShape: [5, 20, 40, 2]) == "QYXS")
        #expect(reshapeAxes("YX", shape: [2, 3], newShape: [7]) == nil)
    }
}
