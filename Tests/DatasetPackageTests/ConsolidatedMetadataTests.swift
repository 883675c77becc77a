import DatasetPackage
import Foundation
import MIFACore
import OMEZarr
import Testing
import TestSupport
import Zarr

/// The package's consolidated metadata: written by every writer into the root zarr.json, used by
/// readers only when it describes the manifest's zarr.json files, and reported by `mifa audit`
/// when it disagrees with the nodes.
@Suite struct ConsolidatedMetadataTests {
    /// The audit fixture laid out as `mifa pack` lays a package out: its images under an `images` group.
    func makePackage(_ name: String = #function) throws -> DatasetPackage {
        try AuditFixtures.makePackage(in: try temporaryFolder(name)) { staging in
            try ZarrGroup.create(DirectoryStore(root: staging, create: true), path: PackageLayout.images)
        }
    }

    /// The package opened again, its files read through `counter` (every read counted).
    func reopened(_ package: DatasetPackage) throws -> (package: DatasetPackage, counter: CountingStore) {
        let counter = CountingStore(try DirectoryStore(root: package.root, readOnly: true))
        return (try DatasetPackage.open(PackageReader(store: counter)), counter)
    }

    func root(_ package: DatasetPackage) throws -> JSONValue {
        try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: package.path("zarr.json")))), file: "zarr.json")
    }

    @Test func packingConsolidatesEveryNodeAndImagesOpenWithoutReadingTheirMetadata() throws {
        let package = try makePackage()
        let nodes = try #require(try root(package)["consolidated_metadata"]?["metadata"]?.objectValue).map(\.key).sorted()
        #expect(nodes == ["images", "images/img1", "images/img1/0", "images/img1/1", "images/img1/labels", "images/img1/labels/nuclei",
                          "images/img1/labels/nuclei/0", "images/img1/labels/nuclei/1", "images/img2", "images/img2/0", "images/img2/1"])
        #expect(try root(package)["attributes"]?["mifa"]?["version"] == "2")

        let (opened, counter) = try reopened(package)
        let manifest = try opened.manifest()
        guard case .current = try opened.consolidatedMetadata(manifest: manifest) else { Issue.record("not current"); return }
        let store = try opened.imageStore(manifest: manifest)
        let before = counter.count
        let image = try OMEZarrImage.open(store, path: "images/img1")
        let labels = try image.labelNames()
        let label = try image.openLabel("nuclei")
        #expect(counter.count == before, "\(counter.history.suffix(counter.count - before).map(\.key))")
        #expect(labels == ["nuclei"] && label.levels.count == 2 && image.levels.count == 2)
        #expect(try OMEZarrImage.open(store, path: "images/img2").labelNames().isEmpty)
        #expect(counter.count == before)
        // The same image, read from its own zarr.json files, and its pixels through the view.
        let direct = try OMEZarrImage.open(DirectoryStore(root: package.root, readOnly: true), path: "images/img1")
        #expect(direct.levels.map(\.shape) == image.levels.map(\.shape) && direct.group.metadata == image.group.metadata)
        #expect(try direct.read(level: 0) == image.read(level: 0))
        let report = try PackageAuditor().audit(package.root)
        #expect(report.verdict == "clean", "\(report.findings)")
    }

    @Test func aNewVersionConsolidatesItsOwnNodes() throws {
        let package = try makePackage()
        let transaction = try PackageTransaction(package: package)
        try transaction.stageCurrentContent()
        let staged = "\(transaction.stagingRoot)/images/img2"
        try FileManager.default.removeItem(atPath: staged)
        _ = try transaction.commit(AuditFixtures.record("2", timestamp: "2026-02-01T00:00:00Z"))
        let nodes = try #require(try root(package)["consolidated_metadata"]?["metadata"]?.objectValue).map(\.key)
        #expect(!nodes.contains { $0.hasPrefix("images/img2") } && nodes.contains("images/img1/0"))
        guard case .current = try DatasetPackage.open(package.root).consolidatedMetadata(manifest: package.manifest()) else {
            Issue.record("not current")
            return
        }
    }

    @Test func consolidatedMetadataMadeFromOtherFilesIsNotUsedAndIsReported() throws {
        let package = try makePackage()
        // What a writer that does not consolidate leaves: a node changed, listed in the manifest, the root as it was.
        let file = "images/img2/zarr.json"
        let edited = Array(try String(contentsOfFile: package.path(file), encoding: .utf8).replacingOccurrences(of: "\"ome\"", with: "\"ome\", \"note\": 1").utf8)
        try Data(edited).write(to: URL(fileURLWithPath: package.path(file)))
        var manifest = try package.manifest()
        manifest.files[file] = ManifestEntry(sha256: SHA256Digest(of: edited), bytes: edited.count)
        let (opened, _) = try reopened(package)
        guard case .stale(let reason) = try opened.consolidatedMetadata(manifest: manifest) else { Issue.record("trusted"); return }
        #expect(reason.contains("other zarr.json files"))
        #expect(!(try opened.imageStore(manifest: manifest) is ConsolidatedStore))
    }

    @Test func aNodeThatDisagreesWithTheConsolidatedMetadataIsReported() throws {
        let package = try makePackage()
        let file = package.path("images/img1/labels/nuclei/zarr.json")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"ome\"", with: "\"ome\", \"note\": 1")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let report = try PackageAuditor().audit(package.root)
        let stale = report.findings(.error).filter { $0.code == .consolidatedMetadataStale }
        #expect(stale.map(\.pointer) == ["/consolidated_metadata/metadata/images~1img1~1labels~1nuclei"], "\(report.findings)")
        #expect(stale.first?.message.contains("mifa version") == true)
        // What `mifa validate` reports of a package: exactly these findings of the audit, and of a current package none.
        #expect(PackageAuditor().consolidatedMetadataFindings(try DatasetPackage.open(package.root)) == stale)
        #expect(PackageAuditor().consolidatedMetadataFindings(try makePackage("current")).isEmpty)
    }

    @Test func aPackageWithoutConsolidatedMetadataOpensAsBefore() throws {
        // The fixture without an `images` group: the hierarchy does not reach the images, so none is written.
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        #expect(try root(package)["consolidated_metadata"] == nil)
        let (opened, counter) = try reopened(package)
        let manifest = try opened.manifest()
        guard case .absent = try opened.consolidatedMetadata(manifest: manifest) else { Issue.record("not absent"); return }
        let before = counter.count
        let image = try OMEZarrImage.open(opened.imageStore(manifest: manifest), path: "images/img1")
        #expect(image.levels.count == 2 && counter.count > before)
        #expect(try PackageAuditor().audit(package.root).verdict == "clean")
    }
}
