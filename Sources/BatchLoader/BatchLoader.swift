public import MIFACore
import Foundation
import Zarr

/// A streaming mini-batch loader: patches of OME-Zarr images (and their labels) chosen by a
/// ``PatchSampler`` in an order that is a pure function of `(seed, epoch, position)`, read chunk by
/// chunk through a byte-bounded decoded-chunk cache on worker threads, assembled straight into
/// pooled batch buffers, at most `prefetch` batches ahead, under one memory budget.
///
/// Iterate an epoch with ``batches(epoch:startingAt:)`` (a blocking iterator) or
/// ``sequence(epoch:startingAt:)`` (an `AsyncSequence`). The cache, pool, budget and metrics are
/// shared by every epoch of one loader.
public final class BatchLoader: Sendable {
    /// What is sampled (reading through the loader's counting stores).
    public let index: SampleIndex
    /// How samples are chosen.
    public let sampler: any PatchSampler
    /// The settings.
    public let configuration: BatchLoaderConfiguration
    /// This rank.
    public let rank: Int
    /// The number of ranks.
    public let worldSize: Int
    /// The spatial shape `[z, y, x]` of the delivered patches (the sampler's, or the crop's).
    public let patchShape: [Int]
    /// The channels read (`[0]` for images without a c axis).
    public let channels: [Int]
    /// The element type of batch images.
    public let imageType: DataType
    /// The element type of batch masks, if the sources have labels.
    public let maskType: DataType?
    let imagePatchBytes: Int
    let maskPatchBytes: Int
    let batchBytes: Int
    let budget: MemoryBudget
    let cache: ChunkCache
    let chunkBuffers: ChunkBufferPool
    let pool: BufferPool
    let readAhead: ChunkReadAhead?
    /// The chunk reads ahead that were asked for (or chosen by default), before the budget had its say.
    public let readAheadRequested: Int
    /// The memory budget (bytes) from which at least one chunk can be read ahead with this
    /// configuration: below it the reads asked for (``readAheadRequested``) are turned off.
    public let readAheadMinimumBudget: Int
    let counters = LoaderCounters()
    /// Returns the allocator's freed memory to the system when the process grows beyond the loader's bytes.
    let allocatorTrim: AllocatorTrim

    /// The most workers, and the most chunk reads ahead, one loader runs (each has a thread of its own, started when first used).
    public static let maximumConcurrency = 4096

    /// The loader counts its own buffers against the memory budget less `1 / allocatorShare` of
    /// it: the headroom for what the allocator holds beyond those buffers (freed blocks kept for
    /// reuse, page rounding of large blocks, encoded bytes being decoded). Measured from Python on
    /// the loader benchmark (16 images, 256×256 uint16 chunks with uint32 labels, 2 workers, a
    /// trim every 4 batches): anonymous memory grew by the counted bytes plus 3–8% of them plus
    /// the library's fixed working memory (threads, runtime; about 25 MiB), which is not the budget's.
    public static let allocatorShare = 6

    /// The most bytes of shard indexes a loader over sharded images keeps (a sixteenth of the
    /// chunk cache's share of the budget when that is less): 4 MiB hold the indexes of about
    /// 2,500 shards of 8×8 inner chunks.
    public static let maximumShardIndexCacheBytes = 4 << 20

    /// A loader over `index` choosing samples with `sampler`.
    /// - Parameters:
    ///   - index: what can be sampled (images, levels, labels, annotations).
    ///   - sampler: how patches are chosen.
    ///   - configuration: batch size, workers, prefetch, memory budget, seed, ranks.
    ///   - environment: where `RANK` and `WORLD_SIZE` are read when the configuration leaves them `nil`
    ///     (`nil`: the process environment).
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` for out-of-range settings (more than
    ///   ``maximumConcurrency`` workers or reads ahead, batches whose bytes overflow), mixed pixel
    ///   types with native output, bad channels, a crop that does not fit the sampled patches, or
    ///   a 3-D patch (z above 1) over an image without a z axis;
    ///   `.budgetTooSmall` when the budget cannot hold `prefetch + 1` batches plus one chunk per
    ///   worker. Batch buffers never take the chunk memory of the workers: at most
    ///   `(budget - workers × largest chunk) / batch bytes` batches exist at once.
    public init(index: SampleIndex, sampler: any PatchSampler, configuration: BatchLoaderConfiguration = BatchLoaderConfiguration(),
                environment: [String: String]? = nil) throws {
        let c = configuration
        guard c.batchSize >= 1, c.workers >= 1, c.prefetch >= 1 else {
            throw BatchLoaderError(.invalidConfiguration, "batch size, workers and prefetch must be at least 1; found \(c.batchSize), \(c.workers), \(c.prefetch)")
        }
        // Images read over the network, without a read-ahead given, size it as they run (ReadAheadSizing).
        let sized = c.readAhead == nil && index.sources.contains { StoreURL.isRemote($0.image.store.location) }
        let asked = c.readAhead ?? 0
        guard asked >= 0 else {
            throw BatchLoaderError(.invalidConfiguration, "read-ahead must be 0 (off) or more; found \(asked)")
        }
        // Each worker and each read-ahead slot gets a thread of its own: bound them before making any.
        guard c.workers <= Self.maximumConcurrency, asked <= Self.maximumConcurrency else {
            throw BatchLoaderError(.invalidConfiguration, "at most \(Self.maximumConcurrency) workers and \(Self.maximumConcurrency) reads ahead are supported; found \(c.workers) and \(asked)")
        }
        let distributed = try SampleOrder.distributed(from: environment ?? ProcessInfo.processInfo.environment)
        rank = c.rank ?? distributed.rank
        worldSize = c.worldSize ?? distributed.worldSize
        guard worldSize >= 1, (0..<worldSize).contains(rank) else {
            throw BatchLoaderError(.invalidConfiguration, "rank \(rank) is not in [0, world size \(worldSize))")
        }
        let counters = self.counters
        self.sampler = sampler
        self.configuration = c
        let channelCount = index.channelCount
        channels = c.channels ?? Array(0..<channelCount)
        guard !channels.isEmpty, channels.allSatisfy({ (0..<channelCount).contains($0) }) else {
            throw BatchLoaderError(.invalidConfiguration, "channels \(channels) must be non-empty and in [0, \(channelCount))")
        }
        switch c.imageType {
        case .float32:
            imageType = .float32
        case .native:
            let types = Set(index.sources.map(\.dataType))
            guard types.count == 1, let only = types.first else {
                throw BatchLoaderError(.invalidConfiguration, "the images have types \(types.map(\.rawValue).sorted()); use float32 output to mix them")
            }
            guard c.normalization == nil else {
                throw BatchLoaderError(.invalidConfiguration, "normalisation needs float32 output")
            }
            imageType = only
        }
        if let n = c.normalization {
            guard [1, channels.count].contains(n.mean.count), [1, channels.count].contains(n.std.count), n.std.allSatisfy({ $0 != 0 }) else {
                throw BatchLoaderError(.invalidConfiguration, "give one mean and one non-zero std, or one per channel (\(channels.count))")
            }
        }
        maskType = index.sources.compactMap(\.labelDataType).first
        let sampled = sampler.patchShape(in: index)
        if sampled[0] > 1, let flat = index.sources.first(where: { $0.axes.z == nil }) {
            throw BatchLoaderError(.invalidConfiguration, "the patch \(sampled.map(String.init).joined(separator: ",")) (z,y,x) is 3-D but the image '\(flat.name)' is 2-D (it has no z axis); give a 2-D patch (y,x) for 2-D images",
                                   context: ErrorContext(file: flat.name))
        }
        if let crop = c.augmentation.crop {
            let shape = spatialShape(crop)
            guard crop.count == 3 || (crop.count == 2 && sampled[0] == 1), (0..<3).allSatisfy({ (1...sampled[$0]).contains(shape[$0]) }) else {
                throw BatchLoaderError(.invalidConfiguration, "the crop \(crop) must have one positive extent per patch axis, each at most the sampled patch's \(sampled)")
            }
            patchShape = shape
        } else {
            patchShape = sampled
        }
        // Sizes come from the command line and from the images' metadata: every product is checked.
        let patchText = patchShape.map(String.init).joined(separator: "×")
        func tooLarge(_ what: String) -> BatchLoaderError {
            BatchLoaderError(.invalidConfiguration, "\(what) is more bytes than this machine can address; use a smaller patch, batch size, prefetch or number of workers")
        }
        guard let pixels = checkedProduct(patchShape),
              let imageBytes = checkedProduct([pixels, channels.count, imageType.byteSize]),
              let maskBytes = checkedProduct([pixels, maskType?.byteSize ?? 0]), imageBytes <= Int.max - maskBytes,
              let batchTotal = checkedProduct([c.batchSize, imageBytes + maskBytes])
        else {
            throw tooLarge("a batch of \(c.batchSize) patches of \(patchText) pixels with \(channels.count) channel(s) of \(imageType.rawValue)")
        }
        imagePatchBytes = imageBytes
        maskPatchBytes = maskBytes
        batchBytes = batchTotal
        var chunkBytes = 0
        for source in index.sources {
            var arrays = [source.image]
            if let label = source.label { arrays.append(label) }
            for array in arrays {
                guard let bytes = checkedProduct(array.readChunkShape + [array.dataType.byteSize]) else {
                    throw BatchLoaderError(.unsupportedImage, "a chunk of shape \(array.readChunkShape) of \(array.dataType) in \(source.name) is more bytes than this machine can address; the image's metadata is damaged or the chunks must be made smaller")
                }
                chunkBytes = max(chunkBytes, bytes)
            }
        }
        guard c.prefetch < Int.max, let batchesBytes = checkedProduct([c.prefetch + 1, batchBytes]),
              let workerBytes = checkedProduct([c.workers, chunkBytes]), batchesBytes <= Int.max - workerBytes
        else {
            throw tooLarge("\(c.prefetch) prefetched batches and the one being filled, of \(batchBytes) bytes and \(c.workers) chunks of \(chunkBytes) bytes")
        }
        var floor = batchesBytes + workerBytes
        guard c.memoryBudget >= floor else {
            throw BatchLoaderError(.budgetTooSmall, "the memory budget of \(c.memoryBudget) bytes cannot hold \(c.prefetch + 1) batches of \(batchBytes) bytes and one chunk of \(chunkBytes) bytes per worker; give at least \(floor) bytes")
        }
        // What the loader counts (its own buffers) stays under the budget by the allocator's
        // headroom, so that the process's memory, allocator and threads included, stays within it;
        // a budget too tight for that gives up the headroom before the floor.
        let counted = max(floor, c.memoryBudget - c.memoryBudget / Self.allocatorShare)
        // Bytes read ahead get a reserve of their own, out of the cache's share (at most a quarter
        // of it), so they can never starve the workers' decode buffers; a budget too small for
        // one chunk there reads nothing ahead. Reads asked for get room for twice their chunks
        // (those in flight and as many read, not yet taken); sized ones get as many queues as half
        // the quarter holds chunks, and the read stage keeps of the quarter room for twice the
        // reads it starts with, more only out of what the cache does not hold (ChunkReadAhead),
        // leaving the rest to the cache.
        let quarter = (counted - floor) / 4
        let reserve = sized ? quarter : min(checkedProduct([2, asked, chunkBytes]) ?? Int.max, quarter)
        let reads = sized ? min(Self.maximumConcurrency, max(1, reserve / max(2 * chunkBytes, 1))) : asked
        readAheadRequested = reads
        // The smallest budget whose counted share (all but a sixth) leaves four chunks above the
        // floor, so that a quarter of the rest holds one chunk.
        readAheadMinimumBudget = Self.smallestBudget(counting: checkedProduct([4, chunkBytes]).flatMap { floor <= Int.max - $0 ? floor + $0 : nil })
        // Asked for and impossible: refused (a default read-ahead is turned off instead; see
        // readAheadRequested).
        if let asked = c.readAhead, asked > 0, reserve < chunkBytes {
            throw BatchLoaderError(.budgetTooSmall, "a read-ahead of \(asked) chunks cannot be honoured: the memory budget of \(byteCountText(c.memoryBudget)) leaves no room to hold even one chunk read ahead; give a budget of at least \(readAheadMinimumBudget) bytes (\(byteCountText(readAheadMinimumBudget))), or a read-ahead of 0")
        }
        floor += reserve
        // Sharded images keep their shard indexes (each read once instead of once per inner chunk)
        // in a cache of their own, out of the chunk cache's share like the read-ahead reserve.
        let sharded = index.sources.contains { $0.image.chain.sharding != nil || $0.label?.chain.sharding != nil }
        let indexCacheBytes = sharded ? min(Self.maximumShardIndexCacheBytes, (counted - floor) / 16) : 0
        floor += indexCacheBytes
        let shardIndexes = indexCacheBytes > 0 ? ShardIndexCache(maxBytes: indexCacheBytes) : nil
        let budget = MemoryBudget(limit: counted)
        // The process may grow by half the allocator's headroom beyond what the loader holds.
        allocatorTrim = AllocatorTrim(slack: (c.memoryBudget - counted) / 2)
        self.budget = budget
        let cache = ChunkCache(capacity: counted - floor)
        self.cache = cache
        // Sized reads start at one per patch of a batch until the workers have assembled a batch's patches.
        let sizing = sized ? ReadAheadSizing(limit: reads, workers: c.workers, initial: c.batchSize) : nil
        let readAhead = reads > 0 && reserve >= chunkBytes
            ? ChunkReadAhead(concurrency: reads, reserve: reserve, chunkBytes: chunkBytes, budget: budget, cache: cache, counters: counters, sizing: sizing)
            : nil
        self.readAhead = readAhead
        var stores = 0
        self.index = try SampleIndex(sources: index.sources.map {
            let wrapped = try $0.rewrapped { base in
                let counted = CountingStore(base: base, counters: counters)
                guard let readAhead else { return counted }
                stores += 1
                return ReadAheadStore(base: counted, number: stores, readAhead: readAhead)
            }
            return shardIndexes.map { wrapped.cachingShardIndexes(in: $0) } ?? wrapped
        }, weights: index.weights)
        chunkBuffers = ChunkBufferPool(limit: 4 * c.workers, budget: budget)
        pool = BufferPool(bytes: batchBytes, capacity: (counted - c.workers * chunkBytes) / max(batchBytes, 1), budget: budget)
    }

    /// The sample order of `epoch` on this rank.
    /// - Throws: ``BatchLoaderError`` as ``SampleOrder/init(count:seed:epoch:rank:worldSize:shuffle:blockSize:)``.
    public func order(epoch: Int) throws -> SampleOrder {
        try SampleOrder(count: sampler.sampleCount(in: index), seed: configuration.seed, epoch: epoch, rank: rank,
                        worldSize: worldSize, shuffle: configuration.shuffle, blockSize: configuration.shuffleBlockSize)
    }

    /// The number of batches of an epoch on this rank.
    public var batchesPerEpoch: Int {
        let n = (sampler.sampleCount(in: index) + worldSize - 1) / worldSize
        return configuration.dropLast ? n / configuration.batchSize : (n + configuration.batchSize - 1) / configuration.batchSize
    }

    /// The sample, request and random stream at `position` of this rank's shard of an epoch.
    public func sample(at position: Int, order: SampleOrder) -> (sample: Int, request: PatchRequest, random: SampleRandom) {
        let sample = order[position]
        var random = SampleRandom(seed: configuration.seed, epoch: order.epoch, index: sample)
        let request = sampler.request(sample, in: index, random: &random)
        return (sample, request, SampleRandom(key: SampleRandom.mix(random.key ^ 0xA11CE)))
    }

    /// The blocking iterator over the batches of `epoch`, from batch `startingAt`.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` for a start beyond the epoch.
    public func batches(epoch: Int, startingAt batch: Int = 0) throws -> BatchIterator {
        let order = try order(epoch: epoch)
        guard (0...batchesPerEpoch).contains(batch) else {
            throw BatchLoaderError(.invalidConfiguration, "batch \(batch) is outside the epoch's \(batchesPerEpoch) batches")
        }
        return BatchIterator(pipeline: Pipeline(loader: self, order: order, start: batch))
    }

    /// The iterator that continues where `checkpoint` was taken.
    /// - Throws: ``BatchLoaderError`` `.invalidCheckpoint` when the seed differs.
    public func batches(resuming checkpoint: LoaderCheckpoint) throws -> BatchIterator {
        guard checkpoint.seed == configuration.seed else {
            throw BatchLoaderError(.invalidCheckpoint, "the checkpoint has seed \(checkpoint.seed); this loader \(configuration.seed)")
        }
        return try batches(epoch: checkpoint.epoch, startingAt: checkpoint.batch)
    }

    /// The smallest budget `b` with `b - b / allocatorShare >= counted` (`Int.max` when there is none).
    static func smallestBudget(counting counted: Int?) -> Int {
        guard let counted, let scaled = checkedProduct([counted, allocatorShare]) else { return Int.max }
        var budget = (scaled + allocatorShare - 2) / (allocatorShare - 1)
        while budget > 0, (budget - 1) - (budget - 1) / allocatorShare >= counted { budget -= 1 }
        return budget
    }

    /// The chunk reads in flight ahead of the workers at most (0: none are read ahead: none were
    /// asked for, or the budget is below ``readAheadMinimumBudget``). Sized by the loader (images
    /// over the network, ``BatchLoaderConfiguration/readAhead`` `nil`): the chunks that half of a
    /// quarter of the cache's share of the budget holds, of which the loader keeps as many in
    /// flight as Little's law asks (reads per second the workers can take × seconds per read),
    /// never fewer than a batch's patches (``LoaderMetrics/mostReadsInFlight`` says how many it had).
    public var readAheadConcurrency: Int { readAhead?.concurrency ?? 0 }

    /// The metrics so far (all epochs).
    public var metrics: LoaderMetrics {
        let (hits, shared, misses) = cache.counts
        let memory = budget.snapshot
        return LoaderMetrics(bytesRead: counters.bytesRead.load(ordering: .relaxed), chunksDecoded: counters.chunksDecoded.load(ordering: .relaxed),
                             chunksReadAhead: readAhead?.counts.taken ?? 0, mostReadsInFlight: readAhead?.counts.mostInFlight ?? 0,
                             cacheHits: hits, sharedLoads: shared, cacheMisses: misses, patches: counters.patches.load(ordering: .relaxed),
                             batches: counters.batches.load(ordering: .relaxed),
                             consumerWaitSeconds: Double(counters.consumerWaitNanos.load(ordering: .relaxed)) / 1e9,
                             producerMemoryWaitSeconds: memory.waited, memoryInUse: memory.used, peakMemoryBytes: memory.peak,
                             memoryBudget: configuration.memoryBudget)
    }
}

/// Per-stage counters of a loader.
public struct LoaderMetrics: Sendable, Hashable, Codable {
    /// Encoded bytes read from the stores.
    public var bytesRead: Int
    /// Chunks read and decoded.
    public var chunksDecoded: Int
    /// Chunks whose bytes the read stage had read before a worker needed them
    /// (``BatchLoaderConfiguration/readAhead``).
    public var chunksReadAhead: Int
    /// The most chunk reads the read stage had in flight at once (at most ``BatchLoader/readAheadConcurrency``;
    /// when it sizes itself, what ``BatchLoaderConfiguration/readAhead`` describes chose).
    public var mostReadsInFlight: Int
    /// Chunk lookups the cache answered.
    public var cacheHits: Int
    /// Chunk lookups answered by waiting for another worker decoding the same chunk (each chunk is
    /// decoded once however many workers need it at the same time).
    public var sharedLoads: Int
    /// Chunk lookups the cache could not answer (each one a read and a decode).
    public var cacheMisses: Int
    /// Patches assembled.
    public var patches: Int
    /// Batches delivered to the consumer.
    public var batches: Int
    /// Seconds the consumer waited for batches.
    public var consumerWaitSeconds: Double
    /// Seconds producers waited for memory.
    public var producerMemoryWaitSeconds: Double
    /// Bytes the loader holds now.
    public var memoryInUse: Int
    /// The most bytes the loader held at once.
    public var peakMemoryBytes: Int
    /// The budget.
    public var memoryBudget: Int

    /// The fraction of chunk lookups that needed no decode of their own: `(hits + shared) /
    /// (hits + shared + misses)`, 0 without lookups.
    public var cacheHitRate: Double {
        let lookups = cacheHits + sharedLoads + cacheMisses
        return lookups == 0 ? 0 : Double(cacheHits + sharedLoads) / Double(lookups)
    }
}

/// The product of non-negative `factors`, or `nil` when it does not fit an `Int`.
func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        guard factor >= 0 else { return nil }
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = next
    }
    return product
}
