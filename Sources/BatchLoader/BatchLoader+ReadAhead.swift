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
                if let sharding = array.chain.sharding {
                    let shard = zip(id.index, sharding.chunksPerShard).map { $0 / $1 }
                    jobs.append(ChunkReadAhead.Job(store: store, key: array.chunkKey(shard), chunk: id, sharded: array))
                } else {
                    jobs.append(ChunkReadAhead.Job(store: store, key: array.chunkKey(id.index), chunk: id))
                }
            }
        }
        readAhead.schedule(jobs)
    }
}
