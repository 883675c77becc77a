import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Zarr

/// Zip files whose headers lie or whose comment looks like a header: the store finds the real
/// end record, and never allocates what a header merely claims.
@Suite struct ZipLimitTests {
    static func u32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    static func write(_ bytes: [UInt8], in directory: TemporaryDirectory, name: String = "test.zip") throws -> String {
        let path = directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [false, true]) func aCommentHoldingTheEndSignatureIsNotTakenForTheRecord(zip64: Bool) throws {
        var writer = TestZipWriter()
        writer.zip64 = zip64
        writer.add("zarr.json", Array(#"{"zarr_format":3,"node_type":"group"}"#.utf8), deflate: true)
        var bytes = try writer.bytes()
        let comment = Array("made by a tool PK\u{5}\u{6} that likes signatures".utf8) + [UInt8](repeating: 0, count: 30)
        bytes[bytes.count - 2] = UInt8(comment.count)
        bytes += comment
        let directory = TemporaryDirectory()
        let store = try ZipStore(path: try Self.write(bytes, in: directory))
        #expect(try store.get(StoreKey("zarr.json")).map { String(decoding: $0, as: UTF8.self) }?.contains("group") == true)
    }

    @Test func aDeclaredSizeBoundsTheOutputButNeverReservesIt() throws {
        var generator = SeededGenerator(seed: 7)
        var writer = TestZipWriter()
        writer.add("c/0", generator.bytes(1 << 20), deflate: true)
        var bytes = try writer.bytes()
        // Central directory entry: the uncompressed size at +24 now claims 1 GiB (within deflate's 1032:1).
        let central = try #require(bytes.indices.last { $0 + 4 <= bytes.count && Array(bytes[$0..<($0 + 4)]) == [0x50, 0x4B, 0x01, 0x02] })
        bytes.replaceSubrange((central + 24)..<(central + 28), with: Self.u32(1 << 30))
        let directory = TemporaryDirectory()
        let path = try Self.write(bytes, in: directory)
        let error = try #require(throws: ZarrError.self) { try ZipStore(path: path).get(StoreKey("c/0")) }
        #expect(error.message.contains("inflates to 1048576 bytes"), "\(error)")
        let limited = try #require(throws: ZarrError.self) { try ZipStore(path: path, maxEntryBytes: 1 << 29).get(StoreKey("c/0")) }
        #expect(limited.kind == .tooLarge, "\(limited)")
    }

    @Test func everyReadIsHeldToTheLimit() throws {
        var writer = TestZipWriter()
        writer.add("stored", [UInt8](repeating: 1, count: 4096))
        writer.add("deflated", [UInt8](repeating: 2, count: 4096), deflate: true)
        let directory = TemporaryDirectory()
        let path = try Self.write(try writer.bytes(), in: directory)
        let store = try ZipStore(path: path, maxEntryBytes: 1000)
        for key in ["stored", "deflated"] {
            let error = try #require(throws: ZarrError.self) { try store.get(StoreKey(key)) }
            #expect(error.kind == .tooLarge && error.message.contains("maxEntryBytes"), "\(error)")
        }
        #expect(try store.get(StoreKey("stored"), range: .range(offset: 10, length: 1000))?.count == 1000)
        let tooSmall = try #require(throws: ZarrError.self) { try ZipStore(path: path, maxEntryBytes: 50) }
        #expect(tooSmall.kind == .tooLarge && tooSmall.message.contains("central directory"), "\(tooSmall)")
    }

    @Test func aCentralDirectoryLargerThanOneBlockIsReadInBlocks() throws {
        var writer = TestZipWriter()
        let names = (0..<12_000).map { "c/\($0)/" + String(repeating: "n", count: 60) }
        for name in names { writer.add(name, [UInt8(name.count & 0xFF)]) }
        let directory = TemporaryDirectory()
        let store = try ZipStore(path: try Self.write(try writer.bytes(), in: directory))
        #expect(try store.list(prefix: "").count == names.count)
        #expect(try store.get(StoreKey(names[11_999])) == [UInt8(names[11_999].count & 0xFF)])
    }
}
