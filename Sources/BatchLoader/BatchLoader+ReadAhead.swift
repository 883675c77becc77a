import Zarr

extension BatchLoader {
    /// Queues on the read stage the reads of the chunks that the patches at positions
    /// `start..<opened` of `order` need (the batch just opened), then those of the patches after
    /// them, a batch at a time, while the stage has fewer reads waiting than it wants in flight
    /// (``ChunkReadAhead/needsJobs``), at most ``scheduleHorizon`` patches beyond the opened batch:
    /// so the reads in flight do not depend on how many batches are open (the prefetch). Chunks
    /// cached or being decoded are not queued (see ``ChunkReadAhead``; an inner chunk of a sharded
    /// array is located by the read stage).
    /// - Returns: the position up to which reads are queued (`start` without read-ahead).
    func scheduleReads(from start: Int, opened: Int, order: SampleOrder) -> Int {
        guard let readAhead else { return start }
        let last = min(order.shardCount, opened + Self.scheduleHorizon)
        var position = start
        var end = max(start, opened)
        while position < end || (position < last && readAhead.needsJobs) {
            if position >= end { end = min(last, position + configuration.batchSize) }
            var jobs: [ChunkReadAhead.Job] = []
            for next in position..<end {
                let s = sample(at: next, order: order)
                forEachChunk(of: s.request, random: s.random) { array, id in
                    guard let store = array.store as? ReadAheadStore, !cache.holds(id) else { return }
                    jobs.append(ChunkReadAhead.Job(store: store, key: array.readChunkStoreKey(id.index), chunk: id,
                                                   sharded: array.chain.sharding == nil ? nil : array))
                }
            }
            readAhead.schedule(jobs)
            position = end
        }
        return position
    }
}
