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
        // Eight threads at once on one store: each request has a handle of its own from the pool.
        let wrong = LockedState([String]())
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<25 {
                for (name, bytes) in StoreConformance.sample where !bytes.isEmpty {
                    let range = ByteRange.range(offset: (thread + round) % bytes.count, length: 3)
                    let (offset, count) = ByteRange.resolve(range, size: bytes.count)
                    do {
                        let read = try http.get(try StoreKey(name), range: range)
                        if read != Array(bytes[offset..<offset + count]) { wrong.withLock { $0.append("\(name) \(range): \(String(describing: read))") } }
                    } catch {
                        wrong.withLock { $0.append("\(name) \(range): \(error)") }
                    }
                }
            }
        }
        #expect(wrong.withLock { $0 }.isEmpty)
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

/// The S3-compatible server the S3 tests run against: `make test` starts moto in server mode on a
/// free loopback port (Tests/Interop/s3_server.py), creates the bucket ``bucket`` and names the
/// server in `MIFA_TEST_S3_ENDPOINT`. Without it the S3 tests do not run, except in CI (`CI` set),
/// where its absence is a failure, never a silent skip.
enum S3TestServer {
    static let endpoint = ProcessInfo.processInfo.environment["MIFA_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
    static let bucket = "mifa-test"
    static var isAvailable: Bool { endpoint != nil }

    /// A store under a fresh prefix of the test bucket.
    static func store(_ prefix: String = UUID().uuidString.lowercased(), readOnly: Bool = false, multipartThreshold: Int = 64 << 20,
                      partSize: Int = 16 << 20, copyPartSize: Int = S3Store.maxCopyBytes, listPageSize: Int = 1000) throws -> S3Store {
        let configuration = try S3Configuration(bucket: bucket, prefix: prefix, endpoint: endpoint,
                                                credentials: S3Credentials(accessKeyID: "testing", secretAccessKey: "testing"))
        return S3Store(configuration: configuration, limits: HTTPLimits(retryDelay: 0.05), readOnly: readOnly,
                       multipartThreshold: multipartThreshold, partSize: partSize, copyPartSize: copyPartSize, listPageSize: listPageSize)
    }
}

@Suite struct S3StoreConformanceTests {
    @Test func theServerIsThereInCI() {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            #expect(S3TestServer.isAvailable, "CI runs the S3 tests: run them through `make unit-test`, which starts moto and sets MIFA_TEST_S3_ENDPOINT")
        }
    }

    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func s3Store() throws {
        // Two objects per listing page, so every listing takes several pages.
        let store = try S3TestServer.store(listPageSize: 2)
        try StoreConformance.checkWritable(store)
        #expect(store.location.hasPrefix("s3://mifa-test/"))

        // A whole sharded array through S3.
        let metadata = try ArrayMetadata(shape: [30, 20], dataType: .int32, chunkShape: [16, 8],
                                         codecs: [TestCodecs.sharding([4, 4], codecs: [TestCodecs.bytes(), TestCodecs.zstd()])])
        let array = try ZarrArray.create(store, path: "arr", metadata: metadata)
        var data = NDArray<Int32>(shape: [30, 20])
        for i in data.elements.indices { data.elements[i] = Int32(i * 7 - 300) }
        try array.write(data)
        let reopened = try ZarrArray.open(try S3TestServer.store(store.configuration.prefix, readOnly: true), path: "arr")
        #expect(try reopened.read(Int32.self) == data)
        #expect(try reopened.read(Int32.self, region: Region([3..<17, 5..<6])) == (try data.copy(region: Region([3..<17, 5..<6]))))
    }

    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func keysStayInsideThePrefix() throws {
        let root = try S3TestServer.store()
        let prefix = root.configuration.prefix
        for name in ["inner/a", "inner/b/c", "innerx/d", "outer"] { try root.set(try StoreKey(name), [1]) }
        // Objects whose names are no keys, written around the store's checks: an empty component, a folder marker.
        for name in ["inner/e//f", "inner/g/"] {
            #expect(try root.send(.put, object: prefix + name, body: [2], place: name).status == 200)
        }
        let inner = try S3TestServer.store(prefix + "inner")
        #expect(try inner.list(prefix: "").map(\.value) == ["a", "b/c"])
        let top = try inner.listDirectory(prefix: "")
        #expect(top.keys == ["a"] && top.prefixes == ["b", "e", "g"])
        #expect(try inner.get(try StoreKey("a")) == [1])
        #expect(try inner.get(try StoreKey("outer")) == nil)
        #expect(throws: ZarrError.self) { try inner.list(prefix: "../") }
        #expect(throws: ZarrError.self) { try StoreKey("../outer") }
        let readOnly = try S3TestServer.store(prefix, readOnly: true)
        #expect(throws: ZarrError.self) { try readOnly.set(try StoreKey("x"), [1]) }
        #expect(throws: ZarrError.self) { try readOnly.delete(try StoreKey("outer")) }
    }

    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func largeValuesGoUpInParts() throws {
        let store = try S3TestServer.store(multipartThreshold: 1 << 20)
        // Two parts, 5 MiB and the rest; no two 8-byte words alike, so a part out of place shows.
        let value = (0..<((5 << 20) + 123_456)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 11 ^ $0 >> 3) }
        let key = try StoreKey("big/value")
        try store.set(key, value)
        #expect(try store.get(key) == value)
        #expect(try store.get(key, range: .range(offset: (5 << 20) - 10, length: 20)) == Array(value[((5 << 20) - 10)..<((5 << 20) + 10)]))
        #expect(try store.get(key, range: .suffix(length: 5)) == Array(value.suffix(5)))
        #expect(try store.list(prefix: "big/").map(\.value) == ["big/value"])
    }

    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func aMissingBucketIsAnErrorNotAMissingKey() throws {
        let configuration = try S3Configuration(bucket: "no-such-bucket-here", endpoint: S3TestServer.endpoint,
                                                credentials: S3Credentials(accessKeyID: "testing", secretAccessKey: "testing"))
        let store = S3Store(configuration: configuration, limits: HTTPLimits(maxRetries: 0))
        let error = try #require(throws: ZarrError.self) { try store.get(try StoreKey("zarr.json")) }
        #expect(error.message.contains("NoSuchBucket"), "\(error.message)")
        #expect(throws: ZarrError.self) { try store.list(prefix: "") }
    }
}
