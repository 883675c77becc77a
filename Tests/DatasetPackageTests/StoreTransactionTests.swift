import DatasetPackage
import Foundation
import MIFACore
import Synchronization
import Testing
import TestSupport
import Zarr

/// The commit protocol over object storage (``StoreTransaction``), on an in-process conditional
/// store: a writer stopped at every one of its writes leaves what a reader sees as exactly the old
/// version or exactly the new one, and the next writer succeeds; of two writers, one wins and the
/// other fails without changing anything.
@Suite struct StoreTransactionTests {
    /// A writer stopped here, as if killed: nothing more of it reaches the store.
    struct Killed: Error {}

    /// What a reader sees: the version and every file of its manifest, each checked against its digest.
    struct View: Equatable {
        var version: String
        var files: [String: [UInt8]]
    }

    static func view(_ store: any ZarrStore) throws -> View {
        let package = try DatasetPackage.open(try PackageReader.reading(store))
        let manifest = try package.manifest()
        var files: [String: [UInt8]] = [:]
        for (path, entry) in manifest.files {
            let bytes = try package.reader.read(path)
            #expect(SHA256Digest(of: bytes) == entry.sha256, "\(path) is not what the manifest of \(manifest.version) says")
            files[path] = bytes
        }
        _ = try package.lineage()
        return View(version: manifest.version, files: files)
    }

    /// Packs version "1" (an image chunk, mifa.json, an annotation set) into `store`.
    static func publishFirst(_ store: any ConditionalStore) throws {
        try StoreTransaction.create(in: store, work: try temporaryFolder() + "/work") { work in
            _ = try DatasetPackage.create(at: work, build: { staging in
                try writeFile("{\"study\": {}}\n", "\(staging)/mifa.json")
                try writeFile("chunk-a", "\(staging)/images/img1/0/c/0/0")
                try writeFile("chunk-gone", "\(staging)/images/img1/0/c/9/9")
                try writeFile("{\"type\": \"FeatureCollection\", \"features\": []}\n", "\(staging)/annotations/set1/annotations.geojson")
            }, makeRecord: simpleRecord("1", "first"))
        }
    }

    /// Makes `version`: one chunk changed (to `chunk`), one added, one removed.
    @discardableResult
    static func change(to version: String, chunk: String, in store: any ConditionalStore) throws -> VersionRecord {
        try StoreTransaction.change(in: store, work: try temporaryFolder() + "/work") { package in
            let transaction = try PackageTransaction(package: package)
            try transaction.stageCurrentContent()
            let staged = transaction.stagingRoot
            // Staged files are links to the current ones: replace, never write into them.
            for name in ["0/0", "9/9"] { try? FileManager.default.removeItem(atPath: "\(staged)/images/img1/0/c/\(name)") }
            try writeFile(chunk, "\(staged)/images/img1/0/c/0/0")
            try writeFile("added in \(version)", "\(staged)/images/img1/0/c/\(version)/0")
            return try transaction.commit(simpleRecord(version))
        }
    }

    static func transactionKeys(_ store: MemoryStore) throws -> [String] {
        try store.list(prefix: ".mifa-transaction/").map(\.value)
    }

    @Test func packThenVersionReadBackAndKeepHistory() throws {
        let store = MemoryStore()
        try Self.publishFirst(store)
        let first = try Self.view(store)
        #expect(first.version == "1")
        #expect(first.files["images/img1/0/c/0/0"] == Array("chunk-a".utf8))
        try Self.change(to: "2", chunk: "chunk-b", in: store)
        let second = try Self.view(store)
        #expect(second.version == "2")
        #expect(second.files["images/img1/0/c/0/0"] == Array("chunk-b".utf8))
        #expect(second.files["images/img1/0/c/9/9"] == nil)
        #expect(try store.get(StoreKey("images/img1/0/c/9/9")) == nil)
        #expect(try Self.transactionKeys(store).isEmpty)
        // The first version is still restorable from the object store.
        let package = try DatasetPackage.open(try PackageReader.reading(store))
        let old = try package.fileList(of: "1")
        #expect(try package.contents(of: "images/img1/0/c/0/0", in: old) == Array("chunk-a".utf8))
        #expect(try package.contents(of: "images/img1/0/c/9/9", in: old) == Array("chunk-gone".utf8))
        #expect(try package.lineage().map(\.version) == ["1", "2"])
    }

    @Test func packRefusesAPrefixThatHoldsObjects() throws {
        let store = MemoryStore()
        try store.set(StoreKey("notes.txt"), Array("x".utf8))
        #expect { try Self.publishFirst(store) } throws: { ($0 as? PackageError)?.kind == .alreadyExists }
        #expect(try store.list(prefix: "").map(\.value) == ["notes.txt"])
    }

    /// A store that answers as some S3-compatible servers do, the rest passed through to a
    /// ``MemoryStore``: one that ignores conditional writes writes every `create` even over an
    /// existing object (rclone's `serve s3` ignores `If-None-Match`); one that computes no
    /// checksums copies without saying the copy's SHA-256 (rclone's `serve s3` answers a
    /// `CopyObject` without `ChecksumSHA256`).
    final class QuirkyStore: ConditionalStore {
        let base: MemoryStore
        let ignoresConditions: Bool
        let computesChecksums: Bool
        init(_ base: MemoryStore, ignoresConditions: Bool = false, computesChecksums: Bool = true) {
            self.base = base
            self.ignoresConditions = ignoresConditions
            self.computesChecksums = computesChecksums
        }
        var location: String { base.location }
        var isWritable: Bool { base.isWritable }
        var rangesIgnored: Bool { base.rangesIgnored }
        func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? { try base.get(key, range: range) }
        func getTagged(_ key: StoreKey) throws -> (bytes: [UInt8], tag: String)? { try base.getTagged(key) }
        func list(prefix: String) throws -> [StoreKey] { try base.list(prefix: prefix) }
        func set(_ key: StoreKey, _ bytes: [UInt8]) throws { try base.set(key, bytes) }
        func delete(_ key: StoreKey) throws { try base.delete(key) }
        func create(_ key: StoreKey, _ bytes: [UInt8]) throws -> String? {
            guard ignoresConditions else { return try base.create(key, bytes) }
            try base.set(key, bytes)
            return try base.getTagged(key)?.tag
        }
        func delete(_ key: StoreKey, ifTag tag: String) throws -> Bool { try base.delete(key, ifTag: tag) }
        func copy(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> Bool { try base.copy(source, to: target, size: size) }
        func copyComputingSHA256(_ source: StoreKey, to target: StoreKey, size: Int?) throws -> StoreCopy? {
            try base.copyComputingSHA256(source, to: target, size: size).map { computesChecksums ? $0 : StoreCopy(sha256: nil) }
        }
    }

    @Test func aStoreThatIgnoresConditionalWritesIsRefusedBeforeAnyUpload() throws {
        let empty = MemoryStore()
        let refusal = #expect(throws: PackageError.self) { try Self.publishFirst(QuirkyStore(empty, ignoresConditions: true)) }
        #expect(refusal?.kind == .io && refusal?.message.contains("does not honour conditional writes") == true, "\(String(describing: refusal))")
        #expect(try empty.list(prefix: "").isEmpty, "a refused pack left objects")
        let store = MemoryStore()
        try Self.publishFirst(store)
        let before = store.snapshot
        let second = #expect(throws: PackageError.self) { try Self.change(to: "2", chunk: "chunk-b", in: QuirkyStore(store, ignoresConditions: true)) }
        #expect(second?.message.contains("does not honour conditional writes") == true, "\(String(describing: second))")
        #expect(store.snapshot == before, "a refused change wrote to the store")
        try Self.change(to: "2", chunk: "chunk-b", in: store)
        #expect(try Self.view(store).version == "2")
    }

    /// Stops the writer of version 2 before each of its writes in turn: every time, a reader sees
    /// exactly version 1 or exactly version 2, and a next writer makes version 3 on top of it.
    @Test func aWriterStoppedAtAnyWriteLeavesTheOldOrTheNewVersion() throws {
        let base = MemoryStore()
        try Self.publishFirst(base)
        let old = try Self.view(base)
        let probe = InterruptingStore(MemoryStore(base.snapshot)) { _, _, _ in }
        try Self.change(to: "2", chunk: "chunk-b", in: probe)
        let new = try Self.view(probe.base)
        #expect(probe.count > 10)
        var outcomes: [String] = []
        for stop in 0..<probe.count {
            let store = MemoryStore(base.snapshot)
            let writer = InterruptingStore(store) { index, _, _ in if index >= stop { throw Killed() } }
            #expect(throws: Killed.self) { try Self.change(to: "2", chunk: "chunk-b", in: writer) }
            let seen = try Self.view(store)
            #expect(seen == old || seen == new, "stopped before write \(stop): a reader sees a mix")
            outcomes.append(seen.version)
            // The next writer finishes or withdraws what it finds, then makes its own version.
            try Self.change(to: "3", chunk: "chunk-c", in: store)
            let after = try Self.view(store)
            #expect(after.version == "3")
            #expect(try DatasetPackage.open(try PackageReader.reading(store)).lineage().map(\.version) == (seen == new ? ["1", "2", "3"] : ["1", "3"]))
            #expect(try !store.exists(StoreKey(".mifa-transaction/COMMIT")))
        }
        // Both outcomes happen: before the commit point the old version, after it the new one.
        #expect(outcomes.first == "1" && outcomes.last == "2")
        #expect(outcomes == outcomes.sorted(), "once committed, a change stays committed")
    }

    /// Stops `pack` before each of its writes in turn: a reader finds no package or the whole first
    /// version; the next `pack` succeeds where there is none and is refused where there is one.
    @Test func aPackStoppedAtAnyWriteLeavesNoPackageOrTheWholeOne() throws {
        let probe = InterruptingStore(MemoryStore()) { _, _, _ in }
        try Self.publishFirst(probe)
        let whole = try Self.view(probe.base)
        var outcomes: [Bool] = []
        for stop in 0..<probe.count {
            let store = MemoryStore()
            let writer = InterruptingStore(store) { index, _, _ in if index >= stop { throw Killed() } }
            #expect(throws: Killed.self) { try Self.publishFirst(writer) }
            let packed = (try? Self.view(store)) != nil
            if packed { #expect(try Self.view(store) == whole) }
            outcomes.append(packed)
            if packed {
                #expect { try Self.publishFirst(store) } throws: { ($0 as? PackageError)?.kind == .alreadyExists }
            } else {
                try Self.publishFirst(store)
                #expect(try Self.view(store).version == "1")
            }
        }
        #expect(outcomes.first == false && outcomes.last == true)
        #expect(outcomes == outcomes.sorted { !$0 && $1 }, "once committed, a pack stays committed")
    }

    @Test func aWriterThatFindsTheManifestChangedWithdrawsAndFails() throws {
        let store = MemoryStore()
        try Self.publishFirst(store)
        let ran = Atomic<Bool>(false)
        // Another writer makes and finishes version B just before A's commit point.
        let a = InterruptingStore(store) { _, operation, key in
            if operation == "create", key.hasSuffix("COMMIT"), !ran.exchange(true, ordering: .relaxed) {
                try Self.change(to: "B", chunk: "chunk-b", in: store)
            }
        }
        #expect { try Self.change(to: "A", chunk: "chunk-a2", in: a) } throws: {
            ($0 as? PackageError)?.kind == .locked && "\($0)".contains("another writer published version 'B'")
        }
        #expect(try Self.view(store).version == "B")
        #expect(try Self.transactionKeys(store).isEmpty)
    }

    @Test func aWriterThatFindsAnotherCommitFailsAndTheNextWriterFinishesIt() throws {
        let store = MemoryStore()
        try Self.publishFirst(store)
        let ran = Atomic<Bool>(false)
        // Another writer commits version B and stops right after its commit point.
        let a = InterruptingStore(store) { _, operation, key in
            guard operation == "create", key.hasSuffix("COMMIT"), !ran.exchange(true, ordering: .relaxed) else { return }
            let committed = Atomic<Bool>(false)
            let b = InterruptingStore(store) { _, operation, key in
                if committed.load(ordering: .relaxed) { throw Killed() }
                if operation == "create", key.hasSuffix("COMMIT") { committed.store(true, ordering: .relaxed) }
            }
            #expect(throws: Killed.self) { try Self.change(to: "B", chunk: "chunk-b", in: b) }
        }
        #expect { try Self.change(to: "A", chunk: "chunk-a2", in: a) } throws: {
            ($0 as? PackageError)?.kind == .locked && "\($0)".contains("another writer is committing version 'B'")
        }
        // Readers see B (committed, not yet in place); the next writer finishes it and builds on it.
        #expect(try store.get(StoreKey("images/img1/0/c/0/0")) == Array("chunk-a".utf8))
        #expect(try Self.view(store).version == "B")
        try Self.change(to: "C", chunk: "chunk-c", in: store)
        #expect(try DatasetPackage.open(try PackageReader.reading(store)).lineage().map(\.version) == ["1", "B", "C"])
        #expect(try Self.transactionKeys(store).isEmpty)
    }

    /// Adds an annotation set to `store`'s package as `version`, changing nothing else.
    @discardableResult
    static func addSet(as version: String, in store: any ConditionalStore) throws -> VersionRecord {
        try StoreTransaction.change(in: store, work: try temporaryFolder() + "/work") { package in
            let transaction = try PackageTransaction(package: package)
            try transaction.stageCurrentContent()
            try writeFile("{\"type\": \"FeatureCollection\", \"features\": []}\n", "\(transaction.stagingRoot)/annotations/set2/annotations.geojson")
            return try transaction.commit(simpleRecord(version))
        }
    }

    /// Whether a key is image data or an object of the object store, which a change leaves in the store.
    static func isLeftInStore(_ key: String) -> Bool {
        key.hasPrefix("images/img1/0/") || key.hasPrefix("versions/objects/")
    }

    /// A change of annotations neither reads nor writes image data or the object store: the chunks
    /// are carried into the new version with their manifest entries, and the history still restores.
    @Test func aChangeOfAnnotationsLeavesTheImageDataInTheStore() throws {
        let store = MemoryStore()
        try Self.publishFirst(store)
        try Self.change(to: "2", chunk: "chunk-b", in: store)
        let before = try Self.view(store)
        let writes = LockedState<[String]>([])
        let watched = InterruptingStore(store) { _, operation, key in writes.withLock { $0.append("\(operation) \(key)") } }
        try Self.addSet(as: "3", in: watched)
        #expect(!watched.reads.isEmpty)
        #expect(watched.reads.filter(Self.isLeftInStore).isEmpty, "image data or objects were downloaded")
        let written = writes.withLock { $0 }
        #expect(written.contains { $0.hasSuffix("annotations/set2/annotations.geojson") })
        let keys = written.map { entry in
            let key = entry.split(separator: " ", maxSplits: 1)[1]
            return key.hasPrefix(".mifa-transaction/") ? key.split(separator: "/").dropFirst(2).joined(separator: "/") : String(key)
        }
        #expect(!keys.contains { $0.hasPrefix("images/img1/0/") }, "image data was uploaded or copied: \(written)")
        let after = try Self.view(store)
        #expect(after.version == "3")
        #expect(after.files.filter { $0.key.hasPrefix("images/") } == before.files.filter { $0.key.hasPrefix("images/") })
        let package = try DatasetPackage.open(try PackageReader.reading(store))
        #expect(try package.contents(of: "images/img1/0/c/0/0", in: package.fileList(of: "1")) == Array("chunk-a".utf8))
        #expect(try package.lineage().map(\.version) == ["1", "2", "3"])
    }

    /// Image data a change reads through the package's reader is fetched from the store (checked);
    /// opened any other way it fails: never a missing file (which Zarr would read as fill values)
    /// nor an empty one.
    @Test func imageDataThatAChangeReadsIsFetchedAndNeverTakenForMissing() throws {
        let store = MemoryStore()
        try Self.publishFirst(store)
        let chunk = "images/img1/0/c/0/0"
        let version = try StoreTransaction.change(in: store, work: try temporaryFolder() + "/work") { package in
            #expect(try package.reader.read(chunk) == Array("chunk-a".utf8))
            #expect(try package.reader.read(chunk, offset: 6, length: 1) == Array("a".utf8))
            #expect(try package.reader.isFile(chunk))
            #expect(throws: PackageError.self) { try PackageFileSystem.read(package.path(chunk)) }
            let directory = try DirectoryStore(root: package.root, readOnly: true)
            #expect(throws: ZarrError.self) { try directory.get(StoreKey(chunk)) }
            return try package.currentVersion()
        }
        #expect(version == "1")
        #expect(try Self.view(store).version == "1")
        // A change that opens it directly anyway fails, saying so; nothing is published.
        #expect {
            try StoreTransaction.change(in: store, work: try temporaryFolder() + "/work") { package in
                _ = try DirectoryStore(root: package.root, readOnly: true).get(StoreKey(chunk))
            }
        } throws: {
            ($0 as? PackageError)?.kind == .io && "\($0)".contains("opened '\(chunk)' directly, but it was left in memory")
        }
        #expect(try Self.transactionKeys(store).isEmpty)
    }

    /// Image data that is not what the manifest says fails the change that needs it (here, to keep
    /// the replaced chunk in the object store, copied on the server), and image data the manifest
    /// lists but the store lacks fails any change: nothing is published.
    @Test func imageDataNotAsTheManifestSaysFailsTheChangeAndNothingIsPublished() throws {
        let store = MemoryStore()
        try Self.publishFirst(store)
        let manifest = try store.get(StoreKey("manifest.json"))
        try store.set(StoreKey("images/img1/0/c/0/0"), Array("tampered".utf8))
        // Checked by the SHA-256 the store computes as it copies, or by reading the copy back.
        for writer in [store, QuirkyStore(store, computesChecksums: false)] as [any ConditionalStore] {
            #expect { try Self.change(to: "2", chunk: "chunk-b", in: writer) } throws: {
                ($0 as? PackageError)?.kind == .digestMismatch && "\($0)".contains("images/img1/0/c/0/0")
            }
            #expect(try Self.transactionKeys(store).isEmpty)
        }
        try store.delete(StoreKey("images/img1/0/c/9/9"))
        #expect { try Self.addSet(as: "2", in: store) } throws: {
            ($0 as? PackageError)?.kind == .missingObject && "\($0)".contains("images/img1/0/c/9/9")
        }
        #expect(try store.get(StoreKey("manifest.json")) == manifest)
        #expect(try Self.transactionKeys(store).isEmpty)
    }

    /// The chunk files of the image that ``replaceImage(in:)`` replaces: 16 of 64 KiB, no two alike.
    static let imageChunks: [String: [UInt8]] = Dictionary(uniqueKeysWithValues: (0..<16).map { index in
        var generator = SeededGenerator(seed: UInt64(index))
        return ("images/img2/0/c/\(index / 4)/\(index % 4)", generator.bytes(64 << 10))
    })

    /// Makes version "2" of the package ``publishFirst(_:)`` made with the image `img2` added, then
    /// version "3" with every chunk of `img2` replaced, and returns the calls that version "3" made
    /// to `store` (the replaced chunks must be kept in the object store: version "2" restores).
    static func replaceImage(in store: any ConditionalStore) throws -> [InterruptingStore.Call] {
        try publishFirst(store)
        _ = try StoreTransaction.change(in: store, work: try temporaryFolder() + "/work") { package in
            let transaction = try PackageTransaction(package: package)
            try transaction.stageCurrentContent()
            for (relative, bytes) in imageChunks {
                try writeFile("", "\(transaction.stagingRoot)/\(relative)")
                try Data(bytes).write(to: URL(fileURLWithPath: "\(transaction.stagingRoot)/\(relative)"))
            }
            return try transaction.commit(simpleRecord("2"))
        }
        let watched = InterruptingStore(store) { _, _, _ in }
        _ = try StoreTransaction.change(in: watched, work: try temporaryFolder() + "/work") { package in
            let transaction = try PackageTransaction(package: package)
            try transaction.stageCurrentContent()
            for relative in imageChunks.keys {
                try FileManager.default.removeItem(atPath: "\(transaction.stagingRoot)/\(relative)")
                try writeFile("replaced \(relative)", "\(transaction.stagingRoot)/\(relative)")
            }
            return try transaction.commit(simpleRecord("3"))
        }
        let package = try DatasetPackage.open(try PackageReader.reading(store))
        let old = try package.fileList(of: "2")
        for (relative, bytes) in imageChunks { #expect(try package.contents(of: relative, in: old) == bytes) }
        #expect(try Self.view(store).files["images/img2/0/c/0/0"] == Array("replaced images/img2/0/c/0/0".utf8))
        let calls = watched.calls
        // The replaced chunks stay in the store: neither downloaded nor uploaded, copied there.
        #expect(!calls.contains { $0.operation.hasPrefix("get") && imageChunks[$0.key] != nil }, "replaced chunks were downloaded: \(Self.summary(calls))")
        let objects = Set(imageChunks.values.map { PackageLayout.object(SHA256Digest(of: $0)) })
        let staged = { (call: InterruptingStore.Call) in call.key.hasPrefix(".mifa-transaction/") && objects.contains(call.key.split(separator: "/").dropFirst(2).joined(separator: "/")) }
        #expect(calls.filter { $0.operation == "copy-sha256" && staged($0) }.count == imageChunks.count)
        #expect(!calls.contains { ($0.operation == "set" || $0.operation == "create") && staged($0) }, "replaced chunks were uploaded")
        return calls
    }

    /// A summary of `calls` for the benchmark: requests by kind and the bytes moved through this process.
    static func summary(_ calls: [InterruptingStore.Call]) -> String {
        let kinds = Dictionary(grouping: calls, by: \.operation).mapValues(\.count).sorted { $0.key < $1.key }
        let read = calls.filter { $0.operation.hasPrefix("get") }.map(\.bytes).reduce(0, +)
        let written = calls.filter { $0.operation == "set" || $0.operation == "create" }.map(\.bytes).reduce(0, +)
        return "\(calls.count) store calls (\(kinds.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), \(read) bytes read, \(written) bytes written"
    }

    /// Replacing an image of a package in object storage keeps its old chunks for the old version
    /// (`versions/objects/`), which the test measures: what the change reads and writes.
    @Test func replacingAnImageKeepsItsOldChunks() throws {
        let calls = try Self.replaceImage(in: MemoryStore())
        print("replacing one image (16 chunks of 64 KiB) in memory: \(Self.summary(calls))")
        #expect(calls.map(\.bytes).reduce(0, +) < 64 << 10, "a replaced chunk's bytes went through the writer: \(Self.summary(calls))")
        // A store that gives no SHA-256 of its copies: each copy is read back and hashed, never
        // the replaced chunk itself, and nothing is uploaded again.
        let checksumless = try Self.replaceImage(in: QuirkyStore(MemoryStore(), computesChecksums: false))
        let readBack = checksumless.filter { $0.operation == "get" && $0.key.hasPrefix(".mifa-transaction/") && $0.key.contains("/\(PackageLayout.objects)/") }
        #expect(readBack.count == Self.imageChunks.count && readBack.allSatisfy { $0.bytes == 64 << 10 })
    }

    /// An object a change keeps (the old content of a chunk it replaced) reads, through the
    /// package's reader, as its file before the change is published: the object is not in the
    /// store yet, its file still is.
    @Test func anObjectAChangeKeepsReadsAsItsFileBeforeItIsPublished() throws {
        let store = MemoryStore()
        try Self.publishFirst(store)
        let kept = try StoreTransaction.change(in: store, work: try temporaryFolder() + "/work") { package in
            let transaction = try PackageTransaction(package: package)
            try transaction.stageCurrentContent()
            try FileManager.default.removeItem(atPath: "\(transaction.stagingRoot)/images/img1/0/c/0/0")
            try writeFile("chunk-b", "\(transaction.stagingRoot)/images/img1/0/c/0/0")
            _ = try transaction.commit(simpleRecord("2"))
            #expect(try store.get(StoreKey(PackageLayout.object(SHA256Digest(of: Array("chunk-a".utf8))))) == nil)
            return try package.objects.read(SHA256Digest(of: Array("chunk-a".utf8)))
        }
        #expect(kept == Array("chunk-a".utf8))
        #expect(try store.get(StoreKey(PackageLayout.object(SHA256Digest(of: Array("chunk-a".utf8))))) == Array("chunk-a".utf8))
    }

    /// The same on S3 (moto): every store call is one request here (values under the multipart
    /// threshold, copies of known sizes, listings of one page).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIFA_TEST_S3_ENDPOINT"] != nil, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func replacingAnImageOnS3KeepsItsOldChunks() throws {
        let calls = try Self.replaceImage(in: try Self.s3Store())
        print("replacing one image (16 chunks of 64 KiB) on S3: \(Self.summary(calls))")
    }

    /// On S3, a replaced file over the copy part size (S3: 5 GiB; 5 MiB here) is copied in parts,
    /// whose checksum S3 gives as one of the parts', not the file's: the staged copy is read back
    /// and hashed instead (the file itself is never downloaded), and a file that is not what the
    /// manifest says still refuses the change, nothing committed.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIFA_TEST_S3_ENDPOINT"] != nil, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func aReplacedFileCopiedInPartsIsCheckedByReadingTheCopyBack() throws {
        var generator = SeededGenerator(seed: 17)
        let chunk = generator.bytes((5 << 20) + 1)
        let key = "images/img1/0/c/0/0"
        var stores: [S3Store] = []
        for _ in 0..<2 {
            let store = S3Store(configuration: try Self.s3Store().configuration, copyPartSize: 5 << 20)
            try Self.publishChunk(chunk, to: store)
            stores.append(store)
        }
        let watched = InterruptingStore(stores[0]) { _, _, _ in }
        try Self.change(to: "2", chunk: "chunk-b", in: watched)
        let object = PackageLayout.object(SHA256Digest(of: chunk))
        #expect(!watched.reads.contains(key), "the replaced file was downloaded")
        #expect(watched.calls.contains { $0.operation == "get" && $0.key.hasSuffix("/\(object)") && $0.bytes == chunk.count }, "the copy was not read back")
        let package = try DatasetPackage.open(try PackageReader.reading(stores[0]))
        #expect(try package.contents(of: key, in: package.fileList(of: "1")) == chunk)
        // The same size, other bytes: the copy in parts is made, its check refuses it.
        var tampered = chunk
        tampered[5 << 20] ^= 1
        try stores[1].set(StoreKey(key), tampered)
        #expect { try Self.change(to: "2", chunk: "chunk-b", in: stores[1]) } throws: {
            ($0 as? PackageError)?.kind == .digestMismatch && "\($0)".contains(key)
        }
        #expect(try stores[1].list(prefix: ".mifa-transaction/").isEmpty)
        #expect(try DatasetPackage.open(try PackageReader.reading(stores[1])).manifest().version == "1")
    }

    /// Packs version "1" into `store`: mifa.json and one image chunk, `images/img1/0/c/0/0`, of `chunk`.
    static func publishChunk(_ chunk: [UInt8], to store: any ConditionalStore) throws {
        try StoreTransaction.create(in: store, work: try temporaryFolder() + "/work") { work in
            _ = try DatasetPackage.create(at: work, build: { staging in
                try writeFile("{\"study\": {}}\n", "\(staging)/mifa.json")
                try writeFile("", "\(staging)/images/img1/0/c/0/0")
                try Data(chunk).write(to: URL(fileURLWithPath: "\(staging)/images/img1/0/c/0/0"))
            }, makeRecord: simpleRecord("1", "first"))
        }
    }

    /// A store in a fresh prefix of the test server's bucket.
    static func s3Store(multipartThreshold: Int = 64 << 20, partSize: Int = 16 << 20) throws -> S3Store {
        let configuration = try S3Configuration(bucket: "mifa-test", prefix: UUID().uuidString.lowercased(), endpoint: ProcessInfo.processInfo.environment["MIFA_TEST_S3_ENDPOINT"],
                                                credentials: S3Credentials(accessKeyID: "testing", secretAccessKey: "testing"))
        return S3Store(configuration: configuration, multipartThreshold: multipartThreshold, partSize: partSize)
    }

    /// On S3 with a small multipart threshold, a staged file over it goes up in parts read from
    /// disk (never read whole first) and the package reads back byte for byte.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIFA_TEST_S3_ENDPOINT"] != nil, "no S3 server: set MIFA_TEST_S3_ENDPOINT (make unit-test starts moto)"))
    func largeFilesArePublishedToS3InParts() throws {
        let store = try Self.s3Store(multipartThreshold: 1 << 20, partSize: 5 << 20)
        // Three parts; no two 8-byte words alike, so a part out of place shows.
        let chunk = (0..<((10 << 20) + 99)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 11 ^ $0 >> 3) }
        try Self.publishChunk(chunk, to: store)
        #expect(try Self.view(store).files["images/img1/0/c/0/0"] == chunk)
    }

    @Test func exportCreatesOneObjectAndNeverReplacesIt() throws {
        let folder = try temporaryFolder()
        let package = try makeSamplePackage(in: folder)
        let target = MemoryStore()
        let exporter = PackageExporter(package: package)
        let summary = try exporter.export(.zip, to: target, key: StoreKey("pkg.zip"), work: folder + "/one.zip")
        let zip = try #require(try target.get(StoreKey("pkg.zip")))
        #expect(summary.output == "memory/pkg.zip")
        #expect(try PackageFileSystem.read(folder + "/one.zip") == zip)
        #expect { try exporter.export(.zip, to: target, key: StoreKey("pkg.zip"), work: folder + "/two.zip") } throws: {
            ($0 as? PackageError)?.kind == .alreadyExists
        }
        #expect(try target.get(StoreKey("pkg.zip")) == zip)
    }
}
