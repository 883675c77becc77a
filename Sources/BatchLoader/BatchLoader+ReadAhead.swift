import Zarr

extension BatchLoader {
    /// Queues reads of the chunks that the patches of `requests` need and that are neither cached
    /// nor being decoded (see ``ChunkReadAhead``; an inner chunk of a sharded array is located
    /// by the read stage); nothing without read-ahead.
    func scheduleReads(_ requests: [PatchRequest], randoms: [SampleRandom]) {
        guard let readAhead else { return }
        var jobs: [ChunkReadAhead.Job] = []
        for (sampled, random) in zip(requests, randoms) {
            forEachChunk(of: sampled, random: random) { array, id in
                guard let store = array.store as? ReadAheadStore, !cache.holds(id) else { return }
                jobs.append(ChunkReadAhead.Job(store: store, key: array.readChunkStoreKey(id.index), chunk: id,
                                               sharded: array.chain.sharding == nil ? nil : array))
            }
        }
        readAhead.schedule(jobs)
    }
}
