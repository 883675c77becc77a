/// The settings of a ``BatchLoader``; every value has a default.
public struct BatchLoaderConfiguration: Sendable, Hashable {
    /// The element type of batch images.
    public enum ImageType: Sendable, Hashable {
        /// The images' own type.
        case native
        /// 32-bit floats (normalised if ``BatchLoaderConfiguration/normalization`` is set).
        case float32
    }

    /// Samples per batch.
    public var batchSize: Int
    /// The seed every random choice derives from.
    public var seed: UInt64
    /// Whether to shuffle the samples of each epoch.
    public var shuffle: Bool
    /// Shuffle blocks of this many consecutive samples (1: every sample on its own).
    public var shuffleBlockSize: Int
    /// This rank; `nil` reads `RANK` from the environment (0 when unset).
    public var rank: Int?
    /// The number of ranks; `nil` reads `WORLD_SIZE` from the environment (1 when unset).
    public var worldSize: Int?
    /// Worker threads decoding chunks and assembling patches.
    public var workers: Int
    /// The most chunk reads in flight ahead of the workers, on threads of their own: the chunks the
    /// next patches need are read while the workers decode earlier ones, which hides a remote
    /// store's latency. 0 lets each worker read its chunks itself (best for local files, where a
    /// read costs microseconds); `nil` chooses: when an image is read over the network
    /// (`http(s)://`, `s3://`), as many as Little's law says, measured as the loader runs (the
    /// chunks the workers decode per second outside their reads times the time a read takes),
    /// never fewer than a batch's patches (see ``BatchLoader/readAheadConcurrency`` for the
    /// most), else 0. A read-ahead asked
    /// for that the memory budget cannot hold is refused; a default one is turned off
    /// (``BatchLoader/readAheadConcurrency`` 0, ``BatchLoader/readAheadMinimumBudget`` says from
    /// which budget it would be on).
    public var readAhead: Int?
    /// At most this many batches are in flight or ready ahead of the consumer.
    public var prefetch: Int
    /// The most memory the loader makes the process use: decoded chunks, batch buffers, and what
    /// the allocator keeps around them. A sixth of it (``BatchLoader/allocatorShare``) is left
    /// for the allocator (freed blocks kept for reuse, page rounding of large blocks, encoded bytes
    /// being decoded); of the rest, what the batch buffers (`(prefetch + 1) × batch`) and one
    /// chunk per worker leave is the decoded-chunk cache.
    public var memoryBudget: Int
    /// The element type of batch images.
    public var imageType: ImageType
    /// Normalisation of float32 images, if any.
    public var normalization: Normalization?
    /// The channels to read (indices into the c axis); `nil` for all.
    public var channels: [Int]?
    /// Whether to drop a last batch smaller than ``batchSize``.
    public var dropLast: Bool
    /// Whether batches are delivered in order (`false`: as soon as each is ready).
    public var ordered: Bool
    /// Augmentations applied to images, masks and annotations alike.
    public var augmentation: AugmentationOptions
    /// Whether workers hash each patch as they finish it, so that ``Batch/digest`` costs the
    /// consumer almost nothing (the hash is the same without it).
    public var digests: Bool

    /// Settings with defaults: batch 32, seed 0, shuffled, 2 workers, reads ahead for remote
    /// stores, prefetch 2, 1 GiB budget, native type.
    public init(batchSize: Int = 32, seed: UInt64 = 0, shuffle: Bool = true, shuffleBlockSize: Int = 1, rank: Int? = nil,
                worldSize: Int? = nil, workers: Int = 2, readAhead: Int? = nil, prefetch: Int = 2, memoryBudget: Int = 1 << 30,
                imageType: ImageType = .native, normalization: Normalization? = nil, channels: [Int]? = nil,
                dropLast: Bool = false, ordered: Bool = true, augmentation: AugmentationOptions = AugmentationOptions(),
                digests: Bool = false) {
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.shuffleBlockSize = shuffleBlockSize
        self.rank = rank
        self.worldSize = worldSize
        self.workers = workers
        self.readAhead = readAhead
        self.prefetch = prefetch
        self.memoryBudget = memoryBudget
        self.imageType = imageType
        self.normalization = normalization
        self.channels = channels
        self.dropLast = dropLast
        self.ordered = ordered
        self.augmentation = augmentation
        self.digests = digests
    }
}
