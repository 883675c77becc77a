import MIFACore
import Zarr

/// What a reader sees of a package in object storage while a committed change is being applied
/// (``StoreTransaction``): the files the change moves are read from their staged copies (or from
/// their place once the copy is done and the staged copy deleted), the files it removes are absent,
/// the others are read as they are. Read-only.
struct CommittedStore: ZarrStore {
    /// The package's store.
    let base: any ZarrStore
    /// The committed change.
    let plan: CommitPlan
    private let moves: Set<String>
    private let removals: Set<String>

    /// The view of `base` with `plan` applied.
    init(base: any ZarrStore, plan: CommitPlan) {
        self.base = base
        self.plan = plan
        moves = Set(plan.moves)
        removals = Set(plan.removals)
    }

    /// The package's location.
    var location: String { base.location }

    /// Always `false`: readers never write.
    var isWritable: Bool { false }

    /// Whether `base` ignores byte ranges.
    var rangesIgnored: Bool { base.rangesIgnored }

    /// The committed value of `key`.
    func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        if removals.contains(key.value) { return nil }
        if moves.contains(key.value), let transaction = plan.transaction,
           let staged = try base.get(try StoreKey("\(PackageLayout.transaction)/\(transaction)/\(key.value)"), range: range) {
            return staged
        }
        return try base.get(key, range: range)
    }

    /// Whether `key` has a committed value.
    func exists(_ key: StoreKey) throws -> Bool {
        if removals.contains(key.value) { return false }
        return try moves.contains(key.value) || base.exists(key)
    }

    /// Refused: the view is read-only.
    func set(_ key: StoreKey, _ bytes: [UInt8]) throws {
        throw ZarrError(.readOnly, "a package in object storage is read while another writer commits a change; it is read-only here", context: ErrorContext(file: location, key: key.value))
    }

    /// Refused: the view is read-only.
    func delete(_ key: StoreKey) throws { try set(key, []) }

    /// The committed keys under `prefix`.
    func list(prefix: String) throws -> [StoreKey] {
        var keys = Set(try base.list(prefix: prefix).filter { !removals.contains($0.value) })
        for relative in moves where relative.hasPrefix(prefix) { keys.insert(try StoreKey(relative)) }
        return keys.sorted()
    }
}
