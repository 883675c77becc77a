import Foundation
import MIFACore
public import Zarr

/// The commit protocol of a package in object storage (an `s3://bucket/prefix`): the protocol of
/// ``PackageTransaction`` mapped onto objects, with S3's conditional writes in place of the lock.
///
/// A new version is made in a local folder first (``create(in:work:build:)``,
/// ``change(in:work:_:)``: a partial copy, whose image data and object store stay in the store,
/// see `CarriedFiles`), then published:
/// 0. the store must refuse a conditional write over an existing object (a small staged object
///    is created twice); one that does not (rclone's `serve s3`) is refused before any upload;
/// 1. every new or changed file is uploaded under `.mifa-transaction/<transaction>/<path>`; an
///    object keeping the old content of a file left in the store that the change replaces or
///    removes is copied there from that file on the server, checked against its digest (see
///    `CarriedFiles`): a mismatch fails the change here, nothing committed;
/// 2. the commit point: `.mifa-transaction/COMMIT` (a commit plan: the files to move and to
///    remove, the `manifest.json` the change was made on and the one it writes) is created only if
///    there is none (`If-None-Match: *`); of two writers, exactly one creates it. The winner then
///    checks that `manifest.json` is still the one it started from; if not (another writer
///    finished in between), it withdraws its COMMIT (`If-Match`) and fails;
/// 3. each staged object is copied (server side) to its place, removed files are deleted, and
///    `manifest.json` is copied last;
/// 4. the staged objects are deleted, then COMMIT (`If-Match`, so never another writer's).
///
/// What a reader trusts (``PackageReader/open(_:http:)``): with no COMMIT, `manifest.json` and the
/// files it names. With a COMMIT whose base manifest is the current `manifest.json`, the committed
/// version: its moved files from their staged copies (or their place, once the copy is done and the
/// staged copy deleted), its removed files absent. A COMMIT whose written manifest is current is
/// applied; one matching neither is stale and ignored. Readers never write; the next writer
/// finishes a committed change (every step can be repeated, by anyone) or withdraws a stale one
/// before its own. A writer killed before step 2 leaves the old version and staged objects nobody
/// reads (removed by a later writer once older than ``abandonedAfterSeconds``); after it, the new version.
public enum StoreTransaction {
    /// The key of the commit marker.
    static let commitKey = "\(PackageLayout.transaction)/COMMIT"

    /// Staged objects of a transaction without COMMIT are removed by later writers once this old.
    public static let abandonedAfterSeconds = 3600

    /// Makes a new package in `store` (which must hold no package files): `build` makes the
    /// package in the local folder `work` it is given (with ``PackageIngest`` or
    /// ``DatasetPackage/create(at:scanner:build:makeRecord:)``; `work` must not exist, and the
    /// caller removes it afterwards), then it is published.
    /// - Throws: ``PackageError`` `.alreadyExists` when `store` holds files outside
    ///   `.mifa-transaction/`, `.locked` when another writer published first, what `build` throws, `.io`.
    public static func create(in store: any ConditionalStore, work: String, build: (String) throws -> Void) throws {
        try recover(store)
        let existing = try listPackageFiles(store)
        guard existing.isEmpty else {
            throw PackageError(.alreadyExists, "\(store.location) already holds \(existing.count) objects (\(existing.prefix(3).joined(separator: ", "))); `mifa pack` makes a new package in an empty prefix (use `mifa version` to change one)",
                               context: ErrorContext(file: store.location))
        }
        try build(work)
        try publish(folder: work, to: store, base: nil, remoteFiles: [], carried: CarriedFiles(entries: [:], store: store))
    }

    /// Changes the package in `store`: a partial copy of it is made in `work` (a local folder that
    /// must not exist; the caller removes it), `change` makes the new version there as in any
    /// folder, and what differs is published.
    ///
    /// The copy holds the package's metadata, records and annotations (label images included),
    /// each checked against the manifest; image data and the object store's copies are left in
    /// the store (`CarriedFiles`): those the change does not remove or replace are carried into
    /// the new version with their manifest entries, neither downloaded nor uploaded; one the change
    /// reads (through the package's ``PackageReader``, as the package layer does) is fetched then,
    /// checked against its digest; one it replaces or removes is kept in the object store by a
    /// copy on the server, checked against its digest by the SHA-256 the store computes as it
    /// copies (S3: `CopyObject` with `x-amz-checksum-algorithm: SHA256`), or, where the store
    /// gives none (an object over 5 GiB, copied in parts; a server that computes no checksums),
    /// by reading the copy back.
    /// - Returns: what `change` returns.
    /// - Throws: ``PackageError`` `.notAPackage`, `.digestMismatch` for a file that is not what
    ///   the manifest says, `.missingObject` for image data the manifest lists and the store lacks,
    ///   `.locked` when another writer published first (nothing is changed), what `change`
    ///   throws, `.io`.
    public static func change<T>(in store: any ConditionalStore, work: String, _ change: (DatasetPackage) throws -> T) throws -> T {
        try recover(store)
        guard let manifestBytes = try read(store, PackageLayout.manifest) else {
            throw PackageError(.notAPackage, "\(store.location) holds no package (no \(PackageLayout.manifest))", context: ErrorContext(file: store.location))
        }
        let manifest = try Manifest.decode(manifestBytes, file: PackageLayout.manifest)
        let files = try listPackageFiles(store)
        let listed = Set(files)
        if let missing = manifest.fileList.paths.first(where: { CarriedFiles.isLeftInStore($0) && !listed.contains($0) }) {
            throw PackageError(.missingObject, "'\(missing)' is listed in the manifest of \(store.location) but is not in the store: the package is damaged (`mifa audit` lists what is missing); nothing was changed",
                               context: ErrorContext(file: missing))
        }
        try PackageFileSystem.createDirectories(work)
        for relative in files { try PackageLayout.checkRelativePath(relative) }
        for folder in Set(files.map { FileSystem.parent(of: "\(work)/\($0)") }).sorted() { try PackageFileSystem.createDirectories(folder) }
        let left = files.filter(CarriedFiles.isLeftInStore)
        for relative in left { try PackageFileSystem.makePlaceholder("\(work)/\(relative)") }
        try eachConcurrently(files.filter { !CarriedFiles.isLeftInStore($0) }) { relative in
            let bytes: [UInt8]? = relative == PackageLayout.manifest ? manifestBytes : try read(store, relative)
            guard let bytes else { return }  // deleted since the listing: the manifest check below tells
            if let entry = manifest.files[relative], SHA256Digest(of: bytes) != entry.sha256 {
                throw PackageError(.digestMismatch, "'\(relative)' in \(store.location) is not the file the manifest lists (another writer may be at work); nothing was changed",
                                   context: ErrorContext(file: relative))
            }
            try write(bytes, to: "\(work)/\(relative)")
        }
        let carried = CarriedFiles(entries: manifest.files.filter { CarriedFiles.isLeftInStore($0.key) }, store: store)
        let result: T
        do {
            result = try change(try DatasetPackage.open(PackageReader(folder: work, carried: carried)))
        } catch {
            throw explained(error, work: work, store: store)
        }
        try publish(folder: work, to: store, base: SHA256Digest(of: manifestBytes), remoteFiles: listed, carried: carried)
        return result
    }

    /// `error`, or, when it comes from opening a file left in `store` other than through the
    /// package's reader (a placeholder, see ``CarriedFiles``, whose own error, a link that loops,
    /// says nothing of why), an error saying so.
    private static func explained(_ error: any Error, work: String, store: any ZarrStore) -> any Error {
        var next: (any Error)? = error
        while let current = next as? any MIFAError {
            if let file = current.context.file, PackageFileSystem.isPlaceholder(file) {
                var relative = file
                for root in [work, FileSystem.canonicalPath(work) ?? work] where relative.hasPrefix(root + "/") { relative.removeFirst(root.count + 1) }
                if relative.hasPrefix("\(PackageLayout.transaction)/tree/") { relative.removeFirst(PackageLayout.transaction.count + 6) }
                return PackageError(
                    .io,
                    "the change opened '\(relative)' directly, but it was left in \(store.location): a change of a package in object storage downloads its metadata, records and annotations, and fetches other files when it reads them through the package's reader. Nothing was changed; this is a bug of the command, please report it",
                    context: ErrorContext(file: relative), underlying: error)
            }
            next = current.underlying
        }
        return error
    }

    /// Publishes the package folder `folder` to `store` over the package whose `manifest.json`
    /// bytes have the digest `base` (`nil`: no package) and whose files are `remoteFiles`. A
    /// placeholder in `folder` (see ``CarriedFiles``) stands for the file left in `store`,
    /// unchanged, or, where `store` has no such file, for an object keeping one of `carried`
    /// (copied there on the server, see ``CarriedFiles/stageKept(_:at:)``).
    /// - Throws: ``PackageError`` `.locked` when another writer committed first, `.digestMismatch`
    ///   when a file an object keeps is not what the manifest lists (nothing is committed), `.io`.
    static func publish(folder: String, to store: any ConditionalStore, base: SHA256Digest?, remoteFiles: Set<String>, carried: CarriedFiles) throws {
        let manifestBytes = try PackageFileSystem.read("\(folder)/\(PackageLayout.manifest)")
        let manifest = try Manifest.decode(manifestBytes, file: PackageLayout.manifest)
        let baseFiles: [String: ManifestEntry] = try base == nil ? [:] : Manifest.decode(read(store, PackageLayout.manifest) ?? [], file: PackageLayout.manifest).files
        let local = try PackageFileSystem.walk(folder).filter { entry in
            !isProtocolFile(entry.path) && (entry.kind == .file || entry.kind == .symbolicLink && PackageFileSystem.isPlaceholder("\(folder)/\(entry.path)"))
        }.map(\.path)
        // New and changed content, new records and objects (they are immutable), and the manifest.
        let uploads = local.filter { relative in
            if relative == PackageLayout.manifest { return false }
            if PackageLayout.isContent(relative) { return baseFiles[relative] != manifest.files[relative] || !remoteFiles.contains(relative) }
            return !remoteFiles.contains(relative)
        }.sorted() + [PackageLayout.manifest]
        let removals = remoteFiles.subtracting(local).sorted()
        let transaction = "\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.lowercased())"
        try checkConditionalWrites(store, transaction: transaction)
        // An object keeping a file left in the store (a placeholder that stands for no file there)
        // is copied from that file there, never downloaded; its size is the file's.
        let keptSizes = LockedState<[String: Int]>([:])
        do {
            try eachConcurrently(uploads) { relative in
                let key = try stagingKey(transaction, relative)
                // A file is read as the store sends it (in parts, for a large one): never whole into memory first.
                try storeCall(relative) {
                    if relative == PackageLayout.manifest {
                        try store.set(key, manifestBytes)
                    } else if PackageFileSystem.isPlaceholder("\(folder)/\(relative)") {
                        let size = try carried.stageKept(relative, at: key)
                        keptSizes.withLock { $0[relative] = size }
                    } else {
                        try store.set(key, contentsOf: "\(folder)/\(relative)")
                    }
                }
            }
        } catch {
            // Nothing is committed; the staged objects go now (if this fails too, a later writer
            // removes them as abandoned: the error that stopped the change is the one to report).
            try? discardStaging(store, transaction)
            throw error
        }
        let plan = CommitPlan(version: manifest.version, fileListSHA256: try manifest.fileList.digest(), recordSHA256: manifest.versionRecordSHA256,
                              moves: uploads, removals: removals, transaction: transaction, baseManifestSHA256: base,
                              manifestSHA256: SHA256Digest(of: manifestBytes))
        let planBytes = try CanonicalJSON.encode(plan)
        var tag = try storeCall(commitKey) { try store.create(try PackageReader.key(commitKey), planBytes) }
        if tag == nil, let found = try storeCall(commitKey, { try store.getTagged(try PackageReader.key(commitKey)) }), found.bytes == planBytes {
            tag = found.tag  // a retried request created it
        }
        guard let tag else {
            try discardStaging(store, transaction)
            let other = (try? read(store, commitKey)).flatMap { $0 }.flatMap { try? PackageJSON.decode(CommitPlan.self, from: $0, file: commitKey).version }
            throw PackageError(.locked, "another writer is committing version '\(other ?? "?")' to \(store.location); nothing was changed (run again to make your change on top of it)",
                               context: ErrorContext(file: store.location))
        }
        let current = try read(store, PackageLayout.manifest).map { SHA256Digest(of: $0) }
        guard current == base else {
            _ = try storeCall(commitKey) { try store.delete(try PackageReader.key(commitKey), ifTag: tag) }
            try discardStaging(store, transaction)
            let now = (try? read(store, PackageLayout.manifest)).flatMap { $0 }.flatMap { try? Manifest.decode($0, file: PackageLayout.manifest).version }
            throw PackageError(.locked, "\(store.location) changed while this version was made (another writer published version '\(now ?? "none")'); nothing was changed (run again to make your change on top of it)",
                               context: ErrorContext(file: store.location))
        }
        // The sizes of what was staged: the copies need not ask for them (S3: no HEAD per file).
        var sizes = keptSizes.withLock { $0 }
        sizes[PackageLayout.manifest] = manifestBytes.count
        for relative in uploads where sizes[relative] == nil {
            sizes[relative] = try PackageFileSystem.size(of: "\(folder)/\(relative)")
        }
        try apply(plan, tag: tag, to: store, sizes: sizes)
    }

    /// Finishes a committed change found in `store`, withdraws a stale COMMIT, and deletes staged
    /// objects of transactions abandoned more than ``abandonedAfterSeconds`` ago.
    /// - Throws: ``PackageError`` `.malformed` for a COMMIT that cannot be read, `.io`.
    public static func recover(_ store: any ConditionalStore) throws {
        let key = try PackageReader.key(commitKey)
        var live: String?
        if let found = try storeCall(commitKey, { try store.getTagged(key) }) {
            let (bytes, tag) = found
            let plan = try PackageJSON.decode(CommitPlan.self, from: bytes, file: "\(store.location)/\(commitKey)")
            live = plan.transaction
            switch try state(of: plan, in: store) {
            case .committed, .applied: try apply(plan, tag: tag, to: store)
            case .stale:
                if try storeCall(commitKey, { try store.delete(key, ifTag: tag) }), let transaction = plan.transaction { try discardStaging(store, transaction) }
            }
        }
        let staged = try storeCall(PackageLayout.transaction) { try store.list(prefix: PackageLayout.transaction + "/") }
        let now = Int(Date().timeIntervalSince1970)
        let abandoned = Set(staged.compactMap { key -> String? in
            let parts = key.value.split(separator: "/")
            guard parts.count > 2, let started = Int(parts[1].prefix { $0 != "-" }), String(parts[1]) != live,
                  now - started > abandonedAfterSeconds else { return nil }
            return String(parts[1])
        })
        for transaction in abandoned.sorted() { try discardStaging(store, transaction) }
    }

    /// Where a plan stands against the package's current `manifest.json`.
    enum State { case committed, applied, stale }

    /// Whether `plan` is committed (its base manifest is current), applied (its own is), or stale.
    static func state(of plan: CommitPlan, in store: any ZarrStore) throws -> State {
        let current = try read(store, PackageLayout.manifest).map { SHA256Digest(of: $0) }
        if current == plan.baseManifestSHA256 { return .committed }
        if current != nil, current == plan.manifestSHA256 { return .applied }
        return .stale
    }

    /// Steps 3 and 4: copies the staged objects into place (the manifest last), deletes the
    /// removed files, the staged objects and the COMMIT. Repeatable, by any process; the writer
    /// that staged the files gives their `sizes` (package-relative path: bytes).
    static func apply(_ plan: CommitPlan, tag: String, to store: any ConditionalStore, sizes: [String: Int] = [:]) throws {
        guard let transaction = plan.transaction else {
            throw PackageError(.malformed, "\(store.location)/\(commitKey) names no transaction; it was not written by `mifa` over object storage", context: ErrorContext(file: commitKey))
        }
        for relative in plan.moves + plan.removals { try PackageLayout.checkRelativePath(relative) }
        try eachConcurrently(plan.moves.filter { $0 != PackageLayout.manifest }) { relative in
            _ = try storeCall(relative) { try store.copy(stagingKey(transaction, relative), to: try PackageReader.key(relative), size: sizes[relative]) }
        }
        try eachConcurrently(plan.removals) { relative in
            try storeCall(relative) { try store.delete(try PackageReader.key(relative)) }
        }
        _ = try storeCall(PackageLayout.manifest) {
            try store.copy(stagingKey(transaction, PackageLayout.manifest), to: try PackageReader.key(PackageLayout.manifest), size: sizes[PackageLayout.manifest])
        }
        try discardStaging(store, transaction)
        _ = try storeCall(commitKey) { try store.delete(try PackageReader.key(commitKey), ifTag: tag) }
    }

    /// The overlay a reader sees for a committed change in `store`, or `nil` when there is none to
    /// see (no COMMIT, or an applied or stale one).
    /// - Throws: ``PackageError`` `.malformed` for a COMMIT that cannot be read, `.io`.
    static func committedPlan(in store: any ZarrStore) throws -> CommitPlan? {
        guard let bytes = try read(store, commitKey) else { return nil }
        let plan = try PackageJSON.decode(CommitPlan.self, from: bytes, file: "\(store.location)/\(commitKey)")
        guard plan.transaction != nil, try state(of: plan, in: store) == .committed else { return nil }
        return plan
    }

    /// The staged object that ``checkConditionalWrites(_:transaction:)`` writes.
    static let conditionalWriteProbe = "conditional-write-check"

    /// Refuses a store that ignores conditional writes, before anything is uploaded: the commit
    /// point (step 2) relies on them, so that of two writers exactly one creates COMMIT. A small
    /// object is staged, then created again with `If-None-Match: *`, which a store that honours the
    /// condition refuses (S3: `412`); one that writes it anyway (rclone's `serve s3` 1.75 does)
    /// would let two writers both commit, the later one's version silently replacing the other's.
    /// Two small requests per publish; the object goes with the transaction's staged objects (a
    /// writer killed here leaves it to be removed as abandoned).
    /// - Throws: ``PackageError`` `.io` naming the store, after removing the object.
    private static func checkConditionalWrites(_ store: any ConditionalStore, transaction: String) throws {
        let key = try stagingKey(transaction, conditionalWriteProbe)
        let bytes = Array("MIFAKit checks that this store refuses a conditional write over an existing object\n".utf8)
        try storeCall(key.value) { try store.set(key, bytes) }
        guard try storeCall(key.value, { try store.create(key, bytes) }) != nil else { return }
        try discardStaging(store, transaction)
        throw PackageError(.io, "\(store.location) does not honour conditional writes: an object written with If-None-Match: * over one that exists was stored instead of refused (412 Precondition Failed). MIFAKit's commit protocol needs them so that of two writers exactly one publishes; nothing was changed. Write the package to a service that supports conditional writes (AWS S3, MinIO, Ceph RGW, moto), or to a folder",
                           context: ErrorContext(file: store.location))
    }

    /// The key of a staged file.
    static func stagingKey(_ transaction: String, _ relative: String) throws -> StoreKey {
        try PackageReader.key("\(PackageLayout.transaction)/\(transaction)/\(relative)")
    }

    /// Whether a package-relative path belongs to the protocols (the transaction area, a folder's lock).
    static func isProtocolFile(_ relative: String) -> Bool {
        relative.hasPrefix(PackageLayout.transaction + "/") || relative == DatasetPackage.lockName
    }

    /// Every file of the package in `store` outside the transaction area.
    private static func listPackageFiles(_ store: any ZarrStore) throws -> [String] {
        try storeCall("") { try store.list(prefix: "") }.map(\.value).filter { !isProtocolFile($0) }
    }

    /// Deletes the staged objects of `transaction`.
    private static func discardStaging(_ store: any ConditionalStore, _ transaction: String) throws {
        let prefix = "\(PackageLayout.transaction)/\(transaction)/"
        let keys = try storeCall(prefix) { try store.list(prefix: prefix) }
        try eachConcurrently(keys) { key in try storeCall(key.value) { try store.delete(key) } }
    }

    /// Calls `body` for every item, ``PackageReader/requestsInFlight`` at a time (the order in which they run is
    /// not defined; each step of the protocol waits for all of its requests before the next).
    /// - Throws: the first error `body` throws (the rest are not started).
    private static func eachConcurrently<Item: Sendable>(_ items: [Item], _ body: @escaping @Sendable (Item) throws -> Void) throws {
        try Parallel.forEachWaiting(items.count, concurrency: PackageReader.requestsInFlight) { try body(items[$0]) }
    }

    /// The value of a package file in `store`, or `nil`.
    private static func read(_ store: any ZarrStore, _ relative: String) throws -> [UInt8]? {
        try storeCall(relative) { try store.get(try PackageReader.key(relative)) }
    }

    /// Runs a store call, translating its error into a ``PackageError`` naming the file.
    @discardableResult
    private static func storeCall<T>(_ relative: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ZarrError {
            throw PackageError(.io, error.message, context: ErrorContext(file: relative), underlying: error)
        }
    }
}
