import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Zarr

/// A zip read in place from an object in another store (memory here, as HTTP and S3 objects are):
/// the same entries and bytes as from a local file, a bounded number of reads to open it whatever
/// its entry count, one read per entry, and hostile archives refused as a local file refuses them.
@Suite struct RemoteZipTests {
    static let key = StoreKey(unchecked: "data.zip")

    /// The sample entries (every other one deflated) and a 300 KiB stored and deflated entry, so
    /// that the zip is larger than the first read and its data lies outside it.
    static func archive(zip64: Bool, extra: [(String, [UInt8])] = []) throws -> [UInt8] {
        var generator = SeededGenerator(seed: 11)
        var writer = TestZipWriter()
        writer.zip64 = zip64
        writer.add("big/stored", generator.bytes(300_000))
        writer.add("big/deflated", generator.compressibleBytes(300_000), deflate: true)
        for (index, (name, bytes)) in StoreConformance.sample.sorted(by: { $0.key < $1.key }).enumerated() {
            writer.add(name, bytes, deflate: index % 2 == 0)
        }
        for (name, bytes) in extra { writer.add(name, bytes) }
        return try writer.bytes()
    }

    /// The local zip store over `bytes` and the remote one over the same bytes in a counted memory store.
    static func both(_ bytes: [UInt8], in directory: TemporaryDirectory, maxEntryBytes: Int = ZipStore.defaultMaxEntryBytes)
        -> (local: Result<ZipStore, ZarrError>, remote: Result<ZipStore, ZarrError>, reads: CountingStore) {
        let path = directory.file("data-\(UUID().uuidString).zip")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let counting = CountingStore(MemoryStore([key: bytes]))
        return (open { try ZipStore(path: path, maxEntryBytes: maxEntryBytes) },
                open { try ZipStore(store: counting, key: key, maxEntryBytes: maxEntryBytes) }, counting)
    }

    static func open(_ body: () throws -> ZipStore) -> Result<ZipStore, ZarrError> {
        do {
            return .success(try body())
        } catch let error as ZarrError {
            return .failure(error)
        } catch {
            return .failure(ZarrError(.storeFailure, "not a ZarrError: \(error)"))
        }
    }

    /// What a read gives: the bytes, or the error's code.
    static func outcome(_ store: ZipStore, _ key: StoreKey, _ range: ByteRange? = nil) -> String {
        do {
            return try store.get(key, range: range).map { "\($0.count) bytes, crc \($0.withUnsafeBytes { LibZlib.crc32($0) })" } ?? "missing"
        } catch let error as ZarrError {
            return "error \(error.kind)"
        } catch {
            return "error \(error)"
        }
    }

    @Test(arguments: [false, true]) func readsTheSameEntriesAndBytesAsTheLocalFile(zip64: Bool) throws {
        let bytes = try Self.archive(zip64: zip64)
        #expect(bytes.count > StoreObjectSource.tailLength)
        let directory = TemporaryDirectory()
        let (local, remote, _) = Self.both(bytes, in: directory)
        let file = try local.get(), object = try remote.get()
        #expect(object.path == "memory/data.zip")
        #expect(try object.list(prefix: "") == (try file.list(prefix: "")))
        for key in try file.list(prefix: "") {
            for range: ByteRange? in [nil, .range(offset: 1, length: 700), .suffix(length: 20), .from(offset: 100_000), .range(offset: 250_000, length: 10)] {
                #expect(Self.outcome(object, key, range) == Self.outcome(file, key, range), "\(key) \(String(describing: range))")
            }
        }
        try StoreConformance.checkReads(object)
    }

    @Test(arguments: [false, true]) func openingCostsAtMostTwoReadsWhateverTheEntryCount(zip64: Bool) throws {
        let directory = TemporaryDirectory()
        var opens: [Int] = []
        for count in [10, 2000] {
            let names = (0..<count).map { ("many/\($0)/" + String(repeating: "n", count: 40), [UInt8(truncatingIfNeeded: $0)]) }
            let (_, remote, reads) = Self.both(try Self.archive(zip64: zip64, extra: names), in: directory)
            let store = try remote.get()
            opens.append(reads.count)
            #expect(try store.list(prefix: "many/").count == count)
            // One read per entry: its local header and data together.
            for name in ["big/stored", "big/deflated"] {
                let before = reads.count
                _ = try store.get(StoreKey(name))
                #expect(reads.count == before + 1, "\(name)")
            }
            // The last entry may lie in the zip's last 64 KiB, read when it was opened.
            let before1 = reads.count
            #expect(try store.get(StoreKey(names[count - 1].0)) == names[count - 1].1)
            #expect(reads.count <= before1 + 1)
            // A range far into a stored entry: its header, then the range.
            let before = reads.count
            #expect(try store.get(StoreKey("big/stored"), range: .suffix(length: 10))?.count == 10)
            #expect(reads.count == before + 2)
        }
        // 10 entries: the directory comes with the first read; 2000 (about 170 KB of directory): one more.
        #expect(opens == [1, 2])
    }

    @Test func aZipSmallerThanTheFirstReadCostsOneReadInAll() throws {
        var writer = TestZipWriter()
        for (name, bytes) in StoreConformance.sample { writer.add(name, bytes, deflate: true) }
        let (_, remote, reads) = Self.both(try writer.bytes(), in: TemporaryDirectory())
        try StoreConformance.checkReads(try remote.get())
        #expect(reads.count == 1)
        #expect(reads.history.first?.range == .suffix(length: StoreObjectSource.tailLength))
    }

    @Test func aMissingObjectIsNotFound() throws {
        let error = try #require(throws: ZarrError.self) { try ZipStore(store: MemoryStore(), key: Self.key) }
        #expect(error.kind == .notFound && error.message.contains("memory/data.zip"), "\(error)")
    }

    /// Each hostile variant of a zip, as the local file and the remote object see it.
    @Test(arguments: [false, true]) func hostileArchivesAreRefusedAsLocally(zip64: Bool) throws {
        let good = try Self.archive(zip64: zip64)
        let end = try #require(good.indices.last { Array(good[$0..<Swift.min($0 + 4, good.count)]) == [0x50, 0x4B, 0x05, 0x06] })
        let centrals = good.indices.filter { Array(good[$0..<Swift.min($0 + 4, good.count)]) == [0x50, 0x4B, 0x01, 0x02] }
        func patched(_ at: Int, _ value: UInt32) -> [UInt8] {
            var bytes = good
            bytes.replaceSubrange(at..<(at + 4), with: ZipLimitTests.u32(Int(value)))
            return bytes
        }
        var variants: [String: [UInt8]] = [
            "truncated end": Array(good.dropLast(10)),
            "truncated data": Array(good[0..<100_000]) + Array(good[200_000...]),
            "data cut out before the directory": Array(good[0..<1000]) + Array(good[(centrals[0] - 2000)...]),
        ]
        for (index, central) in centrals.prefix(3).enumerated() {
            variants["entry \(index) claims 2 GiB"] = patched(central + 20, 0x7FFF_FFF0)
            variants["entry \(index) data beyond the object"] = patched(central + 42, UInt32(good.count - 10))
            // Overlapping: the entry's local header is the first entry's.
            variants["entry \(index) overlaps entry 0"] = patched(central + 42, 0)
        }
        if !zip64 {
            variants["directory beyond the object"] = patched(end + 16, UInt32(good.count + 100))
            variants["directory larger than the object"] = patched(end + 12, UInt32(good.count * 2))
        }
        let directory = TemporaryDirectory()
        let original = try ZipStore(store: MemoryStore([Self.key: good]), key: Self.key)
        for (name, bytes) in variants.sorted(by: { $0.key < $1.key }) {
            let (local, remote, _) = Self.both(bytes, in: directory, maxEntryBytes: 1 << 20)
            switch (local, remote) {
            case (.failure(let a), .failure(let b)):
                // The object's size is derived from its end: one that claims a larger file lets a
                // lying directory size reach the read limit before the file's end.
                #expect(a.kind == b.kind || b.kind == .tooLarge, "\(name): \(a) / \(b)")
            case (.success(let file), .success(let object)):
                let keys = try file.list(prefix: "")
                #expect(try object.list(prefix: "") == keys, "\(name)")
                for key in keys {
                    let (here, there) = (Self.outcome(file, key), Self.outcome(object, key))
                    #expect(here == there || (here.hasPrefix("error") && there.hasPrefix("error")), "\(name) \(key): \(here) / \(there)")
                }
            case (.failure, .success(let object)):
                // The object's size is derived from its end, which still describes the untouched zip:
                // what is read is either refused (short reads, headers, CRC) or the untouched entry.
                for key in try object.list(prefix: "") {
                    let there = Self.outcome(object, key)
                    #expect(there.hasPrefix("error") || there == Self.outcome(original, key), "\(name) \(key): \(there)")
                }
            case (.success, .failure(let error)):
                Issue.record("\(name): the local file opens, the remote object does not: \(error)")
            }
        }
        // Smaller than the first read, the object's size is exact: every flipped byte gives the same outcome.
        var writer = TestZipWriter()
        writer.zip64 = zip64
        for (index, (name, bytes)) in StoreConformance.sample.sorted(by: { $0.key < $1.key }).enumerated() { writer.add(name, bytes, deflate: index % 2 == 0) }
        let small = try writer.bytes()
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<300 {
            var bytes = small
            for _ in 0..<3 { bytes[Int(generator.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: generator.next() | 1) }
            let (local, remote, _) = Self.both(bytes, in: directory, maxEntryBytes: 1 << 20)
            switch (local, remote) {
            case (.failure(let a), .failure(let b)): #expect(a.kind == b.kind, "\(a) / \(b)")
            case (.success(let file), .success(let object)):
                for key in try file.list(prefix: "") { #expect(Self.outcome(file, key) == Self.outcome(object, key)) }
            default: Issue.record("flipped bytes: the local file \(local) and the remote object \(remote) disagree")
            }
        }
    }

    @Test(.enabled(if: NginxServer.isAvailable, "nginx is not installed (apt-get install nginx-light)"))
    func aServerThatIgnoresRangesIsRefusedForAZipLargerThanTheFirstRead() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("served"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory.file("served/big.zip"), contents: Data(try Self.archive(zip64: false)))
        var writer = TestZipWriter()
        for (name, bytes) in StoreConformance.sample { writer.add(name, bytes, deflate: true) }
        _ = FileManager.default.createFile(atPath: directory.file("served/small.zip"), contents: Data(try writer.bytes()))
        _ = chmod(directory.path, 0o755)
        let server = try NginxServer(serving: directory.file("served"))
        defer { server.stop() }

        let remote = try #require(try StoreURL.openRemote(server.baseURL + "/big.zip") as? ZipStore)
        try StoreConformance.checkReads(remote)
        let local = try ZipStore(path: directory.file("served/big.zip"))
        #expect(try remote.get(StoreKey("big/stored")) == (try local.get(StoreKey("big/stored"))))
        #expect(try ZipStore(url: server.baseURL + "/noranges/small.zip").get(StoreKey("zarr.json")) == StoreConformance.sample["zarr.json"])
        let error = try #require(throws: ZarrError.self) { try ZipStore(url: server.baseURL + "/noranges/big.zip") }
        #expect(error.message.contains("does not honour byte ranges") && error.message.contains("/noranges/big.zip"), "\(error)")
        #expect(throws: ZarrError.self) { try ZipStore(url: server.baseURL + "/missing.zip") }

        // However the store is wrapped (a counting or caching wrapper, consolidated metadata), the
        // wrapper answers for the server: the zip is refused, not downloaded whole for every entry.
        let wrappers: [(String, (any ZarrStore) -> any ZarrStore)] = [
            ("counting", { CountingStore($0) }), ("consolidated", { ConsolidatedStore(base: $0, nodes: [:]) }),
            ("consolidated over counting", { ConsolidatedStore(base: CountingStore($0), nodes: [:]) }),
        ]
        for (name, wrap) in wrappers {
            let folder = wrap(try HTTPStore(url: server.baseURL + "/noranges/"))
            let wrapped = try #require(throws: ZarrError.self, "\(name)") { try ZipStore(store: folder, key: StoreKey("big.zip")) }
            #expect(wrapped.message.contains("does not honour byte ranges") && wrapped.message.contains("/noranges/big.zip"), "\(name): \(wrapped)")
            // With ranges honoured, the same wrapper reads the zip in place.
            let honoured = try ZipStore(store: wrap(try HTTPStore(url: server.baseURL)), key: StoreKey("big.zip"))
            #expect(try honoured.get(StoreKey("big/stored")) == (try local.get(StoreKey("big/stored"))), "\(name)")
        }
    }

    /// A presigned URL of a zip (`https://host/pkg.zip?X-Amz-Signature=...`) is a zip: the one test
    /// of a zip location looks before the query, and the query goes with every request of the
    /// object (nginx serves the file whatever the query).
    @Test(.enabled(if: NginxServer.isAvailable, "nginx is not installed (apt-get install nginx-light)"))
    func aZipURLWithAQueryIsAZipReadWithTheQuery() throws {
        for (text, isZip) in [("https://h/a/pkg.zip?X-Amz-Signature=abc&X-Amz-Expires=60", true), ("https://h/img.OZX?sig=1", true),
                              ("https://h/pkg?file=a.zip", false), ("pkg.zip", true), ("/data/a.zip?", false), ("s3://b/a.zip", true),
                              ("s3://b/a.zip?x", false), ("https://h/a.zip/", true)] {
            #expect(ZipStore.isZipLocation(text) == isZip, "\(text)")
        }
        let query = "X-Amz-Credential=a%2Fb&X-Amz-Signature=0123abcd"
        let store = try HTTPStore(url: "http://127.0.0.1:9/data/?\(query)")
        let key = try StoreKey("a b/c")
        #expect(store.baseURL == "http://127.0.0.1:9/data" && store.url(of: key) == "http://127.0.0.1:9/data/a%20b/c?\(query)")
        #expect(!store.location.contains("Signature"), "a signature is never shown in messages")

        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("served"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory.file("served/big.zip"), contents: Data(try Self.archive(zip64: false)))
        _ = chmod(directory.path, 0o755)
        let server = try NginxServer(serving: directory.file("served"))
        defer { server.stop() }
        let remote = try #require(try StoreURL.openRemote(server.baseURL + "/big.zip?\(query)") as? ZipStore)
        let local = try ZipStore(path: directory.file("served/big.zip"))
        #expect(remote.path == server.baseURL + "/big.zip")
        for key in try local.list(prefix: "") { #expect(Self.outcome(remote, key) == Self.outcome(local, key), "\(key)") }
    }

    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func aZipInABucketIsReadInPlace() throws {
        let bucket = try S3TestServer.store()
        let bytes = try Self.archive(zip64: true)
        try bucket.set(Self.key, bytes)
        let directory = TemporaryDirectory()
        let (local, _, _) = Self.both(bytes, in: directory)
        let file = try local.get()
        let object = try ZipStore(store: bucket, key: Self.key)
        #expect(object.path == bucket.location + "data.zip")
        for key in try file.list(prefix: "") { #expect(Self.outcome(object, key) == Self.outcome(file, key)) }
    }
}
