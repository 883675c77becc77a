import Dispatch
import Foundation
import Synchronization

/// Runs independent tasks on a bounded number of threads: the caller's concurrency budget.
///
/// `DispatchQueue.concurrentPerform` starts `min(budget, count)` workers; each takes the next task
/// index from an atomic counter, so uneven tasks balance out. Each worker owns a scratch buffer that
/// it reuses from task to task. The first error stops the other workers after their current task
/// and is rethrown.
enum Parallel {
    /// The default budget: the machine's active processor count.
    static var defaultConcurrency: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Calls `body(i, &scratch)` for every `i` in `0..<count`, at most `concurrency` at a time.
    /// - Throws: the first error a task throws.
    static func forEach(_ count: Int, concurrency: Int?, _ body: @Sendable (Int, inout [UInt8]) throws -> Void) throws {
        guard count > 0 else { return }
        let workers = Swift.min(Swift.max(concurrency ?? defaultConcurrency, 1), count)
        if workers == 1 {
            var scratch: [UInt8] = []
            for i in 0..<count { try body(i, &scratch) }
            return
        }
        let state = State()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var scratch: [UInt8] = []
            while !state.failed.load(ordering: .relaxed) {
                let i = state.next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < count else { return }
                do {
                    try body(i, &scratch)
                } catch {
                    state.failed.store(true, ordering: .relaxed)
                    state.error.withLock { if $0 == nil { $0 = error } }
                    return
                }
            }
        }
        if let error = state.error.withLock({ $0 }) { throw error }
    }

    /// Grows a worker's scratch buffer to at least `count` bytes without a zero-filling pass: its
    /// users decode or copy into every byte they later read.
    static func reserve(_ scratch: inout [UInt8], _ count: Int) {
        guard scratch.count < count else { return }
        scratch = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// The workers' shared counter and first error.
    private final class State: Sendable {
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let error = LockedState<(any Error)?>(nil)
    }
}

/// Results filled in by parallel tasks, one slot per task.
final class Slots<Value: Sendable>: Sendable {
    private let values: LockedState<[Value?]>

    init(count: Int) {
        values = LockedState([Value?](repeating: nil, count: count))
    }

    subscript(index: Int) -> Value? {
        get { values.withLock { $0[index] } }
        set { values.withLock { $0[index] = newValue } }
    }

    var all: [Value?] { values.withLock { $0 } }
}

/// A destination buffer that parallel tasks write into.
///
/// Safety: every task writes only the elements of its own chunk's box, and the boxes of different
/// chunks never overlap (chunks tile the array), so no byte is written by two threads. The buffer
/// outlives the tasks: it is created inside `withUnsafeMutableBytes` around the whole parallel run.
struct SharedBuffer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer?
    let count: Int

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        count = buffer.count
    }
}

/// A source buffer read by parallel tasks; nobody writes it while they run.
struct SharedSource: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let count: Int

    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress
        count = buffer.count
    }
}
