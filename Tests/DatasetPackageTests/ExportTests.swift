import Annotations
import DatasetPackage
import Foundation
import MIFACore
import Testing
import Zarr

/// `PackageExporter`: zip read back in place by our ZipStore, annotation sets as COCO / GeoJSON with
/// the package's images, Croissant with digests, and old versions bit for bit.
@Suite struct ExportTests {
    @Test func zipOpensInPlaceWithOurZipStore() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        let summary = try PackageExporter(package: package).export(.zip, to: "\(folder)/pkg.zip")
        let manifest = try package.manifest()
        #expect(summary.items > manifest.files.count)
        let store = try ZipStore(path: "\(folder)/pkg.zip")
        for path in manifest.fileList.paths {
            let bytes = try #require(try store.get(StoreKey(path), range: nil))
            #expect(SHA256Digest(of: bytes) == manifest.files[path]!.sha256)
        }
        #expect(try store.get(StoreKey("manifest.json"), range: nil) != nil)
        #expect(throws: PackageError.self) { try PackageExporter(package: package).export(.zip, to: "\(folder)/pkg.zip") }
    }

    @Test func oldVersionExportsBitForBit() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        let first = try package.manifest().fileList
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        try PackageExporter(package: package).export(.zip, to: "\(folder)/v1.zip", version: "1")
        let store = try ZipStore(path: "\(folder)/v1.zip")
        #expect(try store.list(prefix: "").count == first.files.count)
        for path in first.paths {
            #expect(SHA256Digest(of: try #require(try store.get(StoreKey(path), range: nil))) == first.files[path]!.sha256)
        }
    }

    @Test func setsExportWithThePackageImages() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        let exporter = PackageExporter(package: package)
        #expect(throws: PackageError.self) { try exporter.export(.coco, to: "\(folder)/any.json") }
        let cells = try exporter.export(.geojson, to: "\(folder)/cells.geojson", setID: "cells")
        #expect(cells.items == 3)
        let read = try GeoJSONReader.read(path: "\(folder)/cells.geojson").document
        #expect(read.images.map(\.fileName) == ["images/img1", "images/img2"])
        #expect(read.images.map(\.width) == [24, 24])
        let nuclei = try exporter.export(.coco, to: "\(folder)/nuclei.json", setID: "nuclei")
        #expect(nuclei.items == 2)
        let coco = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: "\(folder)/nuclei.json"))))
        #expect(coco["images"]?[0]?["file_name"]?.stringValue == "images/img1")
        #expect(coco["images"]?[0]?["mifa_id"]?.stringValue == "img1")
        #expect(coco["annotations"]?.arrayValue?.count == 2)
    }

    @Test func croissantListsFilesWithDigests() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        try PackageExporter(package: package).export(.croissant, to: "\(folder)/croissant.json")
        let document = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: "\(folder)/croissant.json"))))
        #expect(document["conformsTo"]?.stringValue == "http://mlcommons.org/croissant/1.0")
        #expect(document["license"]?.stringValue == "https://spdx.org/licenses/CC-BY-4.0.html")
        let files = try #require(document["distribution"]?.arrayValue)
        let metadata = try #require(files.first { $0["@id"]?.stringValue == "mifa.json" })
        #expect(metadata["sha256"]?.stringValue == (try package.manifest()).files["mifa.json"]?.sha256.hex)
        let sets = try #require(document["recordSet"]?.arrayValue).compactMap { $0["@id"]?.stringValue }
        #expect(sets == ["images", "annotations/cells", "labels/nuclei"])
    }
}

extension ExportTests {
    @Test func outputInsideThePackageIsRefused() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        let error = try #require(throws: PackageError.self) { try PackageExporter(package: package).export(.zip, to: package.path("images/pkg.zip")) }
        #expect(error.kind == .invalidArgument)
        #expect(try PackageAuditor().audit(package.root).verdict == "clean")
    }
}

extension ExportTests {
    @Test func damagedFileFailsTheZipAndLeavesNothing() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        try writeFile("tampered", package.path("images/img1/0/c/0/0"))
        let error = try #require(throws: PackageError.self) { try PackageExporter(package: package).export(.zip, to: "\(folder)/out.zip") }
        #expect(error.kind == .missingObject)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["pkg"])
    }
}
