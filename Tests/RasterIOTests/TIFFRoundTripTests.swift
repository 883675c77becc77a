import TestSupport
import Foundation
import MIFACore
import Testing
@testable import RasterIO

@Suite("TIFF round trips")
struct TIFFRoundTripTests {
    static let types: [DataType] = [.uint8, .uint16, .uint32, .int8, .int16, .int32, .float32, .uint64, .int64, .float64]
    static let compressions = TIFFWriteOptions.Compression.allCases
    static let layouts: [TIFFWriteOptions.Layout] = [.striped(rowsPerStrip: 7), .tiled(width: 16, height: 32)]

    @Test("every type × layout × compression × BigTIFF, three pages", arguments: types, compressions)
    func everyTypeLayoutCompression(dataType: DataType, compression: TIFFWriteOptions.Compression) throws {
        var rng = SeededGenerator(seed: UInt64(dataType.byteSize * 131 + compression.tagValue))
        let directory = TemporaryDirectory()
        for layout in Self.layouts {
            for bigTIFF in [false, true] {
                let array = randomArray(dataType, shape: [3, 37, 41], using: &rng)
                let path = directory.file("stack.tif")
                let options = TIFFWriteOptions(compression: compression, layout: layout, bigTIFF: bigTIFF)
                try TIFFFile.write(RasterImage(array: array, axes: "ZYX"), to: path, options: options)
                let file = try TIFFFile(path: path)
                #expect(file.pageCount == 3)
                #expect(file.isBigTIFF == bigTIFF)
                #expect(file.pages[0].compression.rawValue == compression.tagValue)
                if case .tiled = layout { #expect(file.pages[0].isTiled) } else { #expect(file.pages[0].rowsPerStrip == 7) }
                let stack = try file.readStack()
                #expect(stack.axes == "ZYX")
                #expect(sameElements(stack.array, array), "\(dataType) \(compression) \(layout) bigTIFF \(bigTIFF)")
                let page = try file.readPage(1)
                #expect(page.axes == "YX")
                #expect(page.shape == [37, 41])
            }
        }
    }

    @Test("big-endian files read back in native order", arguments: types)
    func bigEndian(dataType: DataType) throws {
        var rng = SeededGenerator(seed: 7)
        let array = randomArray(dataType, shape: [2, 19, 23], using: &rng)
        for compression in [TIFFWriteOptions.Compression.none, .deflate] {
            for layout in Self.layouts {
                let bytes = try TIFFFile.encode(RasterImage(array: array, axes: "ZYX"), options: TIFFWriteOptions(compression: compression, layout: layout, byteOrder: .big))
                #expect(bytes.prefix(2) == [0x4D, 0x4D])
                let file = try TIFFFile(bytes: bytes)
                #expect(file.byteOrder == .big)
                #expect(sameElements(try file.readStack().array, array))
            }
        }
    }

    @Test("predictors", arguments: [DataType.uint8, .uint16, .int32, .float32, .float64])
    func predictors(dataType: DataType) throws {
        var rng = SeededGenerator(seed: 11)
        let array = randomArray(dataType, shape: [33, 35], using: &rng)
        for compression in [TIFFWriteOptions.Compression.lzw, .deflate, .zstd] {
            for order in [Endianness.little, .big] {
                let options = TIFFWriteOptions(compression: compression, predictor: true, byteOrder: order)
                if dataType.isFloatingPoint, order == .big {
                    #expect(rasterError { _ = try TIFFFile.encode(RasterImage(array: array), options: options) }?.kind == .invalidArgument)
                    continue
                }
                let file = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: array), options: options))
                #expect(file.pages[0].predictor == (dataType.isFloatingPoint ? 3 : 2))
                #expect(sameElements(try file.readPage(0).array, array))
            }
        }
    }

    @Test("RGB, RGBA, gray+alpha and planar samples", arguments: [("YXS", 3), ("YXS", 4), ("YXS", 2), ("SYX", 3), ("YXS", 5)])
    func samples(axes: String, samples: Int) throws {
        var rng = SeededGenerator(seed: UInt64(samples))
        for dataType in [DataType.uint8, .uint16, .float32] {
            let shape = axes == "SYX" ? [samples, 21, 18] : [21, 18, samples]
            let array = randomArray(dataType, shape: shape, using: &rng)
            for layout in Self.layouts {
                let bytes = try TIFFFile.encode(RasterImage(array: array, axes: axes), options: TIFFWriteOptions(compression: .zstd, layout: layout))
                let file = try TIFFFile(bytes: bytes)
                #expect(file.pages[0].samplesPerPixel == samples)
                #expect(file.pages[0].isPlanar == (axes == "SYX"))
                if dataType != .float32, samples >= 3, samples <= 4 { #expect(file.pages[0].photometric == 2) }
                let image = try file.readStack()
                #expect(image.axes == axes)
                #expect(sameElements(image.array, array))
            }
        }
    }

    @Test("image sizes around strip and tile edges, seeded")
    func randomShapes() throws {
        var rng = SeededGenerator(seed: 2024)
        for _ in 0..<40 {
            let dataType = Self.types.randomElement(using: &rng)!
            let height = Int.random(in: 1...70, using: &rng), width = Int.random(in: 1...70, using: &rng)
            let pages = Int.random(in: 1...3, using: &rng)
            let array = randomArray(dataType, shape: [pages, height, width], using: &rng)
            let layout: TIFFWriteOptions.Layout = Bool.random(using: &rng)
                ? .tiled(width: 16 * Int.random(in: 1...3, using: &rng), height: 16 * Int.random(in: 1...3, using: &rng))
                : .striped(rowsPerStrip: Int.random(in: 1...80, using: &rng))
            let options = TIFFWriteOptions(compression: Self.compressions.randomElement(using: &rng)!, layout: layout,
                                           bigTIFF: Bool.random(using: &rng), byteOrder: Bool.random(using: &rng) ? .big : .little)
            let file = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: array, axes: "ZYX"), options: options))
            let expected = pages == 1 ? [height, width] : [pages, height, width]
            let stack = try file.readStack()
            #expect(stack.shape == expected)
            #expect(stack.array.rowMajor.bytes() == array.bytes(), "\(dataType) \(array.shape) \(options)")
        }
    }

    @Test("column-major arrays are written in their logical order")
    func columnMajor() throws {
        var rng = SeededGenerator(seed: 3)
        let array = randomArray(.uint16, shape: [17, 29], using: &rng, order: .columnMajor)
        let file = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: array)))
        #expect(sameElements(try file.readPage(0).array, array))
    }

    @Test("writes are atomic and replace the destination")
    func atomicWrite() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("a.tif")
        try TIFFFile.write(.uint8(NDArray(shape: [4, 4], repeating: 1)), to: path)
        try TIFFFile.write(.uint8(NDArray(shape: [5, 6], repeating: 2)), to: path)
        #expect(try TIFFFile(path: path).readPage(0).shape == [5, 6])
        let failed = rasterError { try TIFFFile.write(.bool(NDArray(shape: [2, 2])), to: path) }
        #expect(failed?.kind == .invalidArgument)
        #expect(try TIFFFile(path: path).readPage(0).shape == [5, 6])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["a.tif"])
    }

    @Test("invalid write arguments are refused clearly")
    func invalidArguments() throws {
        let array = AnyNDArray.uint8(NDArray(shape: [4, 4]))
        #expect(rasterError { _ = try TIFFFile.encode(RasterImage(array: array), options: TIFFWriteOptions(layout: .tiled(width: 20, height: 16))) }?.kind == .invalidArgument)
        #expect(rasterError { _ = try TIFFFile.encode(RasterImage(array: array), options: TIFFWriteOptions(compression: .packbits, predictor: true)) }?.kind == .invalidArgument)
        #expect(rasterError { _ = try RasterImage(array: array, axes: "XY Z") }?.kind == .invalidArgument)
        #expect(rasterError { _ = try TIFFFile.encode(RasterImage(array: .uint8(NDArray(shape: [0, 4])), axes: "YX")) }?.kind == .invalidArgument)
        #expect(rasterError { _ = try TIFFFile.encode(RasterImage(array: .uint8(NDArray(shape: [2, 4, 4])), axes: "YXZ")) }?.kind == .invalidArgument)
    }
}
