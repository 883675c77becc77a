import Dispatch

/// The batches of one epoch, blocking: ``next()`` waits for the next batch. Dropping the iterator
/// (or calling ``cancel()``) stops the work in flight.
///
/// A failure is never an end: once a batch has failed (a chunk that cannot be read, a budget too
/// small), every later call throws that error again, so a training loop cannot take a short epoch
/// for a complete one. (This is why the iterator is not an `IteratorProtocol`: its `next()` could
/// only end the sequence.) `nil` means the epoch is complete, or ``cancel()`` was called.
///
/// Use it from one consumer thread at a time. Thread safety: all state is in the `Pipeline`,
/// which guards itself; hence `Sendable`.
public final class BatchIterator: Sendable {
    let pipeline: Pipeline

    init(pipeline: Pipeline) {
        self.pipeline = pipeline
    }

    deinit { pipeline.cancel() }

    /// The next batch, or `nil` when the epoch is complete or after ``cancel()``; the same as
    /// ``nextBatch()``.
    /// - Throws: as ``nextBatch()``: an error is thrown, never taken for the end of the epoch.
    public func next() throws -> Batch? {
        try pipeline.next()
    }

    /// The next batch, or `nil` when the epoch is complete or after ``cancel()``.
    /// - Throws: ``BatchLoaderError`` `.chunkFailed` (with the chunk's key) when a chunk cannot be
    ///   read or decoded; `.budgetTooSmall` when a batch cannot fit the budget, or when the batches
    ///   the caller still holds use every batch buffer the budget allows (at least `prefetch + 1`),
    ///   so the next batch could never be assembled (instead of waiting forever). Holding at most
    ///   `prefetch` delivered batches while asking for the next one always makes progress. After a
    ///   failure every call throws the same error again: the epoch did not complete.
    public func nextBatch() throws -> Batch? {
        try pipeline.next()
    }

    /// Whether every batch of the epoch was delivered (`false` after a failure or ``cancel()``
    /// before the end). A training loop can check it after its loop ends.
    public var isComplete: Bool { pipeline.isComplete }

    /// Where the iterator is: resuming from it yields exactly the batches that would come next.
    /// Meaningful for in-order delivery.
    public var checkpoint: LoaderCheckpoint {
        LoaderCheckpoint(seed: pipeline.loader.configuration.seed, epoch: pipeline.order.epoch, batch: pipeline.deliveredCount)
    }

    /// Stops the work in flight; ``next()`` returns `nil` from now on.
    public func cancel() {
        pipeline.cancel()
    }
}

/// The batches of one epoch as an `AsyncSequence`; each `next()` waits on a Dispatch thread, so it
/// never blocks the cooperative pool. Cancelling the task cancels the loader's work.
public struct BatchSequence: AsyncSequence, Sendable {
    /// A batch.
    public typealias Element = Batch

    let makeIterator_: @Sendable () throws -> BatchIterator

    /// The async iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let iterator: BatchIterator?
        let error: (any Error)?

        /// The next batch, or `nil` at the end.
        /// - Throws: as ``BatchIterator/nextBatch()``, and `CancellationError` when the task is cancelled.
        public mutating func next() async throws -> Batch? {
            if let error { throw error }
            guard let iterator else { return nil }
            let result: Batch? = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Batch?, any Error>) in
                    DispatchQueue.global(qos: .userInitiated).async {
                        continuation.resume(with: Result { try iterator.nextBatch() })
                    }
                }
            } onCancel: {
                iterator.cancel()
            }
            try Task.checkCancellation()
            return result
        }
    }

    /// An iterator over the epoch.
    public func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(iterator: try makeIterator_(), error: nil)
        } catch {
            return AsyncIterator(iterator: nil, error: error)
        }
    }
}

extension BatchLoader {
    /// The batches of `epoch` from batch `startingAt`, as an `AsyncSequence`.
    public func sequence(epoch: Int, startingAt batch: Int = 0) -> BatchSequence {
        BatchSequence { try self.batches(epoch: epoch, startingAt: batch) }
    }
}
