@testable import BatchLoader
import MIFACore
import Testing

/// The decoded-chunk cache: what it keeps under pressure, and that it never holds more than its
/// capacity.
@Suite struct ChunkCacheTests {
    private static func chunk(elements: Int, cost: Double, pool: ChunkBufferPool) -> DecodedChunk {
        let budget = pool.budget
        #expect(budget.tryAcquire(elements * 2))
        return DecodedChunk(elements: AnyNDArray(zeros: .uint16, shape: [elements]), cost: cost, pool: pool)
    }

    private static func load(_ cache: ChunkCache, _ id: ChunkID, _ make: () -> DecodedChunk) {
        guard case .miss(let load) = cache.lookup(id) else { Issue.record("\(id) should be a miss"); return }
        cache.finish(id, load, .success(make()))
    }

    private static func isCached(_ cache: ChunkCache, _ id: ChunkID) -> Bool {
        switch cache.lookup(id) {
        case .hit: return true
        case .miss(let load): cache.finish(id, load, .failure(BatchLoaderError(.cancelled, "probe"))); return false
        case .inFlight: return false
        }
    }

    @Test func expensiveChunksOutliveCheapOnesOfTheSameSize() {
        let pool = ChunkBufferPool(limit: 0, budget: MemoryBudget(limit: 1 << 30))
        let cache = ChunkCache(capacity: 10 * 2048)
        // Ten slots; expensive chunks (image-like) and cheap ones (label-like) arrive interleaved,
        // far more of them than fit.
        for i in 0..<100 {
            let expensive = i % 2 == 0
            Self.load(cache, ChunkID(array: expensive ? 0 : 1, index: [i])) {
                Self.chunk(elements: 1024, cost: expensive ? 200_000 : 20_000, pool: pool)
            }
        }
        let kept = (0..<100).filter { Self.isCached(cache, ChunkID(array: $0 % 2 == 0 ? 0 : 1, index: [$0])) }
        #expect(kept.count <= 10)
        #expect(kept.filter { $0 % 2 == 0 }.count >= 8, "expensive chunks kept: \(kept)")
    }

    @Test func frequentlyUsedChunksOutliveOnceUsedOnes() {
        let pool = ChunkBufferPool(limit: 0, budget: MemoryBudget(limit: 1 << 30))
        let cache = ChunkCache(capacity: 4 * 2048)
        let hot = ChunkID(array: 0, index: [-1])
        Self.load(cache, hot) { Self.chunk(elements: 1024, cost: 1000, pool: pool) }
        for i in 0..<50 {
            #expect(Self.isCached(cache, hot))
            Self.load(cache, ChunkID(array: 0, index: [i])) { Self.chunk(elements: 1024, cost: 1000, pool: pool) }
        }
        #expect(Self.isCached(cache, hot))
        let counts = cache.counts
        #expect(counts.hits == 51 && counts.misses == 51)
    }

    @Test func theCacheNeverHoldsMoreThanItsCapacity() {
        let budget = MemoryBudget(limit: 1 << 30)
        let pool = ChunkBufferPool(limit: 0, budget: budget)
        let cache = ChunkCache(capacity: 64 * 1024)
        var random = SampleRandom(seed: 7, epoch: 0, index: 0)
        for i in 0..<2000 {
            let elements = 256 + Int(random.next() % 4096)
            Self.load(cache, ChunkID(array: i % 3, index: [i])) {
                Self.chunk(elements: elements, cost: Double(random.next() % 100_000), pool: pool)
            }
            // What the cache keeps, plus the chunk just loaded (released at the end of the turn).
            #expect(budget.snapshot.used <= 64 * 1024)
        }
        #expect(budget.snapshot.peak <= 64 * 1024 + 2 * 4352)
    }

    /// Runs `sequence` (chunk numbers, one lookup per position) through a cache of `slots` chunks
    /// of 1024 elements, with the whole sequence registered ahead (`scheduled`) or not; returns the
    /// hits and the decoding cost of the misses.
    private static func replay(_ sequence: [Int], costs: [Int: Double], slots: Int, scheduled: Bool) -> (hits: Int, cost: Double) {
        let pool = ChunkBufferPool(limit: 0, budget: MemoryBudget(limit: 1 << 30))
        let cache = ChunkCache(capacity: slots * 2048)
        let schedule = cache.beginSchedule()
        if scheduled {
            for (position, n) in sequence.enumerated() { cache.schedule(schedule, position: position, chunks: [ChunkID(array: 0, index: [n])]) }
        }
        var hits = 0, cost = 0.0
        for (position, n) in sequence.enumerated() {
            let id = ChunkID(array: 0, index: [n])
            switch cache.lookup(id, for: ChunkUse(schedule: schedule, position: position)) {
            case .hit: hits += 1
            case .inFlight: Issue.record("nothing is in flight in a single thread")
            case .miss(let load):
                cost += costs[n] ?? 1000
                cache.finish(id, load, .success(Self.chunk(elements: 1024, cost: costs[n] ?? 1000, pool: pool)))
            }
        }
        return (hits, cost)
    }

    @Test func aScheduleKeepsTheChunksNeededSoonest() {
        // A cycle of three chunks through two slots: recency and frequency keep the two that are
        // needed last (no hit at all); knowing the order keeps one that is needed next.
        let cycle = (0..<30).map { $0 % 3 }
        let blind = Self.replay(cycle, costs: [:], slots: 2, scheduled: false)
        let seeing = Self.replay(cycle, costs: [:], slots: 2, scheduled: true)
        #expect(blind.hits == 0)
        #expect(seeing.hits >= 13, "hits with the schedule: \(seeing.hits)")
    }

    @Test func aChunkNoRegisteredPatchNeedsGoesFirst() {
        let pool = ChunkBufferPool(limit: 0, budget: MemoryBudget(limit: 1 << 30))
        let cache = ChunkCache(capacity: 2 * 2048)
        let schedule = cache.beginSchedule()
        let (needed, unneeded, new) = (ChunkID(array: 0, index: [0]), ChunkID(array: 1, index: [0]), ChunkID(array: 0, index: [1]))
        cache.schedule(schedule, position: 9, chunks: [needed])
        cache.schedule(schedule, position: 10, chunks: [new])
        cache.schedule(schedule, position: 12, chunks: [new])
        // The unneeded chunk cost far more to decode and was used more often: without the schedule
        // it would outlive the needed one.
        Self.load(cache, needed) { Self.chunk(elements: 1024, cost: 1000, pool: pool) }
        Self.load(cache, unneeded) { Self.chunk(elements: 1024, cost: 1_000_000, pool: pool) }
        _ = cache.lookup(unneeded)
        guard case .miss(let load) = cache.lookup(new, for: ChunkUse(schedule: schedule, position: 10)) else {
            Issue.record("the new chunk should be a miss"); return
        }
        cache.finish(new, load, .success(Self.chunk(elements: 1024, cost: 1000, pool: pool)))
        #expect(cache.holds(needed) && cache.holds(new) && !cache.holds(unneeded))
        // A newer schedule forgets the old one's positions: registering for the old one does nothing.
        _ = cache.beginSchedule()
        cache.schedule(schedule, position: 11, chunks: [unneeded])
        #expect(Self.isCached(cache, needed) && Self.isCached(cache, new))
    }

    @Test(arguments: [1, 2, 3, 4]) func aScheduleSavesDecodingOnRandomPatchOrders(seed: UInt64) {
        // Random lookups of 60 chunks (two kinds, one ten times dearer) through 12 slots, as random
        // patches look up a dataset bigger than the cache: the schedule must cost less decoding.
        var random = SampleRandom(seed: seed, epoch: 0, index: 0)
        let sequence = (0..<3000).map { _ in Int(random.next() % 60) }
        let costs = Dictionary(uniqueKeysWithValues: (0..<60).map { ($0, $0 % 2 == 0 ? 10_000.0 : 1000.0) })
        let blind = Self.replay(sequence, costs: costs, slots: 12, scheduled: false)
        let seeing = Self.replay(sequence, costs: costs, slots: 12, scheduled: true)
        #expect(seeing.cost < 0.8 * blind.cost, "decoding with the schedule \(seeing.cost), without \(blind.cost)")
    }
}
