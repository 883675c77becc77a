@testable import DatasetPackage
import Foundation
import MIFACore
import Testing
import Zarr

/// The audit's view of a remote package: a file read whole is requested once (present or missing),
/// within the budgets; ranged reads and writes are not kept.
@Suite struct ReadOnceStoreTests {
    /// A memory store counting the reads that reach it, by key.
    final class CountingMemory: ZarrStore, @unchecked Sendable {
        let memory: MemoryStore
        private let lock = NSLock()
        private var counts: [String: Int] = [:]

        init(_ values: [String: [UInt8]]) throws {
            memory = MemoryStore(Dictionary(uniqueKeysWithValues: try values.map { (try StoreKey($0.key), $0.value) }))
        }

        func reads(_ key: String) -> Int {
            lock.lock()
            defer { lock.unlock() }
            return counts[key, default: 0]
        }

        var location: String { "memory" }
        var isWritable: Bool { false }
        var rangesIgnored: Bool { false }
        func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
            lock.lock()
            counts[key.value, default: 0] += 1
            lock.unlock()
            return try memory.get(key, range: range)
        }
        func set(_ key: StoreKey, _ bytes: [UInt8]) throws { try memory.set(key, bytes) }
        func delete(_ key: StoreKey) throws { try memory.delete(key) }
        func list(prefix: String) throws -> [StoreKey] { try memory.list(prefix: prefix) }
        func exists(_ key: StoreKey) throws -> Bool { try memory.exists(key) }
    }

    @Test func wholeReadsAndMissingFilesAreRequestedOnceRangesEveryTime() throws {
        var generator = SystemRandomNumberGenerator()
        let chunk = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base = try CountingMemory(["zarr.json": Array("{}".utf8), "img/0/c/0/0": chunk])
        let store = ReadOnceStore(base: base)
        for _ in 0..<3 {
            #expect(try store.get(StoreKey("zarr.json")) == Array("{}".utf8))
            #expect(try store.get(StoreKey("img/0/c/0/0")) == chunk)
            #expect(try store.get(StoreKey("img/0/c/9/9")) == nil)
            #expect(try store.exists(StoreKey("img/0/c/9/9")) == false)
            #expect(try store.exists(StoreKey("img/0/c/0/0")))
            #expect(try store.get(StoreKey("img/0/c/0/0"), range: .range(offset: 10, length: 20)) == Array(chunk[10..<30]))
        }
        #expect(base.reads("zarr.json") == 1)
        #expect(base.reads("img/0/c/9/9") == 1)
        #expect(base.reads("img/0/c/0/0") == 1 + 3)  // once whole, then each ranged read
        #expect(throws: ZarrError.self) { try store.set(StoreKey("zarr.json"), []) }
    }

    @Test func filesBeyondTheBudgetsAreReadEachTime() throws {
        let base = try CountingMemory(["a.json": [UInt8](repeating: 1, count: 600), "b.json": [UInt8](repeating: 2, count: 600),
                                       "x/c/0": [UInt8](repeating: 3, count: 900), "x/c/1": [UInt8](repeating: 4, count: 900)])
        let store = ReadOnceStore(base: base, documentBudget: 1000, chunkBudget: 1000)
        for _ in 0..<2 {
            for key in ["a.json", "b.json", "x/c/0", "x/c/1"] { _ = try store.get(StoreKey(key)) }
        }
        // The first of each kind fits; the second would pass its budget, so it is read each time.
        #expect(base.reads("a.json") == 1)
        #expect(base.reads("b.json") == 2)
        #expect(base.reads("x/c/0") == 1)
        #expect(base.reads("x/c/1") == 2)
    }
}
