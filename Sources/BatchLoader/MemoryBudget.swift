import Foundation
import Synchronization

/// One byte budget for everything the loader holds: decoded chunks (in the cache or in flight)
/// and batch buffers (filling, prefetched, pooled or with the consumer). Producers wait when the
/// budget is spent; nothing is allocated beyond it.
///
/// Thread safety: `used` and `peak` are guarded by `condition` (an `NSCondition`), which is also
/// what waiting producers sleep on; waits are bounded (10 ms) so reclaiming memory from the cache
/// never depends on a wake-up. Hence `@unchecked Sendable`.
final class MemoryBudget: @unchecked Sendable {
    /// The most bytes held at once.
    let limit: Int
    private let condition = NSCondition()
    private var used = 0
    private var peakUsed = 0
    private var waited: Double = 0

    /// A budget of `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` if they fit now.
    func tryAcquire(_ bytes: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard used + bytes <= limit else { return false }
        used += bytes
        peakUsed = max(peakUsed, used)
        return true
    }

    /// Sleeps until something is released or signalled, or 10 ms pass; counts the time as waited.
    func waitBriefly() {
        let start = Date()
        condition.lock()
        _ = condition.wait(until: Date(timeIntervalSinceNow: 0.01))
        waited += Date().timeIntervalSince(start)
        condition.unlock()
    }

    /// Gives back `bytes` and wakes waiting producers.
    func release(_ bytes: Int) {
        condition.lock()
        used -= bytes
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes waiting producers (something became reusable without bytes changing hands).
    func signal() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// The bytes held now, the most held at once, and the seconds producers waited for memory.
    var snapshot: (used: Int, peak: Int, waited: Double) {
        condition.lock()
        defer { condition.unlock() }
        return (used, peakUsed, waited)
    }
}
