import DatasetPackage
import Foundation
import MIFACore
import Testing
import TestSupport
import Zarr

/// `PackageReader`: a package read through a store (memory, zip) reads as the same package as its
/// folder: the same audit, lineage, credit, diff and restored files; paths leaving the package are
/// refused before any read; opening costs a number of reads that does not grow with the images.
@Suite struct PackageReaderTests {
    /// Every regular file of the package folder, as a memory store keyed by package-relative path.
    static func memoryCopy(of package: DatasetPackage) throws -> MemoryStore {
        let store = MemoryStore()
        for entry in try PackageFileSystem.walk(package.root) where entry.kind == .file && !entry.path.hasPrefix(".") {
            try store.set(StoreKey(entry.path), PackageFileSystem.read("\(package.root)/\(entry.path)"))
        }
        return store
    }

    /// The package with version 2 (version 1 then needs a stored object), as a folder and in memory.
    static func twoVersions(_ name: String = #function, extra: @escaping (String) throws -> Void = { _ in }) throws -> (folder: DatasetPackage, memory: DatasetPackage, store: MemoryStore) {
        let folder = try AuditFixtures.makePackage(in: try temporaryFolder(name), extra: extra)
        try AuditFixtures.addVersion(folder, "2", timestamp: "2026-02-01T00:00:00Z")
        let store = try memoryCopy(of: folder)
        return (folder, try DatasetPackage.open(PackageReader(store: store)), store)
    }

    @Test func aPackageInMemoryAuditsAndReadsAsItsFolder() throws {
        let (folder, memory, _) = try Self.twoVersions()
        var inMemory = try PackageAuditor().audit(memory)
        let onDisk = try PackageAuditor().audit(folder.root)
        #expect(inMemory.package == memory.root)
        inMemory.package = onDisk.package
        #expect(inMemory == onDisk)
        #expect(try memory.lineage() == folder.lineage())
        #expect(try memory.versionIDs() == folder.versionIDs())
        #expect(try memory.creditHistory() == folder.creditHistory())
        #expect(try memory.diff(from: "1", to: "2") == folder.diff(from: "1", to: "2"))
        // Version 1's replaced chunk comes from the object store, checked against its digest.
        let list = try memory.fileList(of: "1")
        for path in list.paths { #expect(try memory.contents(of: path, in: list) == folder.contents(of: path, in: list)) }
    }

    @Test func aVersionRestoredFromMemoryIsTheVersionRestoredFromTheFolder() throws {
        let (folder, memory, _) = try Self.twoVersions()
        let out = try temporaryFolder()
        try folder.restore(version: "1", to: "\(out)/from-folder")
        try memory.restore(version: "1", to: "\(out)/from-memory")
        let files = try PackageFileSystem.walk("\(out)/from-folder").filter { $0.kind == .file }.map(\.path)
        #expect(try PackageFileSystem.walk("\(out)/from-memory").filter { $0.kind == .file }.map(\.path) == files)
        for path in files { #expect(try PackageFileSystem.read("\(out)/from-memory/\(path)") == PackageFileSystem.read("\(out)/from-folder/\(path)")) }
    }

    @Test func aZipExportReadsInPlaceAsItsFolder() throws {
        let (folder, _, _) = try Self.twoVersions()
        let zip = "\(try temporaryFolder())/pkg.zip"
        try PackageExporter(package: folder).export(.zip, to: zip)
        var inZip = try PackageAuditor().audit(zip)
        let onDisk = try PackageAuditor().audit(folder.root)
        inZip.package = onDisk.package
        #expect(inZip == onDisk)
        #expect(try DatasetPackage.open(zip).creditHistory() == folder.creditHistory())
    }

    @Test func aPackageReadInPlaceCannotBeChanged() throws {
        let (_, memory, _) = try Self.twoVersions()
        #expect(throws: PackageError.self) { _ = try PackageTransaction(package: memory) }
    }

    @Test func pathsLeavingThePackageAreRefusedBeforeAnyRead() throws {
        let counting = CountingStore(MemoryStore())
        let reader = PackageReader(store: counting)
        var random = SeededGenerator(seed: 17)
        let parts = ["..", "a", "b.json", "", ".", "versions"]
        for _ in 0..<200 {
            let components = (0..<Int.random(in: 1...4, using: &random)).map { _ in parts.randomElement(using: &random)! }
            let path = (Bool.random(using: &random) ? "/" : "") + components.joined(separator: "/")
            let leaves = path.hasPrefix("/") || components.contains("..") || components.contains("") || components.contains(".")
            guard leaves else { continue }
            #expect(throws: PackageError.self, "\(path)") { _ = try reader.read(path) }
        }
        #expect(counting.count == 0)
    }

    @Test func aManifestNamingAPathOutsideThePackageFailsTheAudit() throws {
        let (_, _, store) = try Self.twoVersions()
        let manifest = try #require(try store.get(StoreKey("manifest.json")))
        for hostile in ["../../etc/passwd", "/etc/passwd"] {
            let text = String(decoding: manifest, as: UTF8.self).replacingOccurrences(of: "\"mifa.json\"", with: "\"\(hostile)\"")
            try store.set(StoreKey("manifest.json"), Array(text.utf8))
            let report = try PackageAuditor().audit(DatasetPackage.open(PackageReader(store: store)))
            #expect(report.verdict == "errors")
            #expect(report.findings(.error).contains { $0.code == .unsafePath }, "\(report.findings)")
        }
    }

    /// "Could not ask" is not "nothing there": a root `zarr.json` that is missing (a 404, no file, a
    /// Zarr group that is not a package) makes `openIfPackage` and `isPackage` answer "no package",
    /// so the caller reads the input as what it is; a server that fails (500, after the retries),
    /// refuses access (403) or cannot be reached is an error naming the URL and the status.
    @Test(.enabled(if: NginxServer.isAvailable, "nginx is not installed (apt-get install nginx-light)"))
    func aRootThatCannotBeReadIsAnErrorNotNoPackage() throws {
        let site = try temporaryFolder()
        let package = try AuditFixtures.makePackage(in: site)
        try PackageExporter(package: package).export(.zip, to: "\(site)/pkg.zip")
        try FileManager.default.createDirectory(atPath: "\(site)/group", withIntermediateDirectories: true)
        try writeFile(#"{"zarr_format": 3, "node_type": "group", "attributes": {}}"#, "\(site)/group/zarr.json")
        let server = try NginxServer(serving: site)
        defer { server.stop() }
        let http = HTTPLimits(maxRetries: 1, retryDelay: 0.01)
        let base = server.baseURL

        for present in ["\(base)/pkg", "\(base)/pkg.zip", package.root, "\(site)/pkg.zip"] {
            #expect(try DatasetPackage.openIfPackage(present, recovery: .ifUnlocked, http: http)?.manifest() == package.manifest(), "\(present)")
            #expect(try DatasetPackage.isPackage(at: present, http: http), "\(present)")
        }
        for absent in ["\(base)/nothing", "\(base)/nothing.zip", "\(base)/group", "\(site)/nothing", "\(site)/group", "\(site)/group/zarr.json"] {
            #expect(try DatasetPackage.openIfPackage(absent, http: http) == nil, "\(absent)")
            #expect(try !DatasetPackage.isPackage(at: absent, http: http), "\(absent)")
        }
        let unreadable = [("\(base)/status500/pkg", "HTTP 500"), ("\(base)/status403/pkg", "HTTP 403"), ("\(base)/status500/pkg.zip", "HTTP 500"),
                          ("http://127.0.0.1:1/pkg", "127.0.0.1:1")]
        for (url, words) in unreadable {
            for attempt in [{ _ = try DatasetPackage.openIfPackage(url, http: http) }, { _ = try DatasetPackage.isPackage(at: url, http: http) }] {
                let error = try #require(throws: PackageError.self, "\(url)") { try attempt() }
                #expect(error.kind == .io && error.message.contains(words) && error.message.contains(url.replacingOccurrences(of: "/pkg.zip", with: "")), "\(url): \(error)")
            }
        }
    }

    /// Opening a package and reading its version chain costs the same reads with 1 image as with
    /// many: the images are never touched.
    @Test func openingCostsReadsThatDoNotGrowWithTheImages() throws {
        var random = SeededGenerator(seed: 3)
        var counts: [Int: Int] = [:]
        for extraImages in [0, Int.random(in: 3...6, using: &random)] {
            let (_, _, store) = try Self.twoVersions("opening\(extraImages)") { staging in
                for k in 0..<extraImages { try AuditFixtures.writeImage("\(staging)/images/extra\(k)", seed: UInt16(k), label: false) }
            }
            let counting = CountingStore(store)
            let package = try DatasetPackage.open(PackageReader(store: counting))
            _ = try package.lineage()
            _ = try PackageSnapshot(package: package)
            counts[extraImages] = counting.count
        }
        // zarr.json; then manifest.json and the 2 version records, read by lineage and again by the snapshot's manifest.
        #expect(Set(counts.values).count == 1, "\(counts)")
        #expect(counts[0]! <= 6, "\(counts)")
    }
}
