@testable import BatchLoader
import Foundation
import MIFACore
import Testing
import Zarr

/// The read stage: chunks read on queues of their own ahead of the workers give the same batches,
/// overlap their reads, and hold nothing once an epoch ends.
@Suite struct ReadAheadTests {
    /// A store that is slow to answer reads of chunks, whole or by byte range (as a remote store
    /// is), records how many of them ran at once, and counts the range reads of each key and range.
    final class SlowStore: ForwardingStore, @unchecked Sendable {
        let base: any ZarrStore
        /// How long a read of a chunk takes.
        let delay: TimeInterval
        /// Where the store says it is: a URL makes the loader size its read-ahead (a remote store).
        let location: String
        private let lock = NSLock()
        private var running = 0
        private(set) var mostAtOnce = 0
        private var rangeCounts: [String: Int] = [:]

        /// Reads of `.range(offset:length:)` so far, by key and range (inner chunks of shards).
        var rangeReads: [String: Int] {
            lock.lock()
            defer { lock.unlock() }
            return rangeCounts
        }

        init(base: any ZarrStore, delay: TimeInterval = 0.002, location: String? = nil) {
            self.base = base
            self.delay = delay
            self.location = location ?? base.location
        }

        func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
            guard key.value.contains("/c/") else { return try base.get(key, range: range) }
            lock.lock()
            running += 1
            mostAtOnce = max(mostAtOnce, running)
            if case .range? = range { rangeCounts["\(key.value) \(range!)", default: 0] += 1 }
            lock.unlock()
            defer {
                lock.lock()
                running -= 1
                lock.unlock()
            }
            Thread.sleep(forTimeInterval: delay)
            return try base.get(key, range: range)
        }
    }

    private static func loader(_ index: SampleIndex, readAhead: Int) throws -> BatchLoader {
        try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 48),
                        configuration: BatchLoaderConfiguration(batchSize: 8, seed: 5, workers: 1, readAhead: readAhead, prefetch: 2,
                                                                memoryBudget: 1 << 22))
    }

    /// `index` reading through a ``SlowStore`` per array (reads of `delay`, at `location` when
    /// given), and those stores.
    private static func slowed(_ index: SampleIndex, delay: TimeInterval = 0.002, location: String? = nil) throws -> (SampleIndex, [SlowStore]) {
        var stores: [SlowStore] = []
        let slow = try SampleIndex(sources: index.sources.map { source in
            try source.rewrapped { base in
                let store = SlowStore(base: base, delay: delay, location: location)
                stores.append(store)
                return store
            }
        })
        return (slow, stores)
    }

    @Test func readsRunAheadOnTheirOwnQueuesAndChangeNoBatch() throws {
        let plain = try LoaderFixtures.twoImages()
        let reference = try LoaderFixtures.digests(try Self.loader(plain, readAhead: 0), epoch: 0)
        let (slow, slowStores) = try Self.slowed(plain)
        let loader = try Self.loader(slow, readAhead: 6)
        #expect(try LoaderFixtures.digests(loader, epoch: 0) == reference)
        // One worker reads one chunk at a time; the read stage had several reads in flight.
        let mostAtOnce = slowStores.map(\.mostAtOnce).max() ?? 0
        #expect(mostAtOnce > 1 && mostAtOnce <= 6 + 1, "reads at once: \(mostAtOnce)")
        #expect(loader.metrics.chunksReadAhead > 0)
        #expect(loader.readAhead?.heldBytes == 0)
        // A second epoch over the same loader gives the same batches as without read-ahead.
        #expect(try LoaderFixtures.digests(loader, epoch: 1) == LoaderFixtures.digests(try Self.loader(plain, readAhead: 0), epoch: 1))
        #expect(loader.readAhead?.heldBytes == 0)
    }

    @Test func innerChunksOfShardedImagesAreReadAheadOnceEach() throws {
        // No labels: every chunk read is an inner chunk of a shard.
        let image = try LoaderFixtures.image(shape: [70, 90], axes: ["y", "x"], chunks: [16, 16], shards: [32, 32], seed: 3, labels: false)
        let plain = try SampleIndex(sources: [SampleSource(image: image)])
        let (slow, slowStores) = try Self.slowed(plain)
        #expect(slow.sources[0].image.chain.sharding != nil)
        let loader = try Self.loader(slow, readAhead: 6)
        #expect(try LoaderFixtures.digests(loader, epoch: 0) == LoaderFixtures.digests(try Self.loader(plain, readAhead: 0), epoch: 0))
        // The read stage read inner chunks that the worker took.
        let taken = loader.readAhead?.counts.taken ?? 0
        #expect(taken > 0)
        // The cache holds every chunk (a cold cache, nothing evicted): each inner chunk's bytes were
        // read once, by the read stage or by the worker, never by both.
        let reads = slowStores.flatMap(\.rangeReads)
        #expect(reads.count >= taken)
        #expect(reads.allSatisfy { $0.value == 1 }, "read more than once: \(reads.filter { $0.value > 1 })")
        #expect(loader.readAhead?.heldBytes == 0)
    }

    @Test func theReadStagesShardIndexReadsAreNotTheWorkersTime() throws {
        // 64 shards of 2×2 inner chunks, reads of 50 ms: the read stage locates inner chunks of up
        // to 24 shards at once, each reading its shard's index. Counted as the worker's time in
        // reads, those reads added up to more than the worker's whole time, and the sizing found
        // no time outside reads to measure.
        let image = try LoaderFixtures.image(shape: [256, 256], axes: ["y", "x"], chunks: [16, 16], shards: [32, 32], seed: 3, labels: false)
        let (slow, _) = try Self.slowed(try SampleIndex(sources: [SampleSource(image: image)]), delay: 0.05)
        let loader = try Self.loader(slow, readAhead: 24)
        _ = try LoaderFixtures.digests(loader, epoch: 0)
        let inReads = loader.counters.workerReadNanoseconds.load(ordering: .relaxed)
        let whole = loader.counters.workerNanoseconds.load(ordering: .relaxed)
        #expect(inReads > 0 && inReads <= whole, "the worker's time in reads \(inReads) ns of its \(whole) ns")
    }

    @Test func aSizedReserveGrowsOnlyIntoWhatTheCacheDoesNotHold() throws {
        // Reads of 20 ms and one worker decoding 512-byte chunks in microseconds: the law asks for
        // more reads in flight than the start's 8 (a batch's patches), up to the limit.
        let image = try LoaderFixtures.image(shape: [256, 256], axes: ["y", "x"], chunks: [16, 16], seed: 3, labels: false)
        let (slow, _) = try Self.slowed(try SampleIndex(sources: [SampleSource(image: image)]), delay: 0.02, location: "http://slow.test/a.zarr")
        func loader(budget: Int) throws -> BatchLoader {
            try BatchLoader(index: slow, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 128),
                            configuration: BatchLoaderConfiguration(batchSize: 8, seed: 5, workers: 1, prefetch: 2, memoryBudget: budget))
        }
        let start = 2 * 8 * 512  // twice the start's reads of a decoded chunk each
        // 128 KiB decoded in 256 chunks, a cache of about 58 KiB: it evicts. The reserve then
        // gives back what it took beyond its start, which the chunks the epoch re-reads need.
        let small = try loader(budget: 128 << 10)
        _ = try LoaderFixtures.digests(small, epoch: 0)
        let stage = try #require(small.readAhead)
        #expect(stage.target > 8, "the law asked for \(stage.target) reads in flight")
        #expect(small.cache.hasEvicted)
        #expect(stage.reserve == start, "reserve \(stage.reserve) bytes")
        // A cache that holds every chunk read lends the reserve room for the reads the law asks for.
        let large = try loader(budget: 1 << 20)
        _ = try LoaderFixtures.digests(large, epoch: 0)
        let roomy = try #require(large.readAhead)
        #expect(!large.cache.hasEvicted)
        #expect(roomy.target > 8 && roomy.reserve > start, "\(roomy.target) reads in flight, reserve \(roomy.reserve) bytes")
    }

    @Test func readsRunAheadOfTheOpenBatchesAsManyAsAsked() throws {
        // One patch per batch, one batch prefetched: the open batches need at most 12 chunks (a
        // 16×16 patch touches up to 4 chunks of each of 2 channels and 4 of the label), and one
        // worker reads at most one more. The read stage queues the chunks of the patches after
        // them too, so it keeps the 24 reads asked for in flight.
        let plain = try LoaderFixtures.twoImages()
        let (slow, slowStores) = try Self.slowed(plain)
        func loader(_ index: SampleIndex, readAhead: Int) throws -> BatchLoader {
            try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 48),
                            configuration: BatchLoaderConfiguration(batchSize: 1, seed: 5, workers: 1, readAhead: readAhead, prefetch: 1,
                                                                    memoryBudget: 1 << 22))
        }
        let reading = try loader(slow, readAhead: 24)
        #expect(try LoaderFixtures.digests(reading, epoch: 0) == LoaderFixtures.digests(try loader(plain, readAhead: 0), epoch: 0))
        let mostAtOnce = slowStores.map(\.mostAtOnce).max() ?? 0
        #expect(mostAtOnce > 13 && mostAtOnce <= 24 + 1, "reads at once: \(mostAtOnce)")
        #expect(reading.metrics.mostReadsInFlight > 13 && reading.metrics.mostReadsInFlight <= 24)
        #expect(reading.readAhead?.heldBytes == 0)
    }

    @Test func readsInFlightFollowLittlesLaw() {
        // 2 workers decoding 1,000 chunks in 0.5 s outside reads take 4,000 chunks/s; at 25 ms a read,
        // 100 reads in flight deliver them.
        let law = { (cpu: Int, seconds: Double, limit: Int) in
            ReadAheadSizing.readsInFlight(workers: 2, chunksDecoded: 1000, workerNanoseconds: cpu, secondsPerRead: seconds, limit: limit)
        }
        #expect(law(500_000_000, 0.025, 4096) == 100)
        #expect(law(500_000_000, 0.0251, 4096) == 101)  // rounded up
        #expect(law(500_000_000, 0.025, 64) == 64)  // at most the limit
        #expect(law(500_000_000, 0.000_001, 64) == 1)  // at least one
        #expect(law(0, 0.025, 64) == nil)  // nothing measured yet
        #expect(ReadAheadSizing.readsInFlight(workers: 2, chunksDecoded: 0, workerNanoseconds: 1, secondsPerRead: 0.025, limit: 64) == nil)
    }

    @Test func sizingStartsFromItsInitialValueAndFollowsTheShortestSmoothedRead() {
        var sizing = ReadAheadSizing(limit: 200, workers: 2, initial: 32)
        #expect(sizing.target == 32)
        #expect(ReadAheadSizing(limit: 8, workers: 2, initial: 32).target == 8)
        // Nothing decoded yet: the read is timed, the target stays.
        sizing.readFinished(seconds: 0.020, chunksDecoded: 0, workerNanoseconds: 0, patches: 0)
        #expect(sizing.target == 32 && sizing.secondsPerRead == 0.020)
        // Fewer patches than the initial value: too few to measure, the target stays.
        sizing.readFinished(seconds: 0.020, chunksDecoded: 100, workerNanoseconds: 100_000_000, patches: 31)
        #expect(sizing.target == 32)
        // 2 workers at 1 ms per chunk take 2,000 chunks/s: 40 reads of 20 ms.
        sizing.readFinished(seconds: 0.020, chunksDecoded: 100, workerNanoseconds: 100_000_000, patches: 32)
        #expect(sizing.target == 40)
        // A saturated server queues the reads: they take longer and longer, but more in flight
        // would only queue longer, so the target stays sized by the shortest smoothed time.
        for _ in 0..<50 { sizing.readFinished(seconds: 0.5, chunksDecoded: 100, workerNanoseconds: 100_000_000, patches: 50) }
        #expect(sizing.secondsPerRead! > 0.4 && sizing.shortestSecondsPerRead == 0.020)
        #expect(sizing.target == 40)
        // Workers that decode faster want more reads in flight, up to the limit.
        sizing.readFinished(seconds: 0.5, chunksDecoded: 100, workerNanoseconds: 10_000_000, patches: 51)
        #expect(sizing.target == 200)
    }

    @Test func aFastServerKeepsTheStartsReadsInFlight() {
        // 2 workers at 1 ms per chunk take 2,000 chunks/s: at 1 ms a read the law asks for 2 reads
        // in flight, but a batch that opens asks for its patches' chunks at once.
        var sizing = ReadAheadSizing(limit: 200, workers: 2, initial: 32)
        sizing.readFinished(seconds: 0.001, chunksDecoded: 100, workerNanoseconds: 100_000_000, patches: 32)
        #expect(sizing.target == 32)
        // The floor is the start, which the limit bounds.
        var limited = ReadAheadSizing(limit: 8, workers: 2, initial: 32)
        limited.readFinished(seconds: 0.001, chunksDecoded: 100, workerNanoseconds: 100_000_000, patches: 32)
        #expect(limited.target == 8)
    }

    @Test func aBudgetWithoutRoomForReadAheadRefusesIt() throws {
        let index = try LoaderFixtures.twoImages()
        // Two batches of 8 patches (12 288 bytes each) and the largest chunk (12 600 bytes, a
        // label image's) take 37 176 bytes; a quarter of the rest is less than a chunk, so nothing
        // is read ahead.
        func loader(readAhead: Int) throws -> BatchLoader {
            try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 24),
                            configuration: BatchLoaderConfiguration(batchSize: 8, seed: 5, workers: 1, readAhead: readAhead, prefetch: 1,
                                                                    memoryBudget: 40_000))
        }
        // Asked for, it is refused, naming the budget that would hold it; that budget does.
        let error = #expect(throws: BatchLoaderError.self) { try loader(readAhead: 8) }
        #expect(error?.kind == .budgetTooSmall)
        let minimum = try loader(readAhead: 0).readAheadMinimumBudget
        #expect(error?.message.contains("at least \(minimum) bytes") == true, "\(String(describing: error))")
        let enough = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 24),
                                     configuration: BatchLoaderConfiguration(batchSize: 8, seed: 5, workers: 1, readAhead: 8, prefetch: 1,
                                                                             memoryBudget: minimum))
        #expect(enough.readAheadConcurrency == 8)
        let tooLittle = #expect(throws: BatchLoaderError.self) {
            try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 24),
                            configuration: BatchLoaderConfiguration(batchSize: 8, seed: 5, workers: 1, readAhead: 8, prefetch: 1,
                                                                    memoryBudget: minimum - 1))
        }
        #expect(tooLittle != nil)
        // Chosen by default (local images: none) nothing is refused, and the batches are the same.
        let small = try loader(readAhead: 0)
        #expect(small.readAhead == nil)
        #expect(try LoaderFixtures.digests(small, epoch: 0) == LoaderFixtures.digests(try loader(readAhead: 0), epoch: 0))
        #expect(small.metrics.peakMemoryBytes <= 40_000)
    }

    @Test func aNegativeReadAheadIsRefused() throws {
        let index = try LoaderFixtures.twoImages()
        #expect(throws: BatchLoaderError.self) {
            try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [16, 16], samplesPerEpoch: 8),
                            configuration: BatchLoaderConfiguration(readAhead: -1))
        }
    }
}
