import Annotations
import DatasetPackage
import Foundation
import MIFACore
import OMEZarr
import RasterIO
import Testing

/// Issue 14: `mifa version --annotations set1=<folder of corrected masks>` stored a new vector copy
/// beside the old label image ("195 added, 0 removed"), and the label image the loader uses still had
/// the removed nucleus. A correction of a raster set replaces its label images, and diff shows it.
@Suite struct LabelSetCorrectionTests {
    /// A package of three images with instance masks (set1) from `masks/`.
    func makePackage(_ folder: String) throws -> DatasetPackage {
        let source = "\(folder)/source"
        for index in 0..<3 {
            try IngestFixtures.writeImage(index, "\(source)/images/img\(index).tif")
            try IngestFixtures.writeMask(index, "\(source)/masks/img\(index).tif")
        }
        let sets = [IngestFixtures.set(overview: "Instance masks of nuclei", types: ["segmentation_mask"])]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        _ = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        return try DatasetPackage.open("\(folder)/pkg")
    }

    /// Mask `index` with object `removed` erased and object `grown` one pixel wider.
    func corrected(_ index: Int, removing removed: UInt16, growing grown: UInt16? = nil) throws -> NDArray<UInt16> {
        var elements = try IngestFixtures.mask(index).elements
        for position in elements.indices where elements[position] == removed { elements[position] = 0 }
        if let grown, let first = elements.firstIndex(of: grown) { elements[first - 1] = grown }
        return try NDArray(shape: [64, 64], elements: Array(elements))
    }

    @Test func correctedMasksReplaceTheLabelImagesAndDiffShowsTheObjects() throws {
        let folder = try temporaryFolder()
        let package = try makePackage(folder)
        // The corrections, named after the images: img1 loses nucleus 2, img2's nucleus 1 grows.
        try FileManager.default.createDirectory(atPath: "\(folder)/fixed", withIntermediateDirectories: true)
        try RasterFile.write(try RasterImage(array: AnyNDArray(try corrected(1, removing: 2)), axes: "YX"), to: "\(folder)/fixed/img1.png")
        try RasterFile.write(try RasterImage(array: AnyNDArray(try corrected(2, removing: 99, growing: 1)), axes: "YX"), to: "\(folder)/fixed/img2.tif")
        let record = try VersionMaker.make(
            VersionRequest(version: "2", changes: "removed a false nucleus", edits: [.setAnnotations(set: "set1", file: "\(folder)/fixed")], timestamp: "2026-01-02T00:00:00Z"),
            in: package)
        // No vector copy beside the label images.
        #expect(!FileManager.default.fileExists(atPath: package.path("annotations/set1")))
        #expect(record.changeSummary.annotations == ["set1": ObjectChanges(added: [], removed: ["img1:2"], changed: ["img2:1"])])
        // The label images the loader reads hold the corrections; img0's is untouched.
        for (index, expected) in [(0, try IngestFixtures.mask(0)), (1, try corrected(1, removing: 2)), (2, try corrected(2, removing: 99, growing: 1))] {
            let label = try OMEZarrImage.open(path: package.path("images/img\(index)")).openLabel("set1")
            #expect(try label.read().typed(as: UInt16.self) == expected, "img\(index)")
        }
        #expect(!record.changeSummary.files.modified.contains { $0.hasPrefix("images/img0/") })
        let diff = try package.diff(from: "0.9", to: "2")
        #expect(diff.annotations == ["set1": ObjectChanges(added: [], removed: ["img1:2"], changed: ["img2:1"])])
        // The first version is still there, with the old nucleus.
        try package.restore(version: "0.9", to: "\(folder)/v1")
        let old = try OMEZarrImage.open(path: "\(folder)/v1/images/img1").openLabel("set1")
        #expect(try old.read().typed(as: UInt16.self) == (try IngestFixtures.mask(1)))
    }

    @Test func aMaskNamedAfterNoImageOrAVectorFileForARasterSetIsRefused() throws {
        let folder = try temporaryFolder()
        let package = try makePackage(folder)
        try FileManager.default.createDirectory(atPath: "\(folder)/fixed", withIntermediateDirectories: true)
        try RasterFile.write(try RasterImage(array: AnyNDArray(try IngestFixtures.mask(1)), axes: "YX"), to: "\(folder)/fixed/unknown.png")
        let before = try package.manifest().fileList
        #expect(throws: PackageError.self) {
            try VersionMaker.make(VersionRequest(version: "2", changes: "x", edits: [.setAnnotations(set: "set1", file: "\(folder)/fixed")], timestamp: "2026-01-02T00:00:00Z"), in: package)
        }
        try IngestFixtures.write(IngestFixtures.geojson(1, idPrefix: "n"), "\(folder)/img1.geojson")
        let error = #expect(throws: PackageError.self) {
            try VersionMaker.make(VersionRequest(version: "2", changes: "x", edits: [.setAnnotations(set: "set1", file: "\(folder)/img1.geojson")], timestamp: "2026-01-02T00:00:00Z"), in: package)
        }
        #expect(error?.message.contains("raster set") == true)
        #expect(try package.manifest().fileList == before)
    }
}
