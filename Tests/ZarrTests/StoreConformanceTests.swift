import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Zarr

/// The one conformance suite every store runs: reads (whole, ranges, suffixes, missing keys),
/// listing, and, for writable stores, writes and deletes.
enum StoreConformance {
    static let sample: [String: [UInt8]] = {
        var generator = SeededGenerator(seed: 7)
        return [
            "zarr.json": Array(#"{"zarr_format": 3, "node_type": "group"}"#.utf8),
            "a/zarr.json": Array("{}".utf8),
            "a/c/0/0": generator.bytes(1000),
            "a/c/0/1": generator.compressibleBytes(5000),
            "a/c/1/0": [],
            "b/x.y/.zarray": generator.bytes(10),
        ]
    }()

    /// Checks every read operation against `expected`.
    static func checkReads(_ store: any ZarrStore, expected: [String: [UInt8]] = sample) throws {
        for (name, bytes) in expected {
            let key = try StoreKey(name)
            #expect(try store.get(key) == bytes, "get \(name) in \(store.location)")
            #expect(try store.exists(key))
            let count = bytes.count
            #expect(try store.get(key, range: .range(offset: 0, length: Swift.min(3, count))) == Array(bytes.prefix(3)))
            if count > 10 {
                #expect(try store.get(key, range: .range(offset: 5, length: 4)) == Array(bytes[5..<9]))
                #expect(try store.get(key, range: .from(offset: count - 7)) == Array(bytes.suffix(7)))
                #expect(try store.get(key, range: .suffix(length: 9)) == Array(bytes.suffix(9)))
                #expect(try store.get(key, range: .range(offset: count - 2, length: 10)) == Array(bytes.suffix(2)))
            }
            #expect(try store.get(key, range: .suffix(length: count + 100)) == bytes)
        }
        #expect(try store.get(try StoreKey("missing")) == nil)
        #expect(try store.get(try StoreKey("a/c/9/9"), range: .suffix(length: 4)) == nil)
        #expect(try store.exists(try StoreKey("a/nothing")) == false)
    }

    /// Checks listing against `expected`.
    static func checkListing(_ store: any ZarrStore, expected: [String: [UInt8]] = sample) throws {
        #expect(try store.list(prefix: "").map(\.value) == expected.keys.sorted())
        #expect(try store.list(prefix: "a/c/").map(\.value) == expected.keys.filter { $0.hasPrefix("a/c/") }.sorted())
        let root = try store.listDirectory(prefix: "")
        #expect(root.keys == ["zarr.json"])
        #expect(root.prefixes == ["a", "b"])
        let a = try store.listDirectory(prefix: "a")
        #expect(a.keys == ["zarr.json"])
        #expect(a.prefixes == ["c"])
        #expect(throws: ZarrError.self) { try store.list(prefix: "../") }
    }

    /// Fills a writable store with `sample`, then checks reads, listing, overwrite and delete.
    static func checkWritable(_ store: any ZarrStore) throws {
        #expect(store.isWritable)
        for (name, bytes) in sample { try store.set(try StoreKey(name), bytes) }
        try checkReads(store)
        try checkListing(store)
        let key = try StoreKey("a/c/0/0")
        try store.set(key, [1, 2, 3])
        #expect(try store.get(key) == [1, 2, 3])
        try store.delete(key)
        #expect(try store.get(key) == nil)
        try store.delete(key)  // deleting a missing key is fine
        try store.delete(try StoreKey("never/was/there"))
    }
}

@Suite struct StoreConformanceTests {
    @Test func memoryStore() throws {
        try StoreConformance.checkWritable(MemoryStore())
    }

    @Test func directoryStore() throws {
        let directory = TemporaryDirectory()
        let store = try DirectoryStore(root: directory.file("store.zarr"), create: true)
        try StoreConformance.checkWritable(store)
        // The files are where zarr-python expects them.
        #expect(FileManager.default.fileExists(atPath: directory.file("store.zarr/a/c/0/1")))
        let reopened = try DirectoryStore(root: directory.file("store.zarr"), readOnly: true)
        #expect(throws: ZarrError.self) { try reopened.set(try StoreKey("x"), [1]) }
    }

    @Test(arguments: [false, true]) func zipStore(zip64: Bool) throws {
        let directory = TemporaryDirectory()
        var writer = TestZipWriter()
        writer.zip64 = zip64
        for (index, (name, bytes)) in StoreConformance.sample.sorted(by: { $0.key < $1.key }).enumerated() {
            writer.add(name, bytes, deflate: index % 2 == 0)
        }
        writer.add("a/", [])  // a directory entry is not a key
        let path = directory.file("store.zip")
        try Data(try writer.bytes()).write(to: URL(fileURLWithPath: path))
        let store = try ZipStore(path: path)
        #expect(!store.isWritable)
        try StoreConformance.checkReads(store)
        try StoreConformance.checkListing(store)
        #expect(throws: ZarrError.self) { try store.set(try StoreKey("a"), [1]) }
        #expect(throws: ZarrError.self) { try store.delete(try StoreKey("a")) }
    }

    @Test func zipStoreFindsTheHierarchyInsideATopFolder() throws {
        let directory = TemporaryDirectory()
        var writer = TestZipWriter()
        for (name, bytes) in StoreConformance.sample { writer.add("image.zarr/" + name, bytes, deflate: true) }
        let path = directory.file("image.zarr.zip")
        try Data(try writer.bytes()).write(to: URL(fileURLWithPath: path))
        try StoreConformance.checkReads(try ZipStore(path: path))
    }

    @Test(.enabled(if: NginxServer.isAvailable, "nginx is not installed (apt-get install nginx-light)"))
    func httpStoreAgainstNginx() throws {
        let directory = TemporaryDirectory()
        let store = try DirectoryStore(root: directory.file("served"), create: true)
        for (name, bytes) in StoreConformance.sample { try store.set(try StoreKey(name), bytes) }
        _ = chmod(directory.path, 0o755)
        let server = try NginxServer(serving: store.root)
        defer { server.stop() }

        let http = try HTTPStore(url: server.baseURL)
        try StoreConformance.checkReads(http)
        #expect(!http.rangesIgnored, "nginx answers ranges with 206")
        #expect(throws: ZarrError.self) { try http.list(prefix: "") }

        let ignoring = try HTTPStore(url: server.baseURL + "/noranges/")
        try StoreConformance.checkReads(ignoring)
        #expect(ignoring.rangesIgnored, "with max_ranges 0 nginx sends the whole file and the store cuts the range out")

        // A whole array through HTTP.
        let metadata = try ArrayMetadata(shape: [30, 20], dataType: .int32, chunkShape: [8, 8],
                                         codecs: [TestCodecs.sharding([4, 4], codecs: [TestCodecs.bytes(), TestCodecs.zstd()])])
        let local = try ZarrArray.create(store, path: "arr", metadata: ArrayMetadata(
            shape: [30, 20], dataType: .int32, chunkShape: [16, 8], codecs: metadata.codecs))
        var data = NDArray<Int32>(shape: [30, 20])
        for i in data.elements.indices { data.elements[i] = Int32(i * 7 - 300) }
        try local.write(data)
        for remote in [http, ignoring] {
            let array = try ZarrArray.open(remote, path: "arr")
            #expect(try array.read(Int32.self) == data)
            #expect(try array.read(Int32.self, region: Region([3..<17, 5..<6])) == (try data.copy(region: Region([3..<17, 5..<6]))))
        }
    }
}
