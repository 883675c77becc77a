import Dispatch
import Foundation
import MIFACore

/// The machinery behind one ``BatchIterator``: batches are opened (a pooled buffer taken) at most
/// `prefetch` ahead of the consumer, their patches queued, and each of `workers` threads of the
/// loader's own (``WorkerThread``) runs one patch job at a time; a batch is ready when its last
/// patch is written. A thread per worker, not one concurrent Dispatch queue: on Linux a concurrent
/// queue's jobs share the global pool, which runs about one thread per core whatever the setting (so
/// `workers` above the core count did nothing, and a job waiting for a chunk another decodes held a
/// core's thread); and the threads are marked as batch work, which yields to the consumer.
///
/// Thread safety: every mutable field is guarded by `condition` (an `NSCondition`, which the
/// consumer also waits on); patch jobs write only their own slot of a batch buffer, outside the
/// lock, before the batch is published under it. Hence `@unchecked Sendable`.
final class Pipeline: @unchecked Sendable {
    private struct Assembly {
        var storage: BatchStorage
        var samples: [Int]
        var requests: [PatchRequest]
        var randoms: [SampleRandom]
        var patches: [FilledPatch]
        var remaining: Int
        var error: (any Error)?
    }

    let loader: BatchLoader
    let order: SampleOrder
    let totalBatches: Int
    private let workers: [WorkerThread]
    private let opener: WorkerThread
    private var idle: [Int]
    private let condition = NSCondition()
    private var nextToOpen: Int
    private var opening = false
    private var delivered: Int
    private var running = 0
    private var pending: [(batch: Int, slot: Int)] = []
    private var pendingHead = 0
    private var assemblies: [Int: Assembly] = [:]
    private var ready: [Int: Result<Batch, any Error>] = [:]
    private var cancelled = false
    private var failed = false
    /// The error delivered to the consumer, thrown again by every later ``next()``.
    private var failure: (any Error)?
    /// The cache's schedule for this run, and the positions registered in it so far (see
    /// ``BatchLoader/scheduleHorizon``); touched only on the opener thread.
    private let schedule: Int
    private var registered: Int
    /// The position up to which the chunk reads of the patches were queued on the read stage
    /// (``BatchLoader/scheduleReads(from:opened:order:)``); touched only on the opener thread.
    private var readsScheduled: Int

    init(loader: BatchLoader, order: SampleOrder, start: Int) {
        self.loader = loader
        self.order = order
        totalBatches = loader.batchesPerEpoch
        nextToOpen = start
        delivered = start
        workers = (0..<loader.configuration.workers).map { WorkerThread(name: "mifa-worker-\($0)") }
        opener = WorkerThread(name: "mifa-opener")
        idle = Array((0..<loader.configuration.workers).reversed())
        schedule = loader.cache.beginSchedule()
        registered = start * loader.configuration.batchSize
        readsScheduled = registered
    }

    /// Whether the run was cancelled (read from any thread).
    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Number of samples in batch `batch`.
    func size(of batch: Int) -> Int {
        min(loader.configuration.batchSize, order.shardCount - batch * loader.configuration.batchSize)
    }

    /// Starts what may start now. Call with the lock held.
    private func pump() {
        guard !cancelled, !failed else { return }
        if !opening, nextToOpen < totalBatches, nextToOpen < delivered + loader.configuration.prefetch {
            opening = true
            let batch = nextToOpen
            opener.async { self.open(batch) }
        }
        while !idle.isEmpty, pendingHead < pending.count {
            let job = pending[pendingHead]
            let worker = idle.removeLast()
            pendingHead += 1
            running += 1
            workers[worker].async { self.assemble(job.batch, slot: job.slot, worker: worker) }
        }
        if pendingHead > 256, pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
    }

    /// Takes a buffer for `batch` (waiting for memory if need be) and queues its patches.
    private func open(_ batch: Int) {
        let storage: BatchStorage
        do {
            storage = try loader.pool.take(reclaim: { self.loader.cache.evictOne() || self.loader.chunkBuffers.dropOne() },
                                           isCancelled: { self.isCancelled }) {
                self.condition.lock()
                self.condition.broadcast()  // the consumer checks whether it holds every buffer
                self.condition.unlock()
            }
        } catch {
            condition.lock()
            ready[batch] = .failure(error)
            failed = true
            opening = false
            condition.broadcast()
            condition.unlock()
            return
        }
        let count = size(of: batch)
        let first = batch * loader.configuration.batchSize
        let horizon = min(order.shardCount, first + count + BatchLoader.scheduleHorizon)
        if registered < horizon {
            registered = loader.registerChunks(of: registered..<horizon, order: order, schedule: schedule)
        }
        var samples: [Int] = [], requests: [PatchRequest] = [], randoms: [SampleRandom] = []
        for slot in 0..<count {
            let s = loader.sample(at: batch * loader.configuration.batchSize + slot, order: order)
            samples.append(s.sample)
            requests.append(s.request)
            randoms.append(s.random)
        }
        readsScheduled = loader.scheduleReads(from: max(readsScheduled, first), opened: first + count, order: order)
        condition.lock()
        guard !cancelled else {
            // Cancelled while waiting for the buffer: give it back (it goes when `storage` does).
            opening = false
            condition.unlock()
            return
        }
        assemblies[batch] = Assembly(storage: storage, samples: samples, requests: requests, randoms: randoms,
                                     patches: Array(repeating: FilledPatch(), count: count),
                                     remaining: count, error: nil)
        pending.append(contentsOf: (0..<count).map { (batch, $0) })
        nextToOpen += 1
        opening = false
        pump()
        condition.unlock()
    }

    /// Reads patch `slot` of `batch` into its buffer, on worker queue `worker` (idle again after).
    private func assemble(_ batch: Int, slot: Int, worker: Int) {
        let (produced, failure) = fill(batch, slot: slot)
        var completed = false
        condition.lock()
        running -= 1
        idle.append(worker)
        if var a = assemblies[batch] {
            a.remaining -= 1
            if let produced { a.patches[slot] = produced }
            if let failure, a.error == nil { a.error = failure }
            if a.remaining == 0 {
                completed = true
                assemblies[batch] = nil
                if let error = a.error {
                    ready[batch] = .failure(error)
                    failed = true
                } else {
                    ready[batch] = .success(loader.makeBatch(epoch: order.epoch, index: batch, storage: a.storage, samples: a.samples,
                                                             requests: a.requests, randoms: a.randoms, patches: a.patches))
                }
                condition.broadcast()
            } else {
                assemblies[batch] = a
            }
        }
        pump()
        condition.unlock()
        if completed { loader.allocatorTrim.batchAssembled(held: loader.budget.snapshot.used) }
    }

    /// Fills patch `slot` of `batch` (unless the run stopped). The batch's buffer is referenced
    /// only in here, so it is released before the job counts as finished.
    private func fill(_ batch: Int, slot: Int) -> (FilledPatch?, (any Error)?) {
        condition.lock()
        let assembly = assemblies[batch]
        let stop = cancelled || failed
        condition.unlock()
        guard let assembly, !stop else { return (nil, nil) }
        let started = DispatchTime.now().uptimeNanoseconds
        defer { loader.counters.workerNanoseconds.add(Int(DispatchTime.now().uptimeNanoseconds - started), ordering: .relaxed) }
        do {
            let produced = try loader.fill(slot: slot, request: assembly.requests[slot], random: assembly.randoms[slot],
                                           storage: assembly.storage,
                                           use: ChunkUse(schedule: schedule, position: batch * loader.configuration.batchSize + slot),
                                           isCancelled: { self.isCancelled })
            loader.counters.patches.add(1, ordering: .relaxed)
            return (produced, nil)
        } catch {
            return (nil, error)
        }
    }

    /// The next batch (in order, or the first ready one when unordered); `nil` at the end or after
    /// cancellation.
    /// - Throws: the first error of a batch (``BatchLoaderError`` `.chunkFailed` names the chunk),
    ///   and the same error on every call after it: a failed epoch never ends like a complete one.
    func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        pump()
        let start = DispatchTime.now().uptimeNanoseconds
        defer { loader.counters.consumerWaitNanos.add(Int(DispatchTime.now().uptimeNanoseconds - start), ordering: .relaxed) }
        while true {
            if cancelled || delivered >= totalBatches {
                loader.readAhead?.clear()
                return nil
            }
            let key = loader.configuration.ordered ? (ready[delivered] != nil ? delivered : nil) : ready.keys.min()
            if let key, let result = ready.removeValue(forKey: key) {
                delivered += 1
                pump()
                switch result {
                case .success(let batch):
                    loader.counters.batches.add(1, ordering: .relaxed)
                    return batch
                case .failure(let error):
                    fail(error)
                    throw error
                }
            }
            if opening, running == 0, assemblies.isEmpty, ready.isEmpty, loader.pool.isStalled {
                // Every buffer is held by a delivered batch: nothing moves until the consumer drops one.
                let error = BatchLoaderError(.budgetTooSmall, "the \(loader.pool.capacity) batches held by the consumer use all the memory the budget of \(loader.budget.limit) bytes leaves for batch buffers, so the next batch can never be assembled; drop (or copy out of) delivered batches before asking for the next one, or raise the budget")
                fail(error)
                throw error
            }
            if failed, let failure = ready.first(where: { if case .failure = $0.value { return true } else { return false } }) {
                ready[failure.key] = nil
                if case .failure(let error) = failure.value {
                    fail(error)
                    throw error
                }
            }
            condition.wait()
        }
    }

    /// Stops after `error`, which every later ``next()`` throws again. Call with the lock held.
    private func fail(_ error: any Error) {
        failure = error
        stop()
    }

    /// Whether every batch of the epoch was delivered without a failure or a cancellation.
    var isComplete: Bool {
        condition.lock()
        defer { condition.unlock() }
        return failure == nil && !cancelled && delivered >= totalBatches
    }

    /// The number of batches delivered (including those skipped by the start).
    var deliveredCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return delivered
    }

    /// Stops: no new work starts, waiting producers give up, the consumer gets `nil`.
    func cancel() {
        condition.lock()
        stop()
        condition.broadcast()
        condition.unlock()
        loader.budget.signal()
    }

    /// Marks the run cancelled and drops what it holds: ready batches, and the buffers of
    /// unfinished ones (each goes back to the pool once its running jobs end). Call with the lock held.
    private func stop() {
        cancelled = true
        loader.readAhead?.clear()
        ready.removeAll()
        assemblies.removeAll()
        pending.removeAll()
        pendingHead = 0
    }
}
