import DatasetPackage
import Foundation
import MIFACore
import OMEZarr
import Testing

/// Issue 14: without a file list, masks in a `masks/` folder were packed as images (and image ids
/// became `images_B00` / `masks_B00`), not what Samples/README.md promises: `masks/` holds label
/// images matched to images by name.
@Suite struct IngestMaskFolderTests {
    @Test(arguments: ["masks", "labels", "GT"])
    func masksInAMaskFolderAreLabelsOfTheImageOfTheirName(maskFolder: String) throws {
        let folder = try temporaryFolder()
        let source = "\(folder)/source"
        for index in 0..<3 {
            try IngestFixtures.writeImage(index, "\(source)/images/B0\(index).tif")
            try IngestFixtures.writeMask(index, "\(source)/\(maskFolder)/B0\(index).tif")
        }
        let sets = [IngestFixtures.set(overview: "Instance masks of nuclei", types: ["segmentation_mask"])]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.images == 3)
        #expect(summary.labelImages == 3)
        #expect(summary.unmatched.isEmpty, "\(summary.unmatched)")
        for index in 0..<3 {
            let image = try OMEZarrImage.open(path: "\(folder)/pkg/images/B0\(index)")
            #expect(try image.openLabel("set1").read().typed(as: UInt16.self) == (try IngestFixtures.mask(index)))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/pkg/images/masks_B00"))
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/pkg/images/images_B00"))
    }

    @Test func aMaskFolderRasterWithoutAnImageOfItsNameStaysAnImage() throws {
        let folder = try temporaryFolder()
        let source = "\(folder)/source"
        try IngestFixtures.writeImage(0, "\(source)/images/B00.tif")
        try IngestFixtures.writeMask(0, "\(source)/masks/B00.tif")
        try IngestFixtures.writeImage(1, "\(source)/masks/other.tif")
        let sets = [IngestFixtures.set(overview: "Instance masks of nuclei", types: ["segmentation_mask"])]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.images == 2)
        #expect(summary.labelImages == 1)
    }
}
