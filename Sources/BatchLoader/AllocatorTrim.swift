import CPrefetch
import Synchronization

/// Gives memory that the C allocator keeps after frees back to the system, every
/// ``interval`` assembled batches: decoded chunks evicted from the cache are freed on one thread
/// and their sizes reallocated on another, and glibc's per-thread arenas otherwise keep the holes,
/// so that the process grew 10–30% beyond the loader's counted bytes (measured on the loader
/// benchmark; with a trim every 4 batches, about 3%). With a C library other than glibc it does
/// nothing, and the budget's headroom (``BatchLoader/allocatorShare``) covers the difference.
///
/// The only place the loader calls the C allocator directly.
final class AllocatorTrim: Sendable {
    /// Batches between two trims.
    let interval: Int
    private let assembled = Atomic<Int>(0)

    /// A trim every `interval` batches.
    init(interval: Int = 4) {
        self.interval = max(interval, 1)
    }

    /// Counts one assembled batch; every ``interval``-th call trims, on the calling (worker) thread.
    func batchAssembled() {
        let count = assembled.add(1, ordering: .relaxed).newValue
        guard count % interval == 0 else { return }
        _ = mifa_release_free_memory()
    }
}
