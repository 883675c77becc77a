import Zarr

extension BatchLoader {
    /// Queues reads of the chunks that the patches of `requests` need and that are neither cached
    /// nor being decoded (see ``ChunkReadAhead``); nothing without read-ahead.
    func scheduleReads(_ requests: [PatchRequest], randoms: [SampleRandom]) {
        guard let readAhead else { return }
        var jobs: [ChunkReadAhead.Job] = []
        for (sampled, random) in zip(requests, randoms) {
            let (request, _) = readRequest(sampled, random: random)
            let source = index.sources[request.source]
            collectReads(request, array: source.image, arrayID: request.source * 2, axes: source.axes, channels: channels, into: &jobs)
            if maskType != nil, let label = source.label, let axes = source.labelAxes {
                collectReads(request, array: label, arrayID: request.source * 2 + 1, axes: axes, channels: [0], into: &jobs)
            }
        }
        readAhead.schedule(jobs)
    }

    /// Appends the chunks of `array` that the box of `request` touches, as ``PatchReader`` will
    /// look them up, except those the cache holds. Sharded arrays are skipped.
    private func collectReads(_ request: PatchRequest, array: ZarrArray, arrayID: Int, axes: SampleSource.AxisSlots,
                              channels: [Int], into jobs: inout [ChunkReadAhead.Job]) {
        guard let store = array.store as? ReadAheadStore, array.readChunkShape == array.metadata.chunkShape else { return }
        for channel in channels {
            guard let box = PatchReader.box(of: request, channel: channel, shape: array.shape, axes: axes) else { continue }
            let (first, last) = PatchReader.chunkRange(lower: box.lower, upper: box.upper, chunkShape: array.readChunkShape)
            PatchReader.forEachChunk(from: first, through: last) { index in
                if !cache.holds(ChunkID(array: arrayID, index: index)) {
                    jobs.append(ChunkReadAhead.Job(store: store, key: array.chunkKey(index)))
                }
            }
        }
    }
}
