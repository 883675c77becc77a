import Zarr

extension BatchLoader {
    /// Queues reads of the chunks that the patches of `requests` need and that are neither cached
    /// nor being decoded (see ``ChunkReadAhead``); nothing without read-ahead. Sharded arrays are
    /// skipped.
    func scheduleReads(_ requests: [PatchRequest], randoms: [SampleRandom]) {
        guard let readAhead else { return }
        var jobs: [ChunkReadAhead.Job] = []
        for (sampled, random) in zip(requests, randoms) {
            forEachChunk(of: sampled, random: random) { array, id in
                guard let store = array.store as? ReadAheadStore, array.readChunkShape == array.metadata.chunkShape,
                      !cache.holds(id) else { return }
                jobs.append(ChunkReadAhead.Job(store: store, key: array.chunkKey(id.index)))
            }
        }
        readAhead.schedule(jobs)
    }
}
