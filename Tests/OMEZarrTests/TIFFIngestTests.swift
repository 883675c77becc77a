import Foundation
import MIFACore
import RasterIO
import Testing
@testable import OMEZarr
import Zarr

@Suite struct TIFFIngestTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("omezarr-tests-\(UUID().uuidString)-\(name)").path
    }

    @Test(arguments: NGFFVersion.allCases)
    func hyperstackWithLabels(version: NGFFVersion) throws {
        // TZCYX as RasterIO reads ImageJ hyperstacks; the image becomes tczyx.
        let data = TestData.random([2, 3, 2, 40, 30], seed: 21) { UInt16.random(in: 0...UInt16.max, using: &$0) }
        let tiff = Self.temporaryPath("stack.tif")
        defer { try? FileManager.default.removeItem(atPath: tiff) }
        try TIFFFile.write(try RasterImage(array: AnyNDArray(data), axes: "TZCYX",
                                           pixelSize: PixelSize(x: 0.25, y: 0.25, z: 1.5, unit: "micron", timeInterval: 4, timeUnit: "sec")), to: tiff)
        let labels = TestData.labels([2, 3, 40, 30], count: 9, seed: 22)
        let labelTIFF = Self.temporaryPath("labels.tif")
        defer { try? FileManager.default.removeItem(atPath: labelTIFF) }
        try TIFFFile.write(try RasterImage(array: AnyNDArray(labels), axes: "TZYX"), to: labelTIFF)
        let plan = try TIFFIngestPlan(file: TIFFFile(path: tiff))
        #expect(plan.axes.map(\.name) == ["t", "c", "z", "y", "x"])
        #expect(plan.shape == [2, 2, 3, 40, 30])
        #expect(plan.scale == [4, 1, 1.5, 0.25, 0.25])
        #expect(plan.axes.map(\.unit) == ["second", nil, "micrometer", "micrometer", "micrometer"])
        let store = MemoryStore()
        let image = try TIFFIngest.convert(tiff: tiff, to: store, labels: [.init(name: "cells", path: labelTIFF)],
                                           options: OMEZarrWriteOptions(version: version, levels: 2, chunks: [2, 16, 16]))
        let level0 = try image.read(UInt16.self)
        for t in 0..<2 {
            for c in 0..<2 {
                for z in 0..<3 {
                    let expected = try data.copy(region: Region([t..<(t + 1), z..<(z + 1), c..<(c + 1), 0..<40, 0..<30]))
                    let actual = try level0.copy(region: Region([t..<(t + 1), c..<(c + 1), z..<(z + 1), 0..<40, 0..<30]))
                    #expect(actual.elements == expected.elements, "t \(t) c \(c) z \(z)")
                }
            }
        }
        let label = try image.openLabel("cells")
        #expect(try label.read(UInt16.self) == labels)
        #expect(label.levels.count == 2)
        #expect(Set(try label.read(UInt16.self, level: 1).elements).isSubset(of: Set(labels.elements)))
    }

    @Test func rgbAndPlanarPages() throws {
        let rgb = TestData.random([20, 24, 3], seed: 23) { UInt8.random(in: 0...255, using: &$0) }
        let tiff = Self.temporaryPath("rgb.tif")
        defer { try? FileManager.default.removeItem(atPath: tiff) }
        try TIFFFile.write(try RasterImage(array: AnyNDArray(rgb), axes: "YXS"), to: tiff)
        let store = MemoryStore()
        let image = try TIFFIngest.convert(tiff: tiff, to: store, options: OMEZarrWriteOptions(levels: 1))
        #expect(image.axes.map(\.name) == ["c", "y", "x"])
        let pixels = try image.read(UInt8.self)
        for c in 0..<3 {
            for y in 0..<20 {
                for x in 0..<24 { #expect(pixels[c, y, x] == rgb[y, x, c]) }
            }
        }
        #expect(image.omero?.channels.map(\.color) == ["FF0000", "00FF00", "0000FF"])
    }

    @Test func badLabelsAreRefusedBeforeWriting() throws {
        let tiff = Self.temporaryPath("image.tif")
        let floatTIFF = Self.temporaryPath("float.tif")
        let smallTIFF = Self.temporaryPath("small.tif")
        defer { for path in [tiff, floatTIFF, smallTIFF] { try? FileManager.default.removeItem(atPath: path) } }
        try TIFFFile.write(AnyNDArray(NDArray<UInt8>(shape: [16, 16])), to: tiff)
        try TIFFFile.write(AnyNDArray(NDArray<Float>(shape: [16, 16])), to: floatTIFF)
        try TIFFFile.write(AnyNDArray(NDArray<UInt8>(shape: [16, 15])), to: smallTIFF)
        let float = try #require(throws: OMEZarrError.self) { try TIFFConversion(tiff: tiff, labels: [.init(name: "a", path: floatTIFF)]) }
        #expect(float.kind == .invalidLabel)
        let small = try #require(throws: OMEZarrError.self) { try TIFFConversion(tiff: tiff, labels: [.init(name: "a", path: smallTIFF)]) }
        #expect(small.kind == .invalidLabel)
        #expect(throws: OMEZarrError.self) { try TIFFConversion(tiff: tiff, labels: [.init(name: "a", path: tiff), .init(name: "a", path: tiff)]) }
        let missing = try #require(throws: OMEZarrError.self) { try TIFFConversion(tiff: Self.temporaryPath("absent.tif")) }
        #expect(missing.kind == .storage)
        #expect(missing.underlying is RasterIOError)
    }

    @Test func unitNames() throws {
        #expect(TIFFIngestPlan.spaceUnit("micron") == "micrometer")
        #expect(TIFFIngestPlan.spaceUnit("pixel") == nil)
        #expect(TIFFIngestPlan.timeUnit("sec") == "second")
        // OME symbols are case-sensitive: Mm is a megameter, mm a millimeter, Ms a megasecond.
        #expect(TIFFIngestPlan.omeSpaceUnits("Mm") == "megameter" && TIFFIngestPlan.omeSpaceUnits("mm") == "millimeter")
        #expect(TIFFIngestPlan.omeTimeUnits("Ms") == "megasecond" && TIFFIngestPlan.omeTimeUnits("ms") == "millisecond")
        #expect(TIFFIngestPlan.omeSpaceUnits("dam") == nil && TIFFIngestPlan.omeTimeUnits("das") == nil)
    }

    @Test func summaryDescribesWhatItFinds() throws {
        let (store, _) = try ReaderTests.image()
        let image = try OMEZarrImage.open(store)
        try image.addLabel(name: "nuclei", AnyNDArray(NDArray<UInt8>(shape: [4, 32, 48], repeating: 2)))
        let summary = try OMEZarrSummary.describe(store)
        #expect(summary["kind"] == "image")
        #expect(summary["valid"] == true)
        #expect(summary["image"]?["levels"]?.arrayValue?.count == 3)
        #expect(summary["labels"]?[0]?["name"] == "nuclei")
        #expect(summary["labels"]?[0]?["image_label"]?["colors"]?.arrayValue?.count == 1)
        for key in try store.list(prefix: "2/") { try store.delete(key) }
        let broken = try OMEZarrSummary.describe(store)
        #expect(broken["valid"] == false)
        #expect(broken["issues"]?.arrayValue?.contains { $0["message"]?.stringValue?.contains("level 2") ?? false } ?? false)
        let labels = try OMEZarrSummary.describe(store, path: "labels")
        #expect(labels["kind"] == "labels")
        let plain = MemoryStore()
        try ZarrGroup.create(plain)
        #expect(try OMEZarrSummary.describe(plain)["ome_zarr"] == false)
    }
}
