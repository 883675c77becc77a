import CPrefetch
import Foundation
import MIFACore
import Synchronization

/// Gives memory that the C allocator keeps after frees back to the system when the process holds
/// more than the loader's own bytes and a slack: decoded chunks evicted from the cache are freed
/// on one thread and their sizes reallocated on another, and glibc's per-thread arenas otherwise
/// keep the holes, so that the process grew 10–30% beyond the loader's counted bytes (measured on
/// the loader benchmark). The check runs every ``interval`` assembled batches and reads the
/// process's resident anonymous memory (`/proc/self/statm`); a trim is made only when that grew,
/// since the loader was made, by more than the bytes the loader holds plus ``slack``. A trim gives
/// back every free page, which the next allocations fault in again (zeroed by the kernel): trimming
/// on every check cost the loader benchmark 4–10% of its CPU time. Where the file cannot be read,
/// every check trims. With a C library other than glibc it does nothing, and the budget's headroom
/// (``BatchLoader/allocatorShare``) covers the difference.
///
/// The only place the loader calls the C allocator directly.
final class AllocatorTrim: Sendable {
    /// Batches between two checks.
    let interval: Int
    /// Growth of the process beyond the loader's own bytes that is let be.
    let slack: Int
    /// Resident anonymous bytes when the loader was made, if they can be read.
    private let baseline: Int?
    private let assembled = Atomic<Int>(0)
    /// What a trim does (the C allocator's trim; tests count the calls).
    private let trim: @Sendable () -> Void
    /// How the process's memory is read (``residentAnonymousBytes()``; tests give their own figures,
    /// since the process's are moved by every test running beside them).
    private let resident: @Sendable () -> Int?

    /// A check every `interval` batches, trimming beyond `slack` bytes of growth.
    init(interval: Int = 4, slack: Int, trim: @escaping @Sendable () -> Void = { _ = mifa_release_free_memory() },
         resident: @escaping @Sendable () -> Int? = { AllocatorTrim.residentAnonymousBytes() }) {
        self.interval = max(interval, 1)
        self.slack = slack
        self.trim = trim
        self.resident = resident
        baseline = resident()
    }

    /// Counts one assembled batch; every ``interval``-th call checks the process's memory against
    /// `held`, the bytes the loader holds now, and trims if need be, on the calling (worker) thread.
    func batchAssembled(held: Int) {
        let count = assembled.add(1, ordering: .relaxed).newValue
        guard count % interval == 0 else { return }
        if let baseline, let resident = resident(), resident - baseline <= held + slack { return }
        trim()
    }

    /// The process's resident anonymous memory: resident less shared (file-backed) pages of
    /// `/proc/self/statm`; `nil` where it cannot be read.
    static func residentAnonymousBytes() -> Int? {
        guard let (fd, _) = try? RegularFile.openForReading("/proc/self/statm", followingLinks: true) else { return nil }
        defer { close(fd) }
        var text = [UInt8](repeating: 0, count: 160)
        let count = text.withUnsafeMutableBytes { RegularFile.read(fd, into: $0, at: 0) }
        guard count > 0 else { return nil }
        let fields = text[..<count].split(separator: UInt8(ascii: " ")).prefix(3).compactMap { Int(String(decoding: $0, as: UTF8.self)) }
        guard fields.count == 3, fields[1] >= fields[2] else { return nil }
        return (fields[1] - fields[2]) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
