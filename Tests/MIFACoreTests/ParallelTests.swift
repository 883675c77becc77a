import Foundation
@testable import MIFACore
import Synchronization
import Testing

/// The worker pool behind Zarr chunk reads and writes and TIFF strip and tile decoding.
@Suite struct ParallelTests {
    @Test(arguments: [1, 2, 3, 8]) func everyTaskRunsExactlyOnce(_ concurrency: Int) {
        for count in [1, 2, 5, 300] {
            let seen = LockedState([Int](repeating: 0, count: count))
            Parallel.forEach(count, concurrency: concurrency) { i, scratch in
                Parallel.reserve(&scratch, 64)
                #expect(scratch.count >= 64)
                seen.withLock { $0[i] += 1 }
            }
            #expect(seen.withLock { $0 } == [Int](repeating: 1, count: count), "count \(count)")
        }
    }

    @Test(arguments: [1, 2, 3]) func rowsOfTasksRunExactlyOnce(_ concurrency: Int) {
        for (count, rowLength) in [(1, 4), (7, 3), (256, 16), (300, 16), (5, 1)] {
            let seen = LockedState([Int](repeating: 0, count: count))
            Parallel.forEach(count, rowLength: rowLength, concurrency: concurrency) { i, _ in
                seen.withLock { $0[i] += 1 }
            }
            #expect(seen.withLock { $0 } == [Int](repeating: 1, count: count), "count \(count) rows of \(rowLength)")
        }
    }

    @Test func segmentsAreContiguousAndCutAtRows() {
        #expect(Parallel.segments(256, rowLength: 16, workers: 2) == [0..<128, 128..<256])
        #expect(Parallel.segments(48, rowLength: 16, workers: 2) == [0..<32, 32..<48])
        #expect(Parallel.segments(16, rowLength: 4, workers: 3) == [0..<8, 8..<12, 12..<16])
        #expect(Parallel.segments(4, rowLength: 2, workers: 3) == [0..<2, 2..<3, 3..<4])
        #expect(Parallel.segments(5, rowLength: 1, workers: 2) == [0..<3, 3..<5])
        #expect(Parallel.segments(20, rowLength: 8, workers: 2) == [0..<16, 16..<20])
    }

    @Test func theFirstErrorIsRethrownAndLaterTasksAreSkipped() {
        struct Failure: Error { let index: Int }
        let ran = Atomic<Int>(0)
        #expect(throws: Failure.self) {
            try Parallel.forEach(10_000, concurrency: 3) { i, _ in
                ran.add(1, ordering: .relaxed)
                if i == 5 { throw Failure(index: i) }
            }
        }
        #expect(ran.load(ordering: .relaxed) < 10_000)
    }

    @Test func aTypedErrorComesBackTyped() {
        struct Failure: Error { let index: Int }
        do throws(Failure) {
            try Parallel.forEach(64, concurrency: 2) { i, _ throws(Failure) in
                if i == 40 { throw Failure(index: i) }
            }
            Issue.record("no error came back")
        } catch {
            #expect(error.index == 40)
        }
    }

    @Test func nestedRunsFinish() {
        let total = Atomic<Int>(0)
        Parallel.forEach(4, concurrency: 2) { _, _ in
            Parallel.forEach(50, concurrency: 2) { _, _ in total.add(1, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 200)
    }
}

/// Tasks that wait: every lane is a thread of its own.
@Suite struct ParallelWaitingTests {
    @Test(arguments: [1, 3, 16]) func everyTaskRunsExactlyOnce(_ concurrency: Int) {
        let runs = Slots<Int>(count: 100)
        Parallel.forEachWaiting(100, concurrency: concurrency) { i in runs[i] = (runs[i] ?? 0) + 1 }
        #expect(runs.all.allSatisfy { $0 == 1 })
    }

    @Test func waitingTasksOverlapBeyondTheCoreCount() {
        // 16 tasks that each wait until all 16 have started: they can only finish if 16 run at once
        // (on the global dispatch queue of a two-core machine they would not).
        let started = Atomic<Int>(0), timedOut = Atomic<Int>(0)
        let lanes = 16
        Parallel.forEachWaiting(lanes, concurrency: lanes) { _ in
            started.add(1, ordering: .relaxed)
            let deadline = Date().addingTimeInterval(5)
            while started.load(ordering: .relaxed) < lanes {
                guard Date() < deadline else {
                    timedOut.add(1, ordering: .relaxed)
                    return
                }
                usleep(1000)
            }
        }
        #expect(timedOut.load(ordering: .relaxed) == 0, "tasks gave up waiting for the others to start: they did not run at once")
    }

    @Test func theFirstErrorIsRethrownAndLaterTasksAreSkipped() {
        struct Failure: Error {}
        let ran = Atomic<Int>(0)
        #expect(throws: Failure.self) {
            try Parallel.forEachWaiting(1000, concurrency: 4) { i in
                ran.add(1, ordering: .relaxed)
                if i == 10 { throw Failure() }
                usleep(100)
            }
        }
        #expect(ran.load(ordering: .relaxed) < 1000)
    }
}
