@testable import BatchLoader
import Foundation
import MIFACore
import Testing
import Zarr

#if os(Linux)
import Glibc

/// The loader's threads: jobs in order on one thread marked as batch work (Linux's SCHED_BATCH, 3 in
/// its ABI), so that the consumer waking for its next batch is not kept waiting behind a worker; the
/// thread ends with its object; every chunk read of an epoch runs on such a thread.
@Suite struct WorkerThreadTests {
    private static let schedBatch: Int32 = 3

    /// What the jobs saw, in the order they ran.
    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(job: Int, thread: pthread_t, policy: Int32)] = []

        func add(_ job: Int) {
            let entry = (job, pthread_self(), sched_getscheduler(0))
            lock.lock()
            entries.append(entry)
            lock.unlock()
        }

        var all: [(job: Int, thread: pthread_t, policy: Int32)] {
            lock.lock()
            defer { lock.unlock() }
            return entries
        }
    }

    /// The ids of this process's threads named `name`.
    private static func threads(named name: String) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines) == name }
    }

    @Test func jobsRunInOrderOnOneMarkedThreadThatLivesFromTheFirstJobToItsObject() throws {
        let name = "mifa-t\(UInt32.random(in: 0..<100_000_000))"
        let record = Record()
        let done = DispatchSemaphore(value: 0)
        var worker: WorkerThread? = WorkerThread(name: name)
        #expect(Self.threads(named: name).isEmpty)  // started by the first job
        for job in 0..<50 { worker?.async { record.add(job) } }
        worker?.async { done.signal() }
        done.wait()
        let entries = record.all
        #expect(entries.map(\.job) == Array(0..<50))
        #expect(Set(entries.map(\.thread)).count == 1)
        #expect(entries.allSatisfy { $0.policy == Self.schedBatch })
        #expect(Self.threads(named: name).count == 1)
        worker = nil
        // The thread ends once its object is gone: wait for it (a bounded wait for an event, not a timing).
        var waited = 0
        while !Self.threads(named: name).isEmpty, waited < 1000 {
            usleep(10_000)
            waited += 1
        }
        #expect(Self.threads(named: name).isEmpty, "the thread \(name) outlived its WorkerThread")
    }

    /// A store that records the calling thread's scheduling policy at every chunk read.
    final class PolicyStore: ForwardingStore, @unchecked Sendable {
        let base: any ZarrStore
        private let lock = NSLock()
        private var seen: [Int32] = []

        init(base: any ZarrStore) { self.base = base }

        var policies: [Int32] {
            lock.lock()
            defer { lock.unlock() }
            return seen
        }

        func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
            if key.value.contains("/c/") {
                let policy = sched_getscheduler(0)
                lock.lock()
                seen.append(policy)
                lock.unlock()
            }
            return try base.get(key, range: range)
        }
    }

    @Test(arguments: [0, 4]) func everyChunkReadOfAnEpochRunsAsBatchWork(readAhead: Int) throws {
        var stores: [PolicyStore] = []
        let index = try SampleIndex(sources: try LoaderFixtures.twoImages().sources.map { source in
            try source.rewrapped { base in
                let store = PolicyStore(base: base)
                stores.append(store)
                return store
            }
        })
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 48),
                                     configuration: BatchLoaderConfiguration(batchSize: 8, seed: 5, workers: 2, readAhead: readAhead,
                                                                             prefetch: 2, memoryBudget: 1 << 22))
        _ = try LoaderFixtures.digests(loader, epoch: 0)
        let policies = stores.flatMap(\.policies)
        #expect(!policies.isEmpty)
        #expect(policies.allSatisfy { $0 == Self.schedBatch }, "policies seen: \(Set(policies))")
    }
}
#endif
