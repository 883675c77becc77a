import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Packages crafted by a stranger: paths leaving the package in self-consistent chains, links and
/// FIFOs where the package's own files belong, predictable temporary names, stray objects, forged
/// credit and leftovers. Each case is refused or reported, and nothing outside the package changes.
@Suite struct HostilePackageTests {
    /// Rewrites the chain of `package` as a forger who recomputes every digest would: `edit`
    /// changes the file list and record of each version (oldest first), then every record digest
    /// and the manifest are recomputed.
    func forge(_ package: DatasetPackage, edit: (String, inout FileList, inout VersionRecord) throws -> Void) throws {
        var previousSHA: SHA256Digest?
        let chain = try package.lineage()
        let current = try package.manifest()
        var newest: (record: VersionRecord, sha: SHA256Digest, list: FileList)?
        for var record in chain {
            var list = record.version == current.version ? current.fileList : try FileList.decode(package.objects.read(record.manifestSHA256), file: "list")
            try edit(record.version, &list, &record)
            record.manifestSHA256 = try package.objects.store(list.canonicalJSON())
            record.fileCount = list.files.count
            record.totalBytes = list.totalBytes
            if record.previousVersion != nil { record.previousRecordSHA256 = previousSHA }
            let bytes = try record.canonicalJSON()
            try Data(bytes).write(to: URL(fileURLWithPath: package.path(PackageLayout.versionRecord(record.version))))
            previousSHA = SHA256Digest(of: bytes)
            newest = (record, previousSHA!, list)
        }
        let manifest = Manifest(version: newest!.record.version, versionRecordSHA256: newest!.sha, fileList: newest!.list)
        try Data(try CanonicalJSON.encode(manifest)).write(to: URL(fileURLWithPath: package.path(PackageLayout.manifest)))
    }

    func audit(_ package: DatasetPackage) throws -> AuditReport {
        try PackageAuditor(scanner: ContentScanner(concurrency: 2)).audit(package.root)
    }

    func errorCodes(_ report: AuditReport) -> Set<String> {
        Set(report.findings(.error).map { "\($0.code.rawValue) \($0.path)" })
    }

    @Test func fileListPathsLeavingThePackageAreRefusedEverywhere() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        let victim = "\(folder)/victim.txt"
        try writeFile("precious", victim)
        let zarr = try package.manifest().files["zarr.json"]!
        for evil in ["images/../../victim.txt", "/\(victim.dropFirst())", "images/./x", "annotations//x", "versions/1.json", "images/a\u{0}b"] {
            let copy = try AuditFixtures.makePackage(in: try temporaryFolder())
            try forge(copy) { _, list, _ in list.files[evil] = zarr }
            let report = try audit(copy)
            #expect(report.verdict == "errors", "audit of '\(evil)'")
            #expect(report.findings(.error).contains { $0.code == .unsafePath }, "audit of '\(evil)': \(report.findings(.error).map(\.message))")
            #expect(throws: PackageError.self) { try copy.restore(version: "1", to: "\(folder)/out") }
            #expect(throws: PackageError.self) { try PackageExporter(package: copy).export(.zip, to: "\(folder)/out.zip") }
            #expect(throws: PackageError.self) {
                try VersionMaker.make(VersionRequest(version: "2", changes: "edit", timestamp: "2026-02-01T00:00:00Z"), in: copy)
            }
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/out") && !FileManager.default.fileExists(atPath: "\(folder)/out.zip"))
            #expect(try readFile(victim) == "precious")
        }
        _ = package
    }

    @Test func versionsNeverWriteThroughPredictableTemporaryNames() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        let victim = "\(folder)/victim.txt"
        try writeFile("precious", victim)
        // The names an earlier release used: <digest>.incoming.tmp-<pid> and <digest>.incoming.
        let replaced = try package.manifest().files["images/img2/0/c/0/0"]!.sha256
        try FileManager.default.createDirectory(atPath: package.path(PackageLayout.objects), withIntermediateDirectories: true)
        for name in ["\(replaced.hex).incoming.tmp-\(getpid())", "\(replaced.hex).incoming", "\(replaced.hex).tmp-\(getpid())"] {
            try FileManager.default.createSymbolicLink(atPath: "\(package.path(PackageLayout.objects))/\(name)", withDestinationPath: victim)
        }
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        #expect(try readFile(victim) == "precious")
        #expect(try package.currentVersion() == "2")
        #expect(try package.objects.read(replaced).count > 0)
    }

    @Test func linksAndSpecialFilesAtPackageLevelAreRefusedAndReported() throws {
        let folder = try temporaryFolder()
        let outside = "\(folder)/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        for place in ["versions", "manifest.json", "mifa.json", ".mifa-lock", "images", "versions/objects/sha256"] {
            let package = try AuditFixtures.makePackage(in: try temporaryFolder())
            let path = package.path(place)
            let target = "\(outside)/\(place.replacingOccurrences(of: "/", with: "_"))"
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.moveItem(atPath: path, toPath: target) }
            // A dangling link for the lock: its target must never be created.
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
            let report = try audit(package)
            #expect(errorCodes(report).contains("irregular-file \(place)"), "\(place): \(report.findings.map(\.message))")
            #expect(throws: PackageError.self) { try DatasetPackage.open(package.root) }
            #expect(throws: PackageError.self) { try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z") }
            if place == ".mifa-lock" { #expect(!FileManager.default.fileExists(atPath: target)) }
            #expect(!FileManager.default.fileExists(atPath: "\(outside)/2.json") && !FileManager.default.fileExists(atPath: "\(target)/2.json"))
        }
        // A link deeper in the content: no version is made through it.
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try FileManager.default.moveItem(atPath: package.path("images/img2"), toPath: "\(outside)/img2")
        try FileManager.default.createSymbolicLink(atPath: package.path("images/img2"), withDestinationPath: "\(outside)/img2")
        #expect(throws: PackageError.self) { try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(outside)/img2/0/c/0/0")) != Data("replaced-2".utf8))
    }

    @Test func fifosInPlaceOfPackageFilesAreRefusedWithoutBlocking() throws {
        for place in ["manifest.json", "mifa.json", "versions/1.json"] {
            let package = try AuditFixtures.makePackage(in: try temporaryFolder())
            try FileManager.default.removeItem(atPath: package.path(place))
            #expect(mkfifo(package.path(place), 0o644) == 0)
            let report = try audit(package)
            #expect(report.verdict == "errors", "\(place)")
            #expect(report.findings(.error).contains { $0.message.contains("FIFO") || $0.code == .irregularFile }, "\(place): \(report.findings.map(\.message))")
        }
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try FileManager.default.removeItem(atPath: package.path("manifest.json"))
        #expect(mkfifo(package.path("manifest.json"), 0o644) == 0)
        #expect(throws: PackageError.self) { try package.manifest() }
    }

    @Test func auditFindsStrayObjectsEmptyFoldersAndForgedCredit() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        #expect(try audit(package).verdict == "clean")

        let stray = SHA256Digest(of: Array("anything".utf8))
        try writeFile("anything at all", package.objects.path(of: stray))
        try FileManager.default.createDirectory(atPath: package.path("images/img9/labels"), withIntermediateDirectories: true)
        let report = try audit(package)
        #expect(errorCodes(report) == ["object-stray \(PackageLayout.object(stray))"])
        #expect(report.findings(.warning).map { "\($0.code.rawValue) \($0.path)" } == ["empty-folder images/img9"])

        // Ada is credited by the mifa.json of both versions; a forger drops her from both records.
        let forged = try AuditFixtures.makePackage(in: try temporaryFolder())
        try AuditFixtures.addVersion(forged, "2", timestamp: "2026-02-01T00:00:00Z")
        try forge(forged) { _, _, record in record.creditedAnnotators = [] }
        #expect(errorCodes(try audit(forged)) == ["credit-missing versions/1.json", "credit-missing versions/2.json"])
    }

    @Test func recoveryRemovesWhatInterruptedWritesLeave() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        let digest = try package.manifest().files["zarr.json"]!.sha256.hex
        let leftovers = [
            ".manifest.json.tmp-AbC123", ".manifest.json.mifa-tmp-x1Y2z3", "versions/.2.json.tmp-q1w2e3",
            "versions/objects/sha256/\(digest).incoming", "versions/objects/sha256/\(digest).incoming.tmp-4242",
            "versions/objects/sha256/.\(digest).tmp-Zz9Yy8", "versions/objects/sha256/.\(digest).mifa-tmp-Zz9Yy8",
        ]
        for leftover in leftovers { try writeFile("partial", package.path(leftover)) }
        try FileManager.default.createDirectory(atPath: package.path(".mifa-transaction/tree"), withIntermediateDirectories: true)
        let report = try audit(package)
        #expect(report.findings(.warning).isEmpty && report.findings(.error).isEmpty, "\(report.findings.map(\.message))")
        for leftover in leftovers { #expect(!FileManager.default.fileExists(atPath: package.path(leftover)), "\(leftover)") }

        // A checkout or a pack killed before its rename: the next run removes the staging folder.
        let folder = try temporaryFolder()
        let dead = Int32.max
        try writeFile("partial", "\(folder)/.out.mifa-restore-\(dead)/zarr.json")
        try package.restore(version: "1", to: "\(folder)/out")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/.out.mifa-restore-\(dead)"))
        try writeFile("partial", "\(folder)/.out.zip.mifa-export-\(dead)")
        try PackageExporter(package: package).export(.zip, to: "\(folder)/out.zip")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/.out.zip.mifa-export-\(dead)"))
    }

    @Test func exportTakesOneVersionWhileAnotherIsCommitted() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        let snapshot = try PackageSnapshot(package: package)
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        let history = try snapshot.history()
        #expect(history.records.map(\.version) == ["1"])
        #expect(snapshot.manifest.version == "1")
        // The content read after the commit is still version 1's (from the object store).
        let chunk = try snapshot.contents(of: "images/img2/0/c/0/0")
        #expect(SHA256Digest(of: chunk) == snapshot.fileList.files["images/img2/0/c/0/0"]!.sha256)
        // Version 2's file list is not version 1's history; version 1's list and its replaced chunk are.
        #expect(!history.objects.contains(try package.record("2").record.manifestSHA256))
        #expect(Set(history.objects) == [try snapshot.fileList.digest(), snapshot.fileList.files["images/img2/0/c/0/0"]!.sha256])
    }

    @Test func metadataImagesMustBeImagesOfThePackage() throws {
        let folder = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: folder)
        let metadata = AuditFixtures.metadataJSON().replacingOccurrences(of: #""id": "img2", "path": "images/img2""#, with: #""id": "../../../x", "path": "images/img2""#)
        try writeFile(metadata, "\(folder)/mifa.json")
        #expect(throws: PackageError.self) {
            try VersionMaker.make(VersionRequest(version: "2", changes: "edit", edits: [.replaceMetadata(file: "\(folder)/mifa.json")], timestamp: "2026-02-01T00:00:00Z"), in: package)
        }
        #expect(try package.currentVersion() == "1")
        #expect(try audit(package).verdict == "clean")
    }

    @Test func aPackageIsNeverMadeInsideAnother() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        #expect(throws: PackageError.self) {
            try AuditFixtures.makePackage(in: package.path("images"))
        }
        #expect(!FileManager.default.fileExists(atPath: package.path("images/pkg")))
        #expect(try audit(package).verdict == "clean")
    }
}
