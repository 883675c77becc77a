import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Zarr
#if canImport(Glibc)
import Glibc
#endif

/// Headers and files that claim more than they hold: reads are refused before allocating, and
/// special files in place of keys are refused before they can block.
@Suite struct ResourceLimitTests {
    static func hugeArrayStore(shape: [Int]) throws -> MemoryStore {
        let store = MemoryStore()
        let metadata = """
            {"zarr_format":3,"node_type":"array","shape":\(shape),"data_type":"uint16",
             "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[1000,1000]}},
             "chunk_key_encoding":{"name":"default"},"fill_value":0,"codecs":[{"name":"bytes","configuration":{"endian":"little"}}]}
            """
        try store.set(StoreKey("big/zarr.json"), Array(metadata.utf8))
        return store
    }

    @Test func aHeaderClaimingTerabytesIsRefusedNamingFileShapeAndRemedy() throws {
        let array = try ZarrArray.open(try Self.hugeArrayStore(shape: [1 << 20, 1 << 20]), path: "big")
        for read in [{ _ = try array.read(UInt16.self) }, { _ = try array.read() }, { _ = try array.readBytes() }] as [() throws -> Void] {
            let error = try #require(throws: ZarrError.self, performing: read)
            #expect(error.kind == .tooLarge)
            #expect(error.context.file?.hasSuffix("big/zarr.json") == true, "\(error)")
            #expect(error.context.shape == [1 << 20, 1 << 20])
            #expect(error.message.contains("--max-memory") && error.message.contains("--region"), "\(error)")
        }
    }

    @Test func theLimitIsTheCallersChoice() throws {
        let array = try ZarrArray.open(try Self.hugeArrayStore(shape: [100, 100]), path: "big")
        let error = try #require(throws: ZarrError.self) { try array.read(UInt16.self, maxBytes: 19_999) }
        #expect(error.kind == .tooLarge)
        #expect(try array.read(UInt16.self, maxBytes: 20_000).elements.allSatisfy { $0 == 0 })
        #expect(try array.readBytes(Region(origin: [0, 0], shape: [10, 10]), maxBytes: 200).count == 200)
        #expect(ZarrArray.defaultMaxReadBytes == 4 << 30)
    }

    /// Calls `body` while a helper thread watches whether anyone is blocked opening the FIFO at
    /// `path` for reading (a non-blocking open for writing succeeds only when a reader has it
    /// open); if so, the helper opens it, which unblocks the reader, and reports it.
    static func whileWatchingFIFO(_ path: String, _ body: () throws -> Void) rethrows -> Bool {
        let finished = LockedState(false)
        let blocked = LockedState(false)
        let helper = Thread {
            Thread.sleep(forTimeInterval: 1)
            for _ in 0..<100 where !finished.withLock({ $0 }) {
                let fd = open(path, O_WRONLY | O_NONBLOCK)
                if fd >= 0 {
                    blocked.withLock { $0 = true }
                    close(fd)
                    return
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        helper.start()
        defer { finished.withLock { $0 = true } }
        try body()
        return blocked.withLock { $0 }
    }

    @Test func aFIFOInPlaceOfMetadataOrAChunkIsRefusedWithoutBlocking() throws {
        let directory = TemporaryDirectory()
        let store = try DirectoryStore(root: directory.path)
        let array = try ZarrArray.create(store, path: "a", metadata: try ArrayMetadata(shape: [4], dataType: .uint8, chunkShape: [4],
                                                                                     codecs: [TestCodecs.bytes()]))
        try array.write(NDArray<UInt8>(shape: [4], elements: [1, 2, 3, 4]))
        for name in ["a/zarr.json", "a/c/0"] {
            let path = directory.file(name)
            let saved = try #require(try store.get(StoreKey(name)))
            try FileManager.default.removeItem(atPath: path)
            #expect(mkfifo(path, 0o644) == 0)
            let blocked = Self.whileWatchingFIFO(path) {
                let error = #expect(throws: ZarrError.self) { _ = try ZarrArray.open(store, path: "a").read(UInt8.self) }
                #expect(error?.message.contains("FIFO") == true, "\(String(describing: error))")
                #expect(error?.context.file == path)
            }
            #expect(!blocked, "opening \(name) blocked on the FIFO")
            try FileManager.default.removeItem(atPath: path)
            try store.set(StoreKey(name), saved)
        }
        let fifo = directory.file("pipe.zip")
        #expect(mkfifo(fifo, 0o644) == 0)
        let blocked = Self.whileWatchingFIFO(fifo) {
            #expect(throws: ZarrError.self) { _ = try ZipStore(path: fifo) }
        }
        #expect(!blocked, "opening a FIFO as a zip blocked")
    }
}
