import MIFACore
import Dispatch
import Foundation
import Synchronization

/// Runs independent tasks on a bounded number of threads: the caller's concurrency budget.
///
/// The calling thread works through the tasks itself, taking the next task index from an atomic
/// counter; up to `budget - 1` helpers on the global dispatch queue take indices from the same
/// counter as soon as they start, so uneven tasks balance out. The caller then waits only for tasks
/// a helper has already taken, never for a helper that has not started yet: on a busy machine,
/// where a woken thread may wait milliseconds for a core, a small read does not stall on it
/// (`DispatchQueue.concurrentPerform` waits for every worker it starts). Each thread owns a scratch
/// buffer that it reuses from task to task. After the first error the remaining tasks are skipped
/// and the error is rethrown.
///
/// With a `grain` above one, a thread takes that many consecutive indices at a time: the array
/// reads use it to give each thread whole rows of chunks, so that the output memory a thread
/// first touches (and the kernel zeroes for it) is the memory that thread fills.
enum Parallel {
    /// The default budget: the machine's active processor count.
    static var defaultConcurrency: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Calls `body(i, &scratch)` for every `i` in `0..<count`, at most `concurrency` at a time,
    /// each thread taking `grain` consecutive indices at once.
    /// - Throws: the first error a task throws.
    static func forEach(_ count: Int, grain: Int = 1, concurrency: Int?, _ body: @Sendable (Int, inout [UInt8]) throws -> Void) throws {
        guard count > 0 else { return }
        let grain = Swift.max(grain, 1)
        let workers = Swift.min(Swift.max(concurrency ?? defaultConcurrency, 1), (count + grain - 1) / grain)
        if workers == 1 {
            var scratch: [UInt8] = []
            for i in 0..<count { try body(i, &scratch) }
            return
        }
        let run = Run(count: count, grain: grain)
        withoutActuallyEscaping(body) { escapable in
            run.body = escapable
            for _ in 1..<workers {
                DispatchQueue.global().async { run.work() }
            }
            run.work()
            // Every index has been taken; wait until the last task taken finishes. Helpers that
            // start later find no index left and never touch `body`.
            run.done.wait()
            run.body = nil
        }
        if let error = run.error.withLock({ $0 }) { throw error }
    }

    /// Grows a worker's scratch buffer to at least `count` bytes without a zero-filling pass: its
    /// users decode or copy into every byte they later read.
    static func reserve(_ scratch: inout [UInt8], _ count: Int) {
        guard scratch.count < count else { return }
        scratch = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// The grain for `count` tasks laid out in rows of `rowLength` (chunks in C order, a row along
    /// the last axis): whole rows when there are at least two rows per thread, so the threads stay
    /// balanced, single tasks otherwise.
    static func rowGrain(count: Int, rowLength: Int, concurrency: Int?) -> Int {
        let workers = Swift.max(concurrency ?? defaultConcurrency, 1)
        guard rowLength > 1, count / rowLength >= 2 * workers else { return 1 }
        return rowLength
    }

    /// One parallel run: the task counter, the count of finished tasks, the first error.
    ///
    /// Safety (`@unchecked Sendable`): `body` is set before any helper is dispatched and cleared
    /// only after `done` has been signalled, which happens after every task that called it has
    /// returned; helpers read it only after taking a valid index.
    private final class Run: @unchecked Sendable {
        let count: Int
        let grain: Int
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let error = LockedState<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        var body: (@Sendable (Int, inout [UInt8]) throws -> Void)?

        init(count: Int, grain: Int) {
            self.count = count
            self.grain = grain
        }

        /// Runs task `i`; not inlined, so that the reference to `body` taken here is released
        /// before the task is counted as finished.
        @inline(never)
        private func call(_ i: Int, _ scratch: inout [UInt8]) throws {
            try body!(i, &scratch)
        }

        /// Takes and runs `grain` tasks at a time until none is left; whoever finishes the last one
        /// signals `done`.
        func work() {
            var scratch: [UInt8] = []
            while true {
                let first = next.wrappingAdd(grain, ordering: .relaxed).oldValue
                guard first < count else { return }
                let taken = first..<Swift.min(first + grain, count)
                for i in taken where !failed.load(ordering: .acquiring) {
                    do {
                        try call(i, &scratch)
                    } catch {
                        self.error.withLock { if $0 == nil { $0 = error } }
                        failed.store(true, ordering: .releasing)
                    }
                }
                if finished.wrappingAdd(taken.count, ordering: .acquiringAndReleasing).oldValue + taken.count == count {
                    done.signal()
                }
            }
        }
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
