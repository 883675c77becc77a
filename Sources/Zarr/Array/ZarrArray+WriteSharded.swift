import MIFACore

extension ZarrArray {
    /// What writing a region needs of one shard: its old bytes and index (when some of its inner
    /// chunks are kept or updated partly) and the inner chunks to encode.
    struct ShardWritePlan: Sendable {
        var key: StoreKey
        var old: [UInt8]?
        var index: ShardIndex?
        var tasks: [InnerChunkWrite] = []
    }

    /// One inner chunk to encode.
    struct InnerChunkWrite: Sendable {
        var shard: Int
        var position: Int
        var origin: [Int]
        var partial: Bool
    }

    /// Sharded writes: read a shard only when some of it must be kept, encode the touched inner
    /// chunks in parallel, keep untouched ones as stored bytes, and assemble each shard once.
    func writeSharded(_ region: Region, sharding: BoundShardingCodec, from source: SharedSource, strides: [Int], concurrency: Int?) throws {
        let shards = Self.chunkIndices(of: region, chunkShape: metadata.chunkShape)
        let shardShape = metadata.chunkShape
        let innerShape = sharding.innerChunkShape
        for batchStart in stride(from: 0, to: shards.count, by: Self.shardBatch) {
            let batch = (batchStart..<Swift.min(batchStart + Self.shardBatch, shards.count)).map { shards[$0] }
            let plans = Slots<ShardWritePlan>(count: batch.count)
            try Parallel.forEach(batch.count, concurrency: concurrency) { s, _ in
                let key = chunkKey(batch[s])
                do {
                    let shardOrigin = zip(batch[s], shardShape).map(*)
                    var plan = ShardWritePlan(key: key)
                    var needsOld = false
                    var position = 0
                    GridIndex.forEach(sharding.chunksPerShard) { inner in
                        defer { position += 1 }
                        let origin = (0..<rank).map { shardOrigin[$0] + inner[$0] * innerShape[$0] }
                        var touched = true
                        var partial = false
                        for axis in 0..<rank {
                            let end = Swift.min(origin[axis] + innerShape[axis], shape[axis])
                            let range = region.ranges[axis]
                            if origin[axis] >= shape[axis] || range.upperBound <= origin[axis] || range.lowerBound >= end { touched = false }
                            if range.lowerBound > origin[axis] || range.upperBound < end { partial = true }
                        }
                        guard touched else {
                            if (0..<rank).allSatisfy({ origin[$0] < shape[$0] }) { needsOld = true }
                            return
                        }
                        if partial { needsOld = true }
                        plan.tasks.append(InnerChunkWrite(shard: s, position: position, origin: origin, partial: partial))
                    }
                    if needsOld, let old = try store.get(key) {
                        plan.index = try old.withUnsafeBytes { raw -> ShardIndex in
                            guard raw.count >= sharding.indexSize else {
                                throw ZarrError(.corruptChunk, "shard has \(raw.count) bytes, less than its \(sharding.indexSize)-byte index")
                            }
                            let indexBytes = sharding.indexAtEnd ? UnsafeRawBufferPointer(rebasing: raw[(raw.count - sharding.indexSize)...])
                                                                 : UnsafeRawBufferPointer(rebasing: raw[..<sharding.indexSize])
                            return try sharding.decodeIndex(indexBytes, shardSize: raw.count)
                        }
                        plan.old = old
                    }
                    plans[s] = plan
                } catch {
                    throw locate(error, key: key)
                }
            }
            let shardPlans = plans.all.map { $0! }
            let tasks = shardPlans.flatMap(\.tasks)
            let encoded = Slots<[UInt8]>(count: tasks.count)
            try Parallel.forEach(tasks.count, concurrency: concurrency) { t, scratch in
                let task = tasks[t]
                let plan = shardPlans[task.shard]
                do {
                    encoded[t] = try updatedChunk(chain: sharding.inner, chunkOrigin: task.origin, region: region, from: source,
                                                  strides: strides, scratch: &scratch) {
                        guard let old = plan.old, let range = plan.index?.ranges[task.position] else { return nil }
                        return Array(old[range])
                    }
                } catch let error as ZarrError {
                    let inner = zip(task.origin, innerShape).map { $0 / $1 }
                    throw locate(error.withMessagePrefix("inner chunk at \(inner)"), key: plan.key)
                }
            }
            var taskStart = [Int](repeating: 0, count: shardPlans.count)
            var running = 0
            for (s, plan) in shardPlans.enumerated() {
                taskStart[s] = running
                running += plan.tasks.count
            }
            let starts = taskStart
            try Parallel.forEach(shardPlans.count, concurrency: concurrency) { s, _ in
                let plan = shardPlans[s]
                do {
                    var chunks = [[UInt8]?](repeating: nil, count: sharding.innerCount)
                    if let old = plan.old, let index = plan.index {
                        for (position, range) in index.ranges.enumerated() {
                            if let range { chunks[position] = Array(old[range]) }
                        }
                    }
                    for (offset, task) in plan.tasks.enumerated() {
                        chunks[task.position] = encoded[starts[s] + offset]
                    }
                    // The shard's cached index is dropped before the write (a failed write may have
                    // changed the shard anyway) and after it (a read meanwhile may have cached the old one).
                    // So are its cached decoded inner chunks.
                    let cacheKey = shardIndexCache.map { _ in shardIndexCacheKey(plan.key) }
                    let chunkPrefix = decodedChunkCache.map { _ in decodedChunkCachePrefix(plan.key) }
                    let drop = {
                        if let cacheKey { shardIndexCache?.remove(cacheKey) }
                        if let chunkPrefix { decodedChunkCache?.removeAll(withPrefix: chunkPrefix) }
                    }
                    drop()
                    defer { drop() }
                    if let shard = try sharding.assemble(chunks) {
                        try store.set(plan.key, shard)
                    } else {
                        try store.delete(plan.key)
                    }
                } catch {
                    throw locate(error, key: plan.key)
                }
            }
        }
    }
}
