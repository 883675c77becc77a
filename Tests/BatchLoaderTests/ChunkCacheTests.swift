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
}
