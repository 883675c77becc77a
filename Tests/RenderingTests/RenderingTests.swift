import TestSupport
import Annotations
import Foundation
import MIFACore
import OMEZarr
import RasterIO
@testable import Rendering
import Testing
import Zarr

/// A 2-level uint16 OME-Zarr image (48 x 40, chunks 16 x 16) with a `cells` label image, in a temporary folder.
struct Fixture {
    let folder: String
    let image: OMEZarrImage
    let labels: NDArray<UInt8>
    let pixels: NDArray<UInt16>

    init(labelColors: [LabelColor]? = nil) throws {
        folder = NSTemporaryDirectory() + "rendering-\(UUID().uuidString)"
        let store = try DirectoryStore(root: folder, create: true)
        pixels = try NDArray<UInt16>(shape: [48, 40], elements: (0..<(48 * 40)).map { UInt16(($0 * 37) % 1000) })
        let writer = try OMEZarrImageWriter(store: store, shape: [48, 40], dataType: .uint16, options: OMEZarrWriteOptions(levels: 2, chunks: [16, 16]))
        try writer.write(AnyNDArray(pixels))
        let written = try writer.finish()
        var labels = NDArray<UInt8>(shape: [48, 40])
        for y in 4..<12 { for x in 6..<20 { labels[[y, x]] = 1 } }
        for y in 20..<40 { for x in 22..<37 { labels[[y, x]] = 7 } }
        self.labels = labels
        _ = try written.addLabel(name: "cells", AnyNDArray(labels), colors: labelColors)
        image = try OMEZarrImage.open(path: folder)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

@Suite struct RenderingTests {
    @Test func labelOverlayIsTheLabelColourExactlyWhereTheLabelIsNonZero() throws {
        let colors = [LabelColor(labelValue: 1, rgba: [255, 0, 0, 255]), LabelColor(labelValue: 7, rgba: [0, 0, 255, 255])]
        let fixture = try Fixture(labelColors: colors)
        defer { fixture.remove() }
        let layer = try LabelLayer(name: "cells", image: fixture.image.openLabel("cells"))
        let renderer = try ImageRenderer(image: fixture.image, labels: [layer])
        let picture = try renderer.render(level: 0)
        #expect(picture.width == 40 && picture.height == 48)
        for y in 0..<48 {
            for x in 0..<40 {
                let pixel = picture[y, x]
                switch fixture.labels[[y, x]] {
                case 1: #expect(pixel == RGBA(255, 0, 0, 255), "(\(y), \(x))")
                case 7: #expect(pixel == RGBA(0, 0, 255, 255), "(\(y), \(x))")
                default: #expect(pixel.red == pixel.green && pixel.green == pixel.blue && pixel.alpha == 255, "(\(y), \(x)) is grey image, not overlay: \(pixel)")
                }
            }
        }
        // Overlay-only pictures are transparent where the label is zero.
        let overlay = try renderer.render(level: 0, options: RenderOptions(showImage: false))
        #expect(overlay[0, 0] == RGBA(0, 0, 0, 0))
        #expect(overlay[5, 7] == RGBA(255, 0, 0, 255))
    }

    @Test func labelsWithoutColoursUseTheAutomaticPaletteAtEveryLevel() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let renderer = try ImageRenderer(image: fixture.image, labels: [LabelLayer(name: "cells", image: fixture.image.openLabel("cells"))])
        let expected = LabelColor.automatic(for: 7).rgba!
        let level1 = try renderer.render(level: 1)
        let labels1 = try fixture.image.openLabel("cells").read(UInt8.self, level: 1)
        #expect(level1.width == 20 && level1.height == 24)
        for y in 0..<24 {
            for x in 0..<20 where labels1[[y, x]] == 7 {
                #expect(level1[y, x] == RGBA(expected[0], expected[1], expected[2], expected[3]))
            }
        }
    }

    @Test func contrastComesFromTheOmeroWindow() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let renderer = try ImageRenderer(image: fixture.image)
        let display = renderer.channels[0]
        #expect(renderer.channels.count == 1 && display.color == RGBA(255, 255, 255))
        if let window = fixture.image.omero?.channels.first?.window {
            #expect(display.start == window.start && display.end == window.end)
        } else {
            #expect(display.start == 0 && display.end == 999)  // the values' range in the lowest level
        }
        let picture = try renderer.render(level: 0, y: 0..<2, x: 0..<10)
        for x in 0..<10 {
            let value = Double(fixture.pixels[[0, x]])
            let expected = UInt8((min(max((value - display.start) / (display.end - display.start), 0), 1) * 255).rounded())
            #expect(Int(picture[0, x].red) - Int(expected) <= 1 && Int(expected) - Int(picture[0, x].red) <= 1)
        }
    }

    @Test func vectorOutlinesAreDrawnOnTheBorderNotInside() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let square = Annotation(id: .int(1), value: .geometry(.polygon(Polygon(exterior: Ring(flat: [10, 10, 30, 10, 30, 30, 10, 30])))))
        let point = Annotation(id: .int(2), value: .geometry(.point(Point(x: 2.5, y: 40.5))))
        let layer = VectorLayer(name: "set1", annotations: [square, point], color: RGBA(0, 255, 0))
        let renderer = try ImageRenderer(image: fixture.image, vectors: [layer])
        let picture = try renderer.render(level: 0, options: RenderOptions(showImage: false))
        #expect(picture[10, 15] == RGBA(0, 255, 0))  // top edge
        #expect(picture[20, 10] == RGBA(0, 255, 0))  // left edge
        #expect(picture[20, 20] == RGBA(0, 0, 0, 0))  // inside
        #expect(picture[40, 2] == RGBA(0, 255, 0))  // the point
        // At level 1 (half size) the same square is drawn at half the coordinates.
        let half = try renderer.render(level: 1, options: RenderOptions(showImage: false))
        #expect(half[5, 8] == RGBA(0, 255, 0))
        #expect(half[10, 10] == RGBA(0, 0, 0, 0))
        // Hidden when the options leave the layer out.
        let none = try renderer.render(level: 0, options: RenderOptions(showImage: false, vectors: []))
        #expect(none.pixels.allSatisfy { $0 == 0 })
    }

    @Test func tilesCoverTheLevelAndMatchTheWholeRendering() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let renderer = try ImageRenderer(image: fixture.image, labels: [LabelLayer(name: "cells", image: fixture.image.openLabel("cells"))])
        let whole = try renderer.render(level: 0)
        let grid = try renderer.grid(level: 0, tileSize: 32)
        #expect(grid.rows == 2 && grid.columns == 2)
        let corner = try renderer.tile(level: 0, row: 1, column: 1, tileSize: 32)
        #expect(corner.width == 8 && corner.height == 16)
        for y in 0..<16 { for x in 0..<8 { #expect(corner[y, x] == whole[32 + y, 32 + x]) } }
        #expect(throws: RenderingError.self) { try renderer.tile(level: 0, row: 2, column: 0, tileSize: 32) }
        #expect(throws: RenderingError.self) { try renderer.render(level: 5) }
        #expect(throws: RenderingError.self) { try renderer.render(level: 0, y: 0..<49) }
        #expect(throws: RenderingError.self) { try renderer.render(level: 0, options: RenderOptions(channels: [3])) }
        #expect(throws: RenderingError.self) { try renderer.render(level: 0, options: RenderOptions(z: 1)) }
    }

    @Test func pngRoundTripsThroughRasterIO() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let picture = try ImageRenderer(image: fixture.image).thumbnail(maxSide: 16)
        #expect(max(picture.width, picture.height) <= 16)
        let decoded = try PNGFile.decode(picture.png())
        #expect(decoded.shape == [picture.height, picture.width], "a single-channel picture is opaque grey, written as grey")
        #expect(rgba(decoded) == picture.pixels)
    }

    /// Random pictures of each kind (opaque grey, opaque colour, partly transparent) come back from
    /// their PNG pixel for pixel, written with one, three and four samples.
    @Test func pngHoldsEveryPixelInTheSmallestColourType() throws {
        var random = SeededGenerator(seed: 18)
        for trial in 0..<90 {
            let kind = trial % 3, width = Int.random(in: 1...24, using: &random), height = Int.random(in: 1...24, using: &random)
            var picture = RGBAImage(width: width, height: height)
            for i in 0..<(width * height) {
                let grey = UInt8.random(in: 0...255, using: &random)
                let colour = (0..<3).map { _ in kind == 0 ? grey : UInt8.random(in: 0...255, using: &random) }
                let alpha = kind == 2 ? UInt8.random(in: 0...255, using: &random) : 255
                picture.pixels.replaceSubrange((i * 4)..<(i * 4 + 4), with: colour + [alpha])
            }
            // One pixel that only the expected colour type holds: a colour, a transparent pixel.
            if kind == 1 { picture.pixels[0...2] = [10, 20, 30] }
            if kind == 2 { picture.pixels[3] = 0 }
            let decoded = try PNGFile.decode(picture.png(compressionLevel: trial % 10))
            #expect(decoded.shape == (kind == 0 ? [height, width] : [height, width, kind == 1 ? 3 : 4]))
            #expect(rgba(decoded) == picture.pixels)
        }
    }

    @Test func aSampleIsRoundedAsFoundationRounds() {
        // Every half step and its neighbouring floats, and random values, up to past the clamp.
        var values: [Float] = []
        for k in 0...600 {
            let half = Float(k) / 2
            values += [half, half.nextUp, half.nextDown, half.nextUp.nextUp, half.nextDown.nextDown]
        }
        var random = SystemRandomNumberGenerator()
        values += (0..<10_000).map { _ in Float.random(in: 0...300, using: &random) }
        for value in values where value >= 0 {
            #expect(ImageRenderer.byte(value) == UInt8(min(255, value.rounded())), "\(value)")
        }
    }

    @Test func hexColours() {
        #expect(RGBA(hex: "FF0080") == RGBA(255, 0, 128))
        #expect(RGBA(hex: "#00ff0080") == RGBA(0, 255, 0, 128))
        #expect(RGBA(hex: "red") == nil)
        #expect(RGBA(255, 0, 128).hex == "#FF0080")
    }
}

/// The pixels of a decoded 8-bit grey, RGB or RGBA PNG as RGBA bytes (grey and RGB opaque).
func rgba(_ decoded: RasterImage) -> [UInt8] {
    let values = Array(decoded.array.typed(as: UInt8.self)?.elements ?? [])
    let samples = decoded.shape.count == 3 ? decoded.shape[2] : 1
    return (0..<(values.count / samples)).flatMap { i -> [UInt8] in
        let pixel = Array(values[(i * samples)..<(i * samples + samples)])
        return samples == 1 ? [pixel[0], pixel[0], pixel[0], 255] : samples == 3 ? pixel + [255] : pixel
    }
}
