import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Zarr

@Suite struct BadInputTests {
    static func makeArray(_ store: any ZarrStore, codecs: [CodecDescription], chunkShape: [Int] = [4, 4]) throws -> ZarrArray {
        let array = try ZarrArray.create(store, metadata: try ArrayMetadata(shape: [8, 8], dataType: .uint16, chunkShape: chunkShape, codecs: codecs))
        var data = NDArray<UInt16>(shape: [8, 8])
        for i in data.elements.indices { data.elements[i] = UInt16(i * 37 % 1000) }
        try array.write(data)
        return array
    }

    @Test(arguments: [
        [TestCodecs.bytes(), TestCodecs.zstd()], [TestCodecs.bytes(), TestCodecs.blosc()], [TestCodecs.bytes(), TestCodecs.gzip()],
        [TestCodecs.bytes(), TestCodecs.crc32c], [TestCodecs.bytes()],
    ]) func corruptAndTruncatedChunksNameTheirKey(_ codecs: [CodecDescription]) throws {
        let store = MemoryStore()
        let array = try Self.makeArray(store, codecs: codecs)
        let key = try StoreKey("c/1/0")
        let good = try #require(try store.get(key))
        let variants: [[UInt8]] = [Array(good.dropLast(3)), Array(good.prefix(good.count / 2)), [], good + [1, 2, 3],
                                   good.enumerated().map { $0.offset == good.count / 2 ? $0.element ^ 0x5A : $0.element }]
        for (i, bad) in variants.enumerated() {
            try store.set(key, bad)
            do {
                _ = try array.read(UInt16.self, concurrency: i % 2 + 1)
                // A flipped byte cannot be detected without a checksum; every other variant must fail.
                #expect(i == 4 && !codecs.contains(TestCodecs.crc32c), "variant \(i) of \(codecs.map(\.name)) was accepted")
            } catch let error as ZarrError {
                #expect(error.context.key == "c/1/0", "\(error)")
                #expect([.corruptChunk, .checksumMismatch].contains(error.kind), "\(error)")
            }
        }
    }

    @Test func shardIndexesThatPointOutsideTheShard() throws {
        let store = MemoryStore()
        let array = try Self.makeArray(store, codecs: [TestCodecs.sharding([2, 2], codecs: [TestCodecs.bytes(), TestCodecs.zstd()], crc: false)],
                                       chunkShape: [8, 8])
        let key = try StoreKey("c/0/0")
        let good = try #require(try store.get(key))
        let indexStart = good.count - 16 * 16
        func patched(_ entry: Int, offset: UInt64, length: UInt64) -> [UInt8] {
            var copy = good
            withUnsafeBytes(of: offset.littleEndian) { for i in 0..<8 { copy[indexStart + 16 * entry + i] = $0[i] } }
            withUnsafeBytes(of: length.littleEndian) { for i in 0..<8 { copy[indexStart + 16 * entry + 8 + i] = $0[i] } }
            return copy
        }
        let cases: [[UInt8]] = [
            patched(3, offset: UInt64(good.count) + 10, length: 20),
            patched(3, offset: 0, length: 1 << 40),
            patched(3, offset: UInt64.max - 5, length: 10),
            patched(3, offset: UInt64.max, length: 7),
            patched(3, offset: 2, length: 3),
            Array(good.suffix(100)),
            Array(good.prefix(10)),
        ]
        for (i, bad) in cases.enumerated() {
            try store.set(key, bad)
            let error = #expect(throws: ZarrError.self, "case \(i)") { try array.read(UInt16.self) }
            #expect(error?.context.key == "c/0/0", "case \(i): \(String(describing: error))")
            // Writes that must keep part of the shard fail the same way and change nothing (case 4 is a
            // valid range holding garbage: a write keeps those bytes without decoding them).
            if i != 4 {
                #expect(throws: ZarrError.self) { try array.write(NDArray<UInt16>(shape: [1, 1]), at: [0, 0]) }
                #expect(try store.get(key) == bad)
            }
        }
    }

    @Test func shardIndexChecksumIsVerified() throws {
        let store = MemoryStore()
        let array = try Self.makeArray(store, codecs: [TestCodecs.sharding([2, 2], codecs: [TestCodecs.bytes()])], chunkShape: [8, 8])
        let key = try StoreKey("c/0/0")
        var bytes = try #require(try store.get(key))
        bytes[bytes.count - 30] ^= 1
        try store.set(key, bytes)
        let error = #expect(throws: ZarrError.self) { try array.read(UInt16.self, region: Region([0..<1, 0..<1])) }
        #expect(error?.kind == .checksumMismatch)
    }

    @Test func badMetadataIsAClearError() throws {
        let store = MemoryStore()
        let documents: [(String, String, String?)] = [
            ("zarr.json", #"{"zarr_format": 3, "node_type": "array", "shape": [-4, 4]}"#, "/shape/0"),
            ("zarr.json", #"{"zarr_format": 3, "node_type": "array", "shape": "4,4"}"#, "/shape"),
            ("zarr.json", #"{"zarr_format": 3, "node_type": "tree"}"#, "/node_type"),
            ("zarr.json", #"{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "uint8","#, nil),
            ("zarr.json", "[1, 2]", ""),
            (".zarray", #"{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<u2", "compressor": {"cname": "lz4"}, "fill_value": 0, "order": "C", "filters": null}"#, "/compressor"),
            (".zarray", #"{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": 5, "compressor": null, "fill_value": 0, "order": "C", "filters": null}"#, "/dtype"),
            (".zarray", #"{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<u2", "compressor": null, "fill_value": "zero", "order": "C", "filters": null}"#, "/fill_value"),
        ]
        for (name, text, pointer) in documents {
            for other in ["zarr.json", ".zarray"] { try store.delete(try StoreKey(other)) }
            try store.set(try StoreKey(name), Array(text.utf8))
            let error = #expect(throws: ZarrError.self, "\(text)") { try ZarrArray.open(store) }
            #expect(error?.kind == .invalidMetadata, "\(String(describing: error))")
            #expect(error?.context.file == "memory/\(name)")
            if let pointer { #expect(error?.context.pointer == pointer, "\(String(describing: error))") } else { #expect(error?.context.line != nil) }
        }
    }

    @Test func sizesThatHeadersMerelyClaimAreNeverAllocated() throws {
        let store = MemoryStore()
        // An array far larger than memory: metadata is fine, a whole-array read is refused, a region works.
        let huge = try ZarrArray.create(store, metadata: try ArrayMetadata(shape: [1 << 30, 1 << 30], dataType: .uint8, chunkShape: [1024, 1024],
                                                                          codecs: [TestCodecs.bytes(), TestCodecs.zstd()]))
        let error = #expect(throws: ZarrError.self) { try huge.read(UInt8.self) }
        #expect(error?.kind == .tooLarge)
        #expect(throws: ZarrError.self) { try huge.readBytes() }
        #expect(try huge.read(UInt8.self, region: Region([5..<7, (1 << 29)..<((1 << 29) + 3)])).elements == [0, 0, 0, 0, 0, 0])
        // Chunks whose byte count cannot be addressed are refused when the metadata is read.
        let document = MetadataTests.v3(["data_type": "complex128", "fill_value": [0, 0], "shape": [4, 4],
                                         "chunk_grid": ["name": "regular", "configuration": ["chunk_shape": [.number(JSONNumber(1 << 31)), .number(JSONNumber(1 << 31))]]]])
        #expect(throws: ZarrError.self) { try ArrayMetadata.parseV3(document) }
        // A chunk larger than MIFAKit decodes at once is refused when a stored one must be decoded.
        let big = try ZarrArray.create(store, path: "big", metadata: try ArrayMetadata(shape: [4, 4], dataType: .uint8, chunkShape: [1 << 20, 1 << 20],
                                                                                     codecs: [TestCodecs.bytes(), TestCodecs.zstd()]))
        try store.set(try StoreKey("big/c/0/0"), [1, 2, 3])
        #expect(throws: ZarrError.self) { try big.read(UInt8.self) }
    }

    @Test func keysCannotLeaveTheStore() throws {
        for bad in ["../x", "/etc/passwd", "a//b", "a/./b", "a/../../b", "a\\b", "", "a/b/", "x\u{0}y"] {
            #expect(throws: ZarrError.self, "\(bad.debugDescription)") { try StoreKey(bad) }
        }
        #expect(throws: ZarrError.self) { try ZarrArray.open(MemoryStore(), path: "../up") }
        let directory = TemporaryDirectory()
        let outside = TemporaryDirectory()
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside.file("secret")))
        let store = try DirectoryStore(root: directory.file("root"), create: true)
        try FileManager.default.createSymbolicLink(atPath: directory.file("root/out"), withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: directory.file("root/leak"), withDestinationPath: outside.file("secret"))
        let readOut = #expect(throws: ZarrError.self) { try store.get(try StoreKey("out/secret")) }
        #expect(readOut?.kind == .invalidKey)
        #expect(throws: ZarrError.self) { try store.get(try StoreKey("leak")) }
        #expect(throws: ZarrError.self) { try store.set(try StoreKey("out/new"), [1]) }
        #expect(throws: ZarrError.self) { try store.delete(try StoreKey("out/secret")) }
        #expect(FileManager.default.fileExists(atPath: outside.file("secret")))
        #expect(!FileManager.default.fileExists(atPath: outside.file("new")))
        #expect(try store.list(prefix: "").isEmpty, "links out of the root are not listed")
        // A link that stays inside is followed.
        try store.set(try StoreKey("real/value"), [5])
        try FileManager.default.createSymbolicLink(atPath: directory.file("root/alias"), withDestinationPath: directory.file("root/real"))
        #expect(try store.get(try StoreKey("alias/value")) == [5])
    }

    /// Reads open a key's file in one system call when no link is on its path, and take the
    /// general path (follow, then check where the file is) otherwise: relative links that stay
    /// inside are followed, relative links that climb out with `..` are refused, a final link is
    /// checked like a folder link, and what is missing or not a file answers as before.
    @Test func readsWithAndWithoutLinksOnThePathAnswerAlike() throws {
        let directory = TemporaryDirectory()
        let outside = TemporaryDirectory()
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside.file("secret")))
        let store = try DirectoryStore(root: directory.file("root"), create: true)
        try store.set(try StoreKey("real/value"), [7, 8, 9])
        try store.set(try StoreKey("file"), [1])
        #expect(try store.get(try StoreKey("real/value")) == [7, 8, 9])
        #expect(try store.get(try StoreKey("real/value"), range: .range(offset: 1, length: 2)) == [8, 9])
        #expect(try store.get(try StoreKey("real/missing")) == nil)
        #expect(try store.get(try StoreKey("file/below")) == nil, "a file where a folder should be: missing, as before")
        let folder = #expect(throws: ZarrError.self) { try store.get(try StoreKey("real")) }
        #expect(folder?.kind == .storeFailure)
        // Relative links: inside is followed (a folder link and a final link), out is refused.
        #expect(symlink("real", directory.file("root/near")) == 0)
        #expect(symlink("real/value", directory.file("root/direct")) == 0)
        // From the root up to `/`, then down to the other folder: every step relative.
        let depth = directory.file("root").split(separator: "/").count
        let climb = String(repeating: "../", count: depth) + String(outside.path.dropFirst())
        #expect(symlink(climb, directory.file("root/up")) == 0)
        #expect(symlink(climb + "/secret", directory.file("root/upfile")) == 0)
        #expect(try store.get(try StoreKey("near/value")) == [7, 8, 9])
        #expect(try store.get(try StoreKey("direct")) == [7, 8, 9])
        #expect(try store.get(try StoreKey("near/missing")) == nil)
        for key in ["up/secret", "upfile"] {
            let refused = #expect(throws: ZarrError.self, "\(key)") { try store.get(try StoreKey(key)) }
            #expect(refused?.kind == .invalidKey)
        }
    }

    /// Damaged zip files: an empty, truncated or random file is refused when opened; a file with
    /// random bytes changed is refused (at open or at a read) or reads back exactly the original
    /// content of an entry (a whole read verifies the CRC-32); any other outcome, or an error that
    /// is not a ``ZarrError``, fails.
    @Test func damagedZipFilesAreRefused() throws {
        let directory = TemporaryDirectory()
        var writer = TestZipWriter()
        let contents = [Array(repeating: UInt8(65), count: 3000), Array(repeating: UInt8(1), count: 100)]
        writer.add("zarr.json", contents[0], deflate: true)
        writer.add("c/0", contents[1])
        let good = try writer.bytes()
        var generator = SeededGenerator(seed: 17)
        let broken: [[UInt8]] = [[], Array(good.prefix(40)), Array(good.dropLast(5)), generator.bytes(500)]
        var mutated: [[UInt8]] = []
        for _ in 0..<200 {
            var copy = good
            for _ in 0..<4 { copy[Int.random(in: 0..<copy.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            mutated.append(copy)
        }
        var refused = 0, intact = 0
        for (i, bytes) in (broken + mutated).enumerated() {
            let path = directory.file("z\(i).zip")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let store = try ZipStore(path: path)
                #expect(i >= broken.count, "damaged file \(i) was opened")
                for key in try store.list(prefix: "") {
                    do {
                        guard let read = try store.get(key) else { continue }
                        #expect(contents.contains(read), "file \(i): entry \(key.value) read back damaged content")
                        intact += 1
                    } catch is ZarrError {
                        refused += 1
                    }
                }
            } catch is ZarrError {
                refused += 1
            } catch {
                Issue.record("file \(i): not a ZarrError: \(error)")
            }
        }
        #expect(refused > broken.count && intact > 0, "refused \(refused), intact \(intact)")
    }

    @Test func randomMutationsNeverCrash() throws {
        var generator = SeededGenerator(seed: 23)
        let codecSets: [[CodecDescription]] = [
            [TestCodecs.bytes(), TestCodecs.blosc("zstd", shuffle: "bitshuffle")],
            [TestCodecs.bytes(), TestCodecs.zstd(), TestCodecs.crc32c],
            [TestCodecs.sharding([2, 2], codecs: [TestCodecs.bytes(), TestCodecs.gzip()], indexAtEnd: false, crc: false)],
            [TestCodecs.sharding([2, 4], codecs: [TestCodecs.bytes(), TestCodecs.blosc("lz4")])],
        ]
        for codecs in codecSets {
            let store = MemoryStore()
            let array = try Self.makeArray(store, codecs: codecs, chunkShape: [4, 4])
            let key = try StoreKey("c/0/0")
            let good = try #require(try store.get(key))
            for _ in 0..<300 {
                var bytes = good
                let mutations = Int.random(in: 1...6, using: &generator)
                for _ in 0..<mutations {
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                    case 1: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
                    default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
                    }
                    if bytes.isEmpty { bytes = [0] }
                }
                try store.set(key, bytes)
                _ = try? array.read(UInt16.self, region: Region([0..<3, 1..<4]))
            }
        }
    }
}
