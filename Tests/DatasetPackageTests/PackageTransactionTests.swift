import DatasetPackage
import Foundation
import MIFAModel
import Testing

/// The folder all of this process's test folders live in; removed when the test process exits.
func testRootPath() -> String {
    FileManager.default.temporaryDirectory.path + "/mifa-package-tests-\(ProcessInfo.processInfo.processIdentifier)"
}

private let cleanupAtExit: Void = {
    atexit { try? FileManager.default.removeItem(atPath: testRootPath()) }
}()

/// A fresh temporary folder per test (inside ``testRootPath()``, removed at exit).
func temporaryFolder(_ name: String = #function) throws -> String {
    _ = cleanupAtExit
    let base = testRootPath() + "/\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    return base
}

func writeFile(_ text: String, _ path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func readFile(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

func simpleRecord(_ version: String, _ changes: String = "edit") -> (CommitContext) throws -> VersionRecord {
    { context in
        VersionRecord(
            version: version, timestamp: "2026-01-0\(version.count)T00:00:00Z", changes: changes, previousVersion: nil, previousRecordSHA256: nil,
            manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0,
            creditedAnnotators: [Author(authorFirstName: "Ada", authorLastName: "Lovelace")], changeSummary: ChangeSummary(files: context.fileChanges))
    }
}

/// A package with mifa.json, one image chunk and one annotation file, as version "1".
func makeSamplePackage(in folder: String) throws -> DatasetPackage {
    try DatasetPackage.create(at: "\(folder)/pkg", build: { staging in
        try writeFile("{\"study\": {}}\n", "\(staging)/mifa.json")
        try writeFile("chunk-a", "\(staging)/images/img1/0/c/0/0")
        try writeFile("{\"type\": \"FeatureCollection\", \"features\": []}\n", "\(staging)/annotations/set1/annotations.geojson")
    }, makeRecord: simpleRecord("1", "first"))
}

@Suite struct PackageTransactionTests {
    @Test func createWritesManifestRecordAndRootGroup() throws {
        let folder = try temporaryFolder()
        let package = try makeSamplePackage(in: folder)
        let manifest = try package.manifest()
        #expect(manifest.version == "1")
        // The vector set gets its index (package format 2) from `create`.
        #expect(manifest.fileList.paths == ["annotations/set1/annotations.geojson", "annotations/set1/index.json", "images/img1/0/c/0/0", "mifa.json", "zarr.json"])
        let (record, digest) = try package.record("1")
        #expect(digest == manifest.versionRecordSHA256)
        #expect(record.previousVersion == nil)
        #expect(record.fileCount == 5)
        #expect(record.manifestSHA256 == (try manifest.fileList.digest()))
        #expect(try package.lineage().map(\.version) == ["1"])
        #expect(try DatasetPackage.open(package.root).root == package.root)
        // Nothing is left beside the package.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["pkg"])
    }

    @Test func createRefusesAnExistingTarget() throws {
        let folder = try temporaryFolder()
        _ = try makeSamplePackage(in: folder)
        #expect(throws: PackageError.self) { try makeSamplePackage(in: folder) }
    }

    @Test func failedBuildLeavesNothing() throws {
        let folder = try temporaryFolder()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try DatasetPackage.create(at: "\(folder)/pkg", build: { staging in
                try writeFile("x", "\(staging)/mifa.json")
                throw Boom()
            }, makeRecord: simpleRecord("1"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func commitRecordsChangesAndEveryVersionRestoresBitForBit() throws {
        let folder = try temporaryFolder()
        let package = try makeSamplePackage(in: folder)
        let transaction = try PackageTransaction(package: package)
        try transaction.stageCurrentContent()
        let staging = transaction.stagingRoot
        // Replace (never write through the hard link), add, remove.
        try FileManager.default.removeItem(atPath: "\(staging)/images/img1/0/c/0/0")
        try writeFile("chunk-b", "\(staging)/images/img1/0/c/0/0")
        try writeFile("chunk-c", "\(staging)/images/img2/0/c/0/0")
        try FileManager.default.removeItem(atPath: "\(staging)/annotations/set1")
        let record = try transaction.commit(simpleRecord("2"))
        #expect(record.previousVersion == "1")
        #expect(record.previousRecordSHA256 == (try package.record("1").sha256))
        #expect(record.changeSummary.files == FileChanges(added: ["images/img2/0/c/0/0"], removed: ["annotations/set1/annotations.geojson", "annotations/set1/index.json"], modified: ["images/img1/0/c/0/0"]))
        #expect(try readFile(package.path("images/img1/0/c/0/0")) == "chunk-b")
        #expect(!FileManager.default.fileExists(atPath: package.path("annotations/set1")))
        #expect(!FileManager.default.fileExists(atPath: package.path(PackageLayout.transaction)))
        #expect(try package.lineage().map(\.version) == ["1", "2"])

        try package.restore(version: "1", to: "\(folder)/v1")
        #expect(try readFile("\(folder)/v1/images/img1/0/c/0/0") == "chunk-a")
        #expect(try readFile("\(folder)/v1/annotations/set1/annotations.geojson").contains("FeatureCollection"))
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/v1/images/img2"))
        let restored = try ContentScanner().fileList(of: "\(folder)/v1")
        #expect(restored == (try package.fileList(of: "1")))
        try package.restore(version: "2", to: "\(folder)/v2")
        #expect(try ContentScanner().fileList(of: "\(folder)/v2") == (try package.manifest().fileList))
    }

    @Test func versionIdsAreImmutableAndSafe() throws {
        let folder = try temporaryFolder()
        let package = try makeSamplePackage(in: folder)
        for bad in ["1", "../x", "", ".hidden"] {
            let transaction = try PackageTransaction(package: package)
            try transaction.stageCurrentContent()
            do {
                _ = try transaction.commit(simpleRecord(bad))
                Issue.record("version id '\(bad)' was accepted")
            } catch let error as PackageError {
                #expect(error.kind == .invalidVersion)
            }
            #expect(!FileManager.default.fileExists(atPath: package.path(PackageLayout.transaction)))
        }
        #expect(try package.manifest().version == "1")
    }

    @Test func tamperedFileIsNotCarriedIntoHistory() throws {
        let folder = try temporaryFolder()
        let package = try makeSamplePackage(in: folder)
        try writeFile("tampered", package.path("images/img1/0/c/0/0"))
        let transaction = try PackageTransaction(package: package)
        try writeFile("{}", "\(transaction.stagingRoot)/mifa.json")
        do {
            _ = try transaction.commit(simpleRecord("2"))
            Issue.record("expected a digest mismatch")
        } catch let error as PackageError {
            #expect(error.kind == .digestMismatch)
            #expect(error.context.file == "images/img1/0/c/0/0")
        }
        #expect(try package.manifest().version == "1")
    }

    @Test func uncommittedStagingIsDiscardedOnOpen() throws {
        let folder = try temporaryFolder()
        let package = try makeSamplePackage(in: folder)
        try writeFile("half-written", package.path(".mifa-transaction/tree/images/img9/zarr.json"))
        let reopened = try DatasetPackage.open(package.root)
        #expect(!FileManager.default.fileExists(atPath: reopened.path(PackageLayout.transaction)))
        #expect(try reopened.manifest().version == "1")
    }

    @Test func notAPackageIsReported() throws {
        let folder = try temporaryFolder()
        #expect(throws: PackageError.self) { try DatasetPackage.open(folder) }
        try writeFile("{\"zarr_format\": 3, \"node_type\": \"group\"}", "\(folder)/zarr.json")
        do {
            _ = try DatasetPackage.open(folder)
            Issue.record("expected not-a-package")
        } catch let error as PackageError {
            #expect(error.kind == .notAPackage)
        }
    }
}
