import TestSupport
import MIFACore
import Testing
@testable import RasterIO

@Suite("TIFF stacks and ImageJ hyperstacks")
struct TIFFStackTests {
    @Test("TZCYX hyperstack round trip, with its ImageJ description and pixel sizes")
    func hyperstack() throws {
        var rng = SeededGenerator(seed: 5)
        let array = randomArray(.uint16, shape: [2, 3, 4, 9, 11], using: &rng)
        let size = PixelSize(x: 0.5, y: 0.25, z: 2.5, unit: "µm", timeInterval: 3, timeUnit: "sec")
        let bytes = try TIFFFile.encode(RasterImage(array: array, axes: "TZCYX", pixelSize: size), options: TIFFWriteOptions(compression: .zstd, layout: .tiled(width: 16, height: 16)))
        let file = try TIFFFile(bytes: bytes)
        #expect(file.pageCount == 24)
        let imageJ = try #require(file.imageJ)
        #expect(imageJ.images == 24 && imageJ.channels == 4 && imageJ.slices == 3 && imageJ.frames == 2 && imageJ.isHyperstack)
        #expect(file.pages[0].imageDescription?.contains("unit=\\u00B5m") == true)
        let layout = try file.stackLayout()
        #expect(layout.axes == "TZCYX" && layout.isImageJ && layout.shape == [2, 3, 4, 9, 11])
        let stack = try file.readStack()
        #expect(sameElements(stack.array, array))
        #expect(stack.pixelSize == size)
    }

    @Test("other axis orders are written in ImageJ's page order", arguments: ["TCZYX", "CZYX", "ZTYX", "CTZYX"])
    func reorderedAxes(axes: String) throws {
        var rng = SeededGenerator(seed: 9)
        let extents: [Character: Int] = ["T": 2, "Z": 3, "C": 4, "Y": 5, "X": 6]
        let shape = axes.map { extents[$0]! }
        let array = randomArray(.int16, shape: shape, using: &rng).typed(as: Int16.self)!
        let stack = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: .int16(array), axes: axes))).readStack()
        let expectedAxes = String("TZCYX".filter { axes.contains($0) })
        #expect(stack.axes == expectedAxes)
        let read = stack.array.typed(as: Int16.self)!
        // Every element lands where its axis letters say.
        var index = [Int](repeating: 0, count: shape.count)
        for linear in 0..<array.count {
            var rest = linear
            for axis in (0..<shape.count).reversed() {
                index[axis] = rest % shape[axis]
                rest /= shape[axis]
            }
            let named = Dictionary(uniqueKeysWithValues: zip(axes, index))
            let target = expectedAxes.map { named[$0]! }
            #expect(read[target] == array[index])
        }
    }

    @Test("singleton axes are left out, RGB stacks keep S, plain stacks are Z")
    func layouts() throws {
        var rng = SeededGenerator(seed: 1)
        let single = randomArray(.uint8, shape: [3, 1, 8, 8], using: &rng)
        #expect(try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: single, axes: "ZCYX"))).readStack().axes == "ZYX")
        let rgb = randomArray(.uint8, shape: [2, 8, 8, 3], using: &rng)
        let rgbStack = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: rgb, axes: "ZYXS"))).readStack()
        #expect(rgbStack.axes == "ZYXS" && sameElements(rgbStack.array, rgb))
        let channels = randomArray(.float32, shape: [3, 8, 8], using: &rng)
        let plain = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: channels, axes: "CYX"), options: TIFFWriteOptions(imageJ: false)))
        #expect(plain.imageJ == nil)
        let plainStack = try plain.readStack()
        #expect(plainStack.axes == "ZYX" && sameElements(plainStack.array, channels))
        let one = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: randomArray(.uint8, shape: [8, 8], using: &rng)))).readStack()
        #expect(one.axes == "YX" && one.pixelSize == nil)
    }

    @Test("ImageJ stacks stored as one directory and contiguous images (ImageJ's layout over 4 GiB)", arguments: [Endianness.little, .big])
    func contiguousImageJ(byteOrder: Endianness) throws {
        var rng = SeededGenerator(seed: 77)
        let array = randomArray(.uint16, shape: [2, 3, 10, 9], using: &rng)
        var bytes = try TIFFFile.encode(RasterImage(array: array, axes: "TCYX"), options: TIFFWriteOptions(layout: .striped(rowsPerStrip: 4), byteOrder: byteOrder))
        // Cut the chain after the first directory: its next-IFD offset becomes 0.
        let big = byteOrder == .big
        let entries = big ? Int(bytes[8]) << 8 | Int(bytes[9]) : Int(bytes[9]) << 8 | Int(bytes[8])
        for i in 0..<4 { bytes[8 + 2 + entries * 12 + i] = 0 }
        let file = try TIFFFile(bytes: bytes)
        #expect(file.pageCount == 1)
        let layout = try file.stackLayout()
        #expect(layout.contiguousImages == 6 && layout.axes == "TCYX")
        #expect(sameElements(try file.readStack().array, array))
        let cut = rasterError { _ = try TIFFFile(bytes: Array(bytes.prefix(bytes.count - 10)), name: "short.tif").readStack() }
        #expect(cut?.kind == .truncated && cut?.context.file == "short.tif")
    }

    @Test("resolution units from the TIFF tags")
    func resolutionUnits() throws {
        let array = AnyNDArray.uint8(NDArray(shape: [4, 4]))
        let file = try TIFFFile(bytes: TIFFFile.encode(RasterImage(array: array, pixelSize: PixelSize(x: 0.01, y: 0.02, unit: "centimeter")), options: TIFFWriteOptions(imageJ: false)))
        #expect(file.pages[0].resolutionUnit == 3)
        let size = try #require(try file.readPage(0).pixelSize)
        #expect(size.unit == "centimeter")
        #expect(abs(size.x! - 0.01) < 1e-8 && abs(size.y! - 0.02) < 1e-8)
    }

    @Test("pages of different shapes do not form a stack, but read one by one")
    func mixedPages() throws {
        let bytes = TIFFBuilder.twoPages(first: (4, 3, [UInt8](repeating: 7, count: 12)), second: (2, 2, [1, 2, 3, 4]))
        let file = try TIFFFile(bytes: bytes, name: "mixed.tif")
        #expect(file.pageCount == 2)
        let error = rasterError { _ = try file.readStack() }
        #expect(error?.kind == .unsupported && error?.context.key?.hasPrefix("page 1") == true && error?.context.file == "mixed.tif")
        #expect(try file.readPage(1).array == .uint8(try NDArray(shape: [2, 2], elements: [1, 2, 3, 4])))
        #expect(rasterError { _ = try file.readPage(2) }?.kind == .invalidArgument)
    }

    @Test("ImageJ metadata parses ImageJ's own escapes and units")
    func imageJParsing() throws {
        let metadata = try #require(ImageJMetadata(description: "ImageJ=1.54f\nimages=6\nchannels=2\nslices=3\nhyperstack=true\nunit=\\u00B5m\nspacing=0.3\n"))
        #expect(metadata.unit == "µm" && metadata.spacing == 0.3)
        #expect(metadata.declaredAxes.map(\.axis) == ["Z", "C"])
        #expect(ImageJMetadata(description: "{\"shape\": [2, 3]}") == nil)
    }
}

extension TIFFBuilder {
    /// Two uncompressed little-endian uint8 pages of different sizes.
    static func twoPages(first: (Int, Int, [UInt8]), second: (Int, Int, [UInt8])) -> [UInt8] {
        var b = TIFFBuilder()
        b.bytes += [0x49, 0x49]
        b.u16(42)
        b.u32(8)
        func ifd(_ page: (Int, Int, [UInt8]), at offset: Int, last: Bool) -> Int {
            let entries: [(Int, Int, Int, Int)] = [(256, 4, 1, page.0), (257, 4, 1, page.1), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
                                                    (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, page.1), (279, 4, 1, page.2.count)]
            let size = 2 + entries.count * 12 + 4
            let data = offset + size
            b.u16(entries.count)
            for (tag, type, count, value) in entries {
                b.u16(tag); b.u16(type); b.u32(count)
                let v = tag == 273 ? data : value
                if type == 3 { b.u16(v); b.u16(0) } else { b.u32(v) }
            }
            let next = data + page.2.count
            b.u32(last ? 0 : next)
            b.bytes += page.2
            return next
        }
        let next = ifd(first, at: 8, last: false)
        _ = ifd(second, at: next, last: true)
        return b.bytes
    }
}

@Suite("OME-XML images")
struct OMEXMLImagesTests {
    @Test("Each Image keeps its own sizes, units as written and channel names")
    func perImage() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">
            <Image ID="Image:0" Name="a &amp; b"><Pixels DimensionOrder="XYCZT" ID="Pixels:0" SizeC="3" SizeT="2" SizeX="64" SizeY="48" SizeZ="5"
             PhysicalSizeX="0.3" PhysicalSizeY="0.4" PhysicalSizeZ="2.0" PhysicalSizeZUnit="nm" TimeIncrement="1.5" TimeIncrementUnit="ms" Type="uint8">
            <Channel ID="Channel:0:0" Name="DAPI &amp; co" SamplesPerPixel="1"/><Channel ID="Channel:0:1" Name="&#181;-&#x3bc;"/><Channel ID="Channel:0:2"/>
            <TiffData/></Pixels></Image><Image ID="Image:1"><Pixels DimensionOrder="XYZCT" SizeC="1" SizeT="1" SizeX="1" SizeY="1" SizeZ="1"
             PhysicalSizeY="-1" PhysicalSizeX="7" PhysicalSizeXUnit="mm"><Channel Name="other"/><TiffData IFD="30"/></Pixels></Image></OME>
            """
        let images = try #require(OMEXMLImages(xml: xml)).images
        #expect(images.count == 2)
        #expect(images[0].name == "a & b" && images[0].dimensionOrder == "XYCZT")
        #expect([images[0].sizeX, images[0].sizeY, images[0].sizeZ, images[0].sizeC, images[0].sizeT] == [64, 48, 5, 3, 2])
        #expect(images[0].pixelSize == PixelSize(x: 0.3, y: 0.4, z: 2.0, unit: "µm", yUnit: "µm", zUnit: "nm", timeInterval: 1.5, timeUnit: "ms"))
        #expect(images[0].channelNames == ["DAPI & co", "µ-μ", ""])
        #expect(images[1].pixelSize == PixelSize(x: 7, unit: "mm"))
        #expect(images[1].channelNames == ["other"] && images[1].firstIFD == 30)
        #expect(OMEXMLImages(xml: "ImageJ=1.11a\nimages=3") == nil)
        #expect(OMEXMLImages(xml: "<OME><Pixels DimensionOrder=\"XYZ\" SizeX=\"1\"/></OME>") == nil)
        #expect(OMEXMLImages(xml: "<OME><Image><Pixels DimensionOrder=\"XYZCT\" SizeX=\"-1\" SizeY=\"1\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"1\"/></Image></OME>") == nil)
        #expect(OMEXMLImages.unescape("&lt;&#;&bogus;&#x110000;&") == "<&#;&bogus;&#x110000;&")
    }
}
