import Foundation
import Testing
import TestSupport
import Zarr

extension StoreConformance {
    /// The conditional writes a commit protocol needs: create only where nothing is, delete only
    /// the value read (by its tag), copy on the server, each refusing what it must refuse.
    static func checkConditional(_ store: any ConditionalStore) throws {
        let key = try StoreKey("tx/COMMIT")
        let first = try #require(try store.create(key, Array("one".utf8)), "creating a new key")
        #expect(try store.create(key, Array("two".utf8)) == nil, "a second create of one key must fail")
        #expect(try store.get(key) == Array("one".utf8))
        let tagged = try #require(try store.getTagged(key))
        #expect(tagged.bytes == Array("one".utf8))
        #expect(first.isEmpty || tagged.tag == first)
        // Replaced: the old tag no longer deletes it.
        try store.set(key, Array("three".utf8))
        let replaced = try #require(try store.getTagged(key))
        #expect(replaced.tag != tagged.tag)
        #expect(try store.delete(key, ifTag: tagged.tag) == false)
        #expect(try store.get(key) == Array("three".utf8))
        #expect(try store.delete(key, ifTag: replaced.tag))
        #expect(try store.get(key) == nil)
        #expect(try store.getTagged(key) == nil)
        // Copies, a missing source copies nothing.
        let source = try StoreKey("tx/1/images/a")
        try store.set(source, [1, 2, 3])
        #expect(try store.copy(source, to: try StoreKey("images/a")))
        #expect(try store.get(try StoreKey("images/a")) == [1, 2, 3])
        #expect(try store.copy(try StoreKey("tx/none"), to: try StoreKey("images/b")) == false)
        #expect(try store.get(try StoreKey("images/b")) == nil)
        // A copy whose SHA-256 the store computes (S3: CopyObject's ChecksumSHA256), so that what
        // was copied can be checked without reading it.
        let hashed = try #require(try store.copyComputingSHA256(source, to: try StoreKey("images/e"), size: 3))
        #expect(hashed.sha256.map(hex) == "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81")
        #expect(try store.get(try StoreKey("images/e")) == [1, 2, 3])
        #expect(try store.copyComputingSHA256(source, to: try StoreKey("images/f"), size: nil)?.sha256 == hashed.sha256)
        #expect(try store.copyComputingSHA256(try StoreKey("tx/none"), to: try StoreKey("images/g"), size: nil) == nil)
        #expect(try store.get(try StoreKey("images/g")) == nil)
        // A file's bytes, never through a link.
        let folder = TemporaryDirectory()
        try Data([4, 5, 6]).write(to: URL(fileURLWithPath: folder.file("value")))
        try store.set(try StoreKey("tx/1/images/c"), contentsOf: folder.file("value"))
        #expect(try store.get(try StoreKey("tx/1/images/c")) == [4, 5, 6])
        try FileManager.default.createSymbolicLink(atPath: folder.file("link"), withDestinationPath: folder.file("value"))
        #expect(throws: ZarrError.self) { try store.set(try StoreKey("tx/1/images/d"), contentsOf: folder.file("link")) }
        #expect(throws: ZarrError.self) { try store.set(try StoreKey("tx/1/images/d"), contentsOf: folder.file("none")) }
        #expect(try store.get(try StoreKey("tx/1/images/d")) == nil)
    }

    /// Lower-case hex of some bytes.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

@Suite struct ConditionalStoreConformanceTests {
    @Test func memoryStore() throws {
        try StoreConformance.checkConditional(MemoryStore())
    }

    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func s3Store() throws {
        try StoreConformance.checkConditional(try S3TestServer.store())
        // Large values: the completion of a multipart upload is conditional too.
        let store = try S3TestServer.store(multipartThreshold: 1 << 20)
        let key = try StoreKey("big")
        let value = [UInt8](repeating: 7, count: (5 << 20) + 10)
        #expect(try store.create(key, value) != nil)
        #expect(try store.create(key, [UInt8](repeating: 8, count: (5 << 20) + 10)) == nil)
        #expect(try store.get(key) == value)
        let readOnly = try S3TestServer.store(store.configuration.prefix, readOnly: true)
        #expect(throws: ZarrError.self) { try readOnly.create(try StoreKey("x"), [1]) }
    }

    /// A file over the multipart threshold goes up in parts read from disk one at a time (the
    /// store never holds the whole file: each part is read with `pread` when it is sent), byte for byte.
    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func s3UploadsLargeFilesInPartsFromDisk() throws {
        let store = try S3TestServer.store(multipartThreshold: 1 << 20, partSize: 5 << 20)
        // Three parts of the 5 MiB part size; no two 8-byte words alike, so a part out of place shows.
        let value = (0..<((10 << 20) + 4_321)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 11 ^ $0 >> 3) }
        let folder = TemporaryDirectory()
        try Data(value).write(to: URL(fileURLWithPath: folder.file("large")))
        let key = try StoreKey("big/file")
        try store.set(key, contentsOf: folder.file("large"))
        let stored = try #require(try store.getTagged(key))
        #expect(stored.bytes == value)
        #expect(stored.tag.contains("-3"), "not a three-part multipart object: ETag \(stored.tag)")
        // Up to the threshold, one PUT.
        try Data(value.prefix(1 << 20)).write(to: URL(fileURLWithPath: folder.file("small")))
        try store.set(try StoreKey("big/small"), contentsOf: folder.file("small"))
        let small = try #require(try store.getTagged(try StoreKey("big/small")))
        #expect(small.bytes == Array(value.prefix(1 << 20)) && !small.tag.contains("-"))
    }

    /// Objects over `copyPartSize` (S3: 5 GiB; 5 MiB here) are copied in parts, ranges copied on
    /// the server (`UploadPartCopy`) and completed as one object, byte for byte.
    @Test(.enabled(if: S3TestServer.isAvailable, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func s3CopiesLargeObjectsInParts() throws {
        let store = try S3TestServer.store(copyPartSize: 5 << 20)
        #expect(store.copyPartSize == 5 << 20)
        // Three parts (5, 5 and 1 MiB and a bit); no two 8-byte words alike, so a part out of place shows.
        let value = (0..<((11 << 20) + 12_345)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 11 ^ $0 >> 3) }
        let source = try StoreKey("big/source")
        try store.set(source, value)
        #expect(try store.copy(source, to: try StoreKey("big/copy")))
        let copied = try #require(try store.getTagged(try StoreKey("big/copy")))
        #expect(copied.bytes == value)
        #expect(copied.tag.contains("-3"), "not a three-part multipart object: ETag \(copied.tag)")
        // One part's worth or less is one CopyObject.
        let small = Array(value.prefix(5 << 20))
        try store.set(try StoreKey("big/small"), small)
        #expect(try store.copy(try StoreKey("big/small"), to: try StoreKey("big/small-copy")))
        let single = try #require(try store.getTagged(try StoreKey("big/small-copy")))
        #expect(single.bytes == small && !single.tag.contains("-"))
        #expect(try store.copy(try StoreKey("big/none"), to: try StoreKey("big/other")) == false)
        #expect(try store.get(try StoreKey("big/other")) == nil)
        // With the size given (the writer knows it) the copy is planned without a HEAD: the same
        // objects, parts and all; a size that is not the source's fails, never copies part of it.
        #expect(try store.copy(source, to: try StoreKey("big/copy-sized"), size: value.count))
        let sized = try #require(try store.getTagged(try StoreKey("big/copy-sized")))
        #expect(sized.bytes == value && sized.tag.contains("-3"), "ETag \(sized.tag)")
        #expect(try store.copy(try StoreKey("big/small"), to: try StoreKey("big/small-sized"), size: small.count))
        #expect(try store.get(try StoreKey("big/small-sized")) == small)
        #expect(try store.copy(try StoreKey("big/none"), to: try StoreKey("big/other"), size: 10) == false)
        // S3 gives the SHA-256 of one CopyObject's copy, not of a copy in parts (whose checksum is of
        // the parts' checksums): that copy is made, its SHA-256 unknown.
        let hashed = try #require(try store.copyComputingSHA256(source, to: try StoreKey("big/copy-hashed"), size: value.count))
        #expect(hashed.sha256 == nil)
        #expect(try store.get(try StoreKey("big/copy-hashed")) == value)
        let one = try #require(try store.copyComputingSHA256(try StoreKey("big/small"), to: try StoreKey("big/small-hashed"), size: small.count))
        #expect(one.sha256.map(StoreConformance.hex) == S3Signer.payloadHash(small))
        #expect(try store.get(try StoreKey("big/small-hashed")) == small)
        #expect(throws: ZarrError.self) { try store.copy(source, to: try StoreKey("big/wrong"), size: value.count + (5 << 20)) }
        #expect(try store.get(try StoreKey("big/wrong")) == nil)
        #expect(S3Store(configuration: store.configuration, copyPartSize: 1).copyPartSize == 5 << 20)
    }
}
