import Dispatch
import Foundation
import Synchronization

/// Runs independent tasks on a bounded number of threads: the caller's concurrency budget.
///
/// The tasks are split into one contiguous segment per thread (at row boundaries when the caller
/// says the tasks come in rows, such as the chunks of a region in C order). Each thread takes the
/// tasks of its own segment one at a time from the front, so the output memory a thread first
/// touches (and the kernel zeroes for it) is the memory that thread fills; a thread whose segment
/// is empty takes tasks one at a time from the back of the segment with the most tasks left. The
/// calling thread is one of the threads; up to `budget - 1` helpers on the global dispatch queue
/// join as soon as they start. The caller then waits only for tasks a helper has already taken,
/// never for a helper that has not started yet: on a busy machine, where a woken thread may wait
/// milliseconds for a core, the caller takes the late helper's tasks itself
/// (`DispatchQueue.concurrentPerform` waits for every worker it starts). Each thread owns a scratch
/// buffer that it reuses from task to task. After the first error the remaining tasks are skipped
/// and the error is rethrown.
public enum Parallel {
    /// The default budget: the machine's active processor count, as the process found it when it
    /// first asked. Read once: on Linux, Foundation reads the cgroup's CPU quota and cpuset files
    /// on every call (four system calls each), which cost 5% of the CPU time of 1,000 small region
    /// reads that asked several times each.
    public static let defaultConcurrency = ProcessInfo.processInfo.activeProcessorCount

    /// Calls `body(i, &scratch)` for every `i` in `0..<count`, at most `concurrency` at a time;
    /// segments start at multiples of `rowLength` when there are at least as many rows as threads.
    /// Tasks that cannot fail make a call that cannot fail (`E` is `Never`).
    /// - Throws: the first error a task throws.
    public static func forEach<E: Error>(_ count: Int, rowLength: Int = 1, concurrency: Int?,
                                         _ body: @Sendable (Int, inout [UInt8]) throws(E) -> Void) throws(E) {
        guard count > 0 else { return }
        let workers = Swift.min(Swift.max(concurrency ?? defaultConcurrency, 1), count)
        if workers == 1 {
            var scratch: [UInt8] = []
            for i in 0..<count { try body(i, &scratch) }
            return
        }
        let run = Run<E>(segments: segments(count, rowLength: rowLength, workers: workers))
        withoutActuallyEscaping(body) { escapable in
            run.body = escapable
            for worker in 1..<workers {
                DispatchQueue.global().async { run.work(worker) }
            }
            run.work(0)
            // Every index has been taken; wait until the last task taken finishes. Helpers that
            // start later find no index left and never touch `body`.
            run.done.wait()
            run.body = nil
        }
        if let error = run.error.withLock({ $0 }) { throw error }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, at most `concurrency` at a time, for tasks
    /// that mostly wait (a network request each): every one of the `concurrency` lanes is a thread
    /// of its own, started for this call, so that waiting tasks overlap however many cores there
    /// are. (``forEach(_:rowLength:concurrency:_:)`` runs its helpers on the global dispatch
    /// queue, which on Linux runs about one thread per core: blocked tasks there do not overlap
    /// beyond the core count.) Tasks are taken in order; after the first error the remaining tasks
    /// are skipped and the error is rethrown. Tasks that cannot fail make a call that cannot fail.
    /// - Throws: the first error a task throws.
    public static func forEachWaiting<E: Error>(_ count: Int, concurrency: Int, _ body: @escaping @Sendable (Int) throws(E) -> Void) throws(E) {
        guard count > 0 else { return }
        let lanes = Swift.min(Swift.max(concurrency, 1), count)
        let next = Atomic<Int>(0)
        let failure = LockedState<E?>(nil)
        let done = DispatchSemaphore(value: 0)
        let lane: @Sendable (Bool) -> Void = { helper in
            while failure.withLock({ $0 == nil }) {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < count else { break }
                do throws(E) {
                    try body(i)
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
            }
            if helper { done.signal() }
        }
        for _ in 1..<lanes { Thread.detachNewThread { lane(true) } }
        lane(false)
        for _ in 1..<lanes { done.wait() }  // every helper has left its loop: `body` is no longer called
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// `0..<count` cut into `workers` contiguous, nearly equal segments, cut at multiples of
    /// `rowLength` when there are at least `workers` rows.
    public static func segments(_ count: Int, rowLength: Int, workers: Int) -> [Range<Int>] {
        let unit = rowLength > 1 && count / rowLength >= workers ? rowLength : 1
        let units = (count + unit - 1) / unit
        let (share, extra) = units.quotientAndRemainder(dividingBy: workers)
        let bounds = (0...workers).map { Swift.min(count, ($0 * share + Swift.min($0, extra)) * unit) }
        return (0..<workers).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// Grows a worker's scratch buffer to at least `count` bytes without a zero-filling pass: its
    /// users decode or copy into every byte they later read.
    public static func reserve(_ scratch: inout [UInt8], _ count: Int) {
        guard scratch.count < count else { return }
        scratch = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// One parallel run: the segments left, the count of finished tasks, the first error.
    ///
    /// Safety (`@unchecked Sendable`): `body` is set before any helper is dispatched and cleared
    /// only after `done` has been signalled, which happens after every task that called it has
    /// returned; helpers read it only after taking a valid index.
    private final class Run<E: Error>: @unchecked Sendable {
        let count: Int
        let segments: LockedState<[Range<Int>]>
        let finished = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let error = LockedState<E?>(nil)
        let done = DispatchSemaphore(value: 0)
        var body: (@Sendable (Int, inout [UInt8]) throws(E) -> Void)?

        init(segments: [Range<Int>]) {
            count = segments.last?.upperBound ?? 0
            self.segments = LockedState(segments)
        }

        /// The next task of `worker`: the front of its own segment, else the back of the fullest one.
        private func take(_ worker: Int) -> Int? {
            segments.withLock { segments in
                if let first = segments[worker].first {
                    segments[worker] = (first + 1)..<segments[worker].upperBound
                    return first
                }
                guard let fullest = segments.indices.max(by: { segments[$0].count < segments[$1].count }),
                      let last = segments[fullest].last else { return nil }
                segments[fullest] = segments[fullest].lowerBound..<last
                return last
            }
        }

        /// Runs task `i`; not inlined, so that the reference to `body` taken here is released
        /// before the task is counted as finished.
        @inline(never)
        private func call(_ i: Int, _ scratch: inout [UInt8]) throws(E) {
            try body!(i, &scratch)
        }

        /// Takes and runs tasks until none is left; whoever finishes the last one signals `done`.
        func work(_ worker: Int) {
            var scratch: [UInt8] = []
            while let i = take(worker) {
                if !failed.load(ordering: .acquiring) {
                    do {
                        try call(i, &scratch)
                    } catch {
                        self.error.withLock { if $0 == nil { $0 = error } }
                        failed.store(true, ordering: .releasing)
                    }
                }
                if finished.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue == count - 1 {
                    done.signal()
                }
            }
        }
    }
}

/// Results filled in by parallel tasks, one slot per task.
public final class Slots<Value: Sendable>: Sendable {
    private let values: LockedState<[Value?]>

    /// `count` empty slots.
    public init(count: Int) {
        values = LockedState([Value?](repeating: nil, count: count))
    }

    /// The value task `index` filled in, if any.
    public subscript(index: Int) -> Value? {
        get { values.withLock { $0[index] } }
        set { values.withLock { $0[index] = newValue } }
    }

    /// Every slot, in task order.
    public var all: [Value?] { values.withLock { $0 } }
}

/// A destination buffer that parallel tasks write into.
///
/// Safety is the user's promise: every task writes only its own part of the buffer (Zarr's chunk
/// reads: the box of its chunk, and chunks tile the array; TIFF reads: the rows of its strips or
/// tiles), so no byte is written by two threads, and the buffer outlives the tasks (it is made
/// inside `withUnsafeMutableBytes` around the whole parallel run).
public struct SharedBuffer: @unchecked Sendable {
    /// The buffer's first byte.
    public let base: UnsafeMutableRawPointer?
    /// The buffer's size in bytes.
    public let count: Int

    /// Shares `buffer` with the tasks.
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        count = buffer.count
    }
}

/// A source buffer read by parallel tasks; nobody writes it while they run.
public struct SharedSource: @unchecked Sendable {
    /// The buffer's first byte.
    public let base: UnsafeRawPointer?
    /// The buffer's size in bytes.
    public let count: Int

    /// Shares `buffer` with the tasks.
    public init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress
        count = buffer.count
    }
}
