import Annotations
import DatasetPackage
import Foundation
import MIFACore
@testable import MIFAServer
import Testing
import TestSupport
import Zarr

/// What the package view keeps and what it says when the package's versions cannot be listed.
@Suite struct ViewCacheTests {
    /// A read-only store whose listing of `versions/` fails (a store refusing to list, say).
    final class UnlistableVersions: ZarrStore {
        let base: any ZarrStore
        init(_ base: any ZarrStore) { self.base = base }
        var location: String { base.location }
        var isWritable: Bool { false }
        var rangesIgnored: Bool { base.rangesIgnored }
        func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? { try base.get(key, range: range) }
        func set(_ key: StoreKey, _ bytes: [UInt8]) throws { throw ZarrError(.readOnly, "read-only") }
        func delete(_ key: StoreKey) throws { throw ZarrError(.readOnly, "read-only") }
        func list(prefix: String) throws -> [StoreKey] {
            if prefix.hasPrefix(PackageLayout.versions) { throw ZarrError(.invalidKey, "this store refuses to list '\(prefix)'") }
            return try base.list(prefix: prefix)
        }
    }

    /// Random keys inserted and replaced: never more than the limit kept, the latest value of each
    /// key kept answered, the key inserted last always kept, and the keys kept those first inserted last.
    @Test(arguments: 1...6) func recentValuesKeepTheLastKeysUpToTheLimit(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let limit = Int.random(in: 1...8, using: &random)
        var kept = RecentValues<Int>(limit: limit)
        var latest: [String: Int] = [:], firstInserted: [String] = []
        for step in 0..<200 {
            let key = "k\(Int.random(in: 0..<(limit * 3), using: &random))"
            if kept[key] == nil { firstInserted.removeAll { $0 == key }; firstInserted.append(key) }
            kept[key] = step
            latest[key] = step
            #expect(kept.count <= limit && kept[key] == step)
            let present = latest.keys.filter { kept[$0] != nil }
            #expect(present.allSatisfy { kept[$0] == latest[$0] })
            #expect(Set(present) == Set(firstInserted.suffix(limit)), "seed \(seed), step \(step)")
        }
        #expect(PackageView.Cache().changes.limit == PackageView.maxKeptChanges)
        #expect(PackageView.Cache().labelChanges.limit == PackageView.maxKeptChanges)
    }

    /// One image's objects (the viewer's layers and `/api/.../annotations/<set>`) are read through
    /// the set's index: two range reads of the GeoJSON (its header, that image's features), never
    /// the whole file, with the same objects as the whole set filtered to the image.
    @Test(arguments: 1...4) func oneImagesObjectsAreReadByRange(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let root = try ServerFixture.makePackage(cells: OverviewReadsTests.cells(Int.random(in: 5...400, using: &random), &random))
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let file = PackageLayout.annotationFile("cells")
        let whole = try GeoJSONReader.read(bytes: Array(#require(FileManager.default.contents(atPath: "\(root)/\(file)"))), file: file).document
        let counting = CountingStore(try DirectoryStore(root: root))
        let view = try PackageView(package: DatasetPackage.open(PackageReader(store: counting)))
        let geojson = PackageLayout.annotationFile("cells")
        for image in ["img2", "img1"] {
            let before = counting.history.count
            let objects = try view.annotations("cells", on: image)
            let expected = whole.annotations.filter { $0.imageID == .string(image) }
            #expect(objects.map(\.id) == expected.map(\.id) && objects.map(\.value) == expected.map(\.value), "seed \(seed), \(image)")
            let reads = counting.history[before...].filter { $0.key == geojson }
            #expect(!reads.isEmpty && reads.allSatisfy { $0.range != nil }, "\(reads)")
            _ = try view.geoJSON("cells", on: image)
            #expect(counting.history.count == before + (image == "img2" ? reads.count + 1 : reads.count), "kept, not read again")
        }
        #expect(try view.reader("cells").index != nil)
    }

    @Test func aPackageWhoseVersionsCannotBeListedSaysSoForItsRecords() async throws {
        let root = try ServerFixture.makePackage()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let listed = try PackageView(package: DatasetPackage.open(PackageReader(store: DirectoryStore(root: root))))
        #expect(try listed.servedPath(raw: "versions/1.json") == "versions/1.json")
        let view = try PackageView(package: DatasetPackage.open(PackageReader(store: UnlistableVersions(DirectoryStore(root: root)))))
        let error = #expect(throws: ServerError.self) { try view.servedPath(raw: "versions/1.json") }
        #expect(error?.kind == .invalidPackage && error?.message.contains("cannot list the package's versions") == true, "\(String(describing: error))")
        #expect(try view.servedPath(raw: "mifa.json") == "mifa.json")
        #expect((try? view.servedPath(raw: "versions/9/x.json")) == nil)
    }
}
