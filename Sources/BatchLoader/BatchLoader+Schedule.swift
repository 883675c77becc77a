import Zarr

extension BatchLoader {
    /// How many patches ahead of the one being filled the pipeline tells the cache which chunks
    /// will be looked up (see ``ChunkCache``). Benchmarks/cache_policy_sim.py, on the loader
    /// benchmark's workload (a cache of about 3,000 chunks, 8 per patch), found the decoding per
    /// patch 0.359 ms by recency and frequency alone, 0.369 with 1,024 patches registered ahead,
    /// 0.244 with 2,048, 0.219 with 4,096, and no better with more (8,192 patches; 60,000: 0.267
    /// against 0.163).
    static let scheduleHorizon = 4096

    /// The most chunk lookups registered ahead at once (see ``ChunkCache/scheduledLookups``): 4,096
    /// patches of 8 chunks, a few MiB of positions; patches of many chunks each (whole images, 3-D
    /// boxes) are registered fewer patches ahead.
    static let scheduleLookups = 32_768

    /// Calls `body` with every chunk the patch of `sampled` (with its sample's `random` stream)
    /// looks up, as ``PatchReader`` looks them up: the image's chunks for each selected channel,
    /// then the label's (when the loader reads masks).
    func forEachChunk(of sampled: PatchRequest, random: SampleRandom, _ body: (ZarrArray, ChunkID) -> Void) {
        let (request, _) = readRequest(sampled, random: random)
        let source = index.sources[request.source]
        forEachChunk(request, array: source.image, arrayID: request.source * 2, axes: source.axes, channels: channels, body)
        if maskType != nil, let label = source.label, let axes = source.labelAxes {
            forEachChunk(request, array: label, arrayID: request.source * 2 + 1, axes: axes, channels: [0], body)
        }
    }

    /// Tells the cache which chunks the patches at positions `positions` of `order` will look up
    /// (schedule `schedule`, see ``ChunkCache/schedule(_:position:chunks:)``), in order, while fewer
    /// than ``scheduleLookups`` lookups are registered ahead; returns the position it stopped at.
    func registerChunks(of positions: Range<Int>, order: SampleOrder, schedule: Int) -> Int {
        var ids: [ChunkID] = []
        for position in positions {
            guard cache.scheduledLookups < Self.scheduleLookups else { return position }
            let s = sample(at: position, order: order)
            ids.removeAll(keepingCapacity: true)
            forEachChunk(of: s.request, random: s.random) { _, id in ids.append(id) }
            cache.schedule(schedule, position: position, chunks: ids)
        }
        return positions.upperBound
    }

    private func forEachChunk(_ request: PatchRequest, array: ZarrArray, arrayID: Int, axes: SampleSource.AxisSlots,
                              channels: [Int], _ body: (ZarrArray, ChunkID) -> Void) {
        for channel in channels {
            guard let box = PatchReader.box(of: request, channel: channel, shape: array.shape, axes: axes) else { continue }
            let (first, last) = PatchReader.chunkRange(lower: box.lower, upper: box.upper, chunkShape: array.readChunkShape)
            PatchReader.forEachChunk(from: first, through: last) { body(array, ChunkID(array: arrayID, index: $0)) }
        }
    }
}
