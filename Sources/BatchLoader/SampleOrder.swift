/// The order of the samples of one epoch on one rank: a pure function of
/// `(seed, epoch, rank, worldSize, position)`.
///
/// The epoch's `count` samples are shuffled by a ``SamplePermutation`` keyed by `(seed, epoch)`
/// (or, with `blockSize > 1`, full blocks of `blockSize` consecutive samples are shuffled and each
/// block is read in order, a short last block staying last, which keeps chunk-neighbouring samples together). Sharding follows PyTorch's
/// `DistributedSampler` with `drop_last=False`: the order is padded by repeating its first samples
/// until it divides evenly, and rank `r` takes positions `r, r + worldSize, ...`. So every rank
/// gets `ceil(count / worldSize)` samples, shards of one epoch are disjoint as positions and
/// together cover every sample (at most `worldSize - 1` samples appear twice).
public struct SampleOrder: Sendable, Hashable {
    /// The number of samples in the epoch (before padding).
    public let count: Int
    /// The seed.
    public let seed: UInt64
    /// The epoch.
    public let epoch: Int
    /// This rank, in `[0, worldSize)`.
    public let rank: Int
    /// The number of ranks.
    public let worldSize: Int
    /// Whether to shuffle at all.
    public let shuffle: Bool
    /// Shuffle blocks of this many consecutive samples (1: shuffle samples).
    public let blockSize: Int
    private let permutation: SamplePermutation

    /// The order of `count` samples for `epoch` on `rank` of `worldSize`.
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when the rank is outside
    ///   `[0, worldSize)`, the world size or block size is below 1, or the count is negative.
    public init(count: Int, seed: UInt64, epoch: Int, rank: Int = 0, worldSize: Int = 1, shuffle: Bool = true, blockSize: Int = 1) throws {
        guard count >= 0, worldSize >= 1, (0..<worldSize).contains(rank), blockSize >= 1 else {
            throw BatchLoaderError(.invalidConfiguration, "need count ≥ 0, world size ≥ 1, 0 ≤ rank < world size and block size ≥ 1; found count \(count), rank \(rank), world size \(worldSize), block size \(blockSize)")
        }
        self.count = count
        self.seed = seed
        self.epoch = epoch
        self.rank = rank
        self.worldSize = worldSize
        self.shuffle = shuffle
        self.blockSize = blockSize
        permutation = SamplePermutation(count: blockSize == 1 ? count : count / blockSize, key: SampleRandom.mix(SampleRandom.mix(seed) ^ UInt64(truncatingIfNeeded: epoch)))
    }

    /// The number of samples this rank gets: `ceil(count / worldSize)`.
    public var shardCount: Int { (count + worldSize - 1) / worldSize }

    /// The sample at global position `position` of the epoch (in `[0, count)`).
    public func globalSample(_ position: Int) -> Int {
        guard shuffle else { return position }
        if blockSize == 1 { return permutation[position] }
        // Full blocks are shuffled; a short last block stays at the end, in order.
        let block = position / blockSize
        guard block < permutation.count else { return position }
        return permutation[block] * blockSize + position % blockSize
    }

    /// The sample at position `position` (in `[0, shardCount)`) of this rank's shard.
    public subscript(position: Int) -> Int {
        precondition(position >= 0 && position < shardCount, "position \(position) is outside the shard of \(shardCount)")
        let global = position * worldSize + rank
        return globalSample(global % count)
    }

    /// The rank and world size from `RANK` and `WORLD_SIZE` in `environment` (0 and 1 when unset).
    /// - Throws: ``BatchLoaderError`` `.invalidConfiguration` when a value is not an integer.
    public static func distributed(from environment: [String: String]) throws -> (rank: Int, worldSize: Int) {
        func value(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = environment[name] else { return fallback }
            guard let number = Int(text) else {
                throw BatchLoaderError(.invalidConfiguration, "\(name)=\(text) is not an integer")
            }
            return number
        }
        return (try value("RANK", 0), try value("WORLD_SIZE", 1))
    }
}

/// Where a loader is in its run: a few integers. Resuming from it yields exactly the batches that
/// would have come next.
public struct LoaderCheckpoint: Sendable, Hashable, Codable {
    /// The seed.
    public var seed: UInt64
    /// The epoch.
    public var epoch: Int
    /// The number of batches of the epoch already delivered.
    public var batch: Int

    /// A checkpoint at batch `batch` of `epoch`.
    public init(seed: UInt64, epoch: Int, batch: Int) {
        self.seed = seed
        self.epoch = epoch
        self.batch = batch
    }
}
