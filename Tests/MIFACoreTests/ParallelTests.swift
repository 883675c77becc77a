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
