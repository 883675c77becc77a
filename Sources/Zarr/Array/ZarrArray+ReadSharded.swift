import MIFACore

extension ZarrArray {
    /// Neighbouring inner chunks closer than this are fetched with one range request.
    static let coalescingGap = 16 * 1024

    /// Shards handled together (rounded to whole rows of shards): their indexes, fetches and
    /// decodes each run in parallel.
    static let shardBatch = 64

    /// An inner chunk to decode: where it goes and where its bytes are in its read group.
    struct InnerChunkRead: Sendable {
        var origin: [Int]
        var range: Range<Int>
        var group: Int
        /// The inner chunk's position in its shard (C order), for ``decodedChunkCache``.
        var position: Int
    }

    /// One range request in one shard.
    struct ShardRead: Sendable {
        var key: StoreKey
        var range: Range<Int>
    }

    /// The part of one shard a region needs.
    struct ShardPlan: Sendable {
        var reads: [ShardRead] = []
        var chunks: [InnerChunkRead] = []
    }

    /// Partial shard reads: one suffix (or prefix) read of each index, then range reads of the inner
    /// chunks the region touches, then parallel decoding into the destination.
    func readSharded(_ region: Region, sharding: BoundShardingCodec, into destination: SharedBuffer, strides: [Int], concurrency: Int?) throws {
        let shards = Self.chunkIndices(of: region, chunkShape: metadata.chunkShape)
        let rowLength = shards.counts.last ?? 1
        let batchSize = Swift.max(1, Self.shardBatch / rowLength) * rowLength
        for batchStart in stride(from: 0, to: shards.count, by: batchSize) {
            let batch = (batchStart..<Swift.min(batchStart + batchSize, shards.count)).map { shards[$0] }
            let plans = Slots<ShardPlan>(count: batch.count)
            let plan = { @Sendable (i: Int, _: inout [UInt8]) throws in
                let key = chunkKey(batch[i])
                do {
                    plans[i] = try planShardRead(batch[i], key: key, region: region, sharding: sharding, into: destination, strides: strides)
                } catch {
                    throw locate(error, key: key)
                }
            }
            // With every index cached, planning reads nothing: waking a helper for it would cost
            // more than it saves (a small region's read is a few hundred microseconds).
            let indexesCached = shardIndexCache.map { cache in batch.allSatisfy { cache.contains(shardIndexCacheKey(chunkKey($0))) } } ?? false
            try Parallel.forEach(batch.count, concurrency: indexesCached ? 1 : concurrency, plan)
            var allReads: [ShardRead] = []
            var allChunks: [InnerChunkRead] = []
            var oneReadPerShard = true
            for plan in plans.all {
                oneReadPerShard = oneReadPerShard && plan?.reads.count == 1
                guard let plan else { continue }
                let base = allReads.count
                allReads += plan.reads
                allChunks += plan.chunks.map { var chunk = $0; chunk.group += base; return chunk }
            }
            let reads = allReads
            let chunks = allChunks
            let workers = Swift.max(1, concurrency ?? Parallel.defaultConcurrency)
            if reads.count >= workers {
                // Enough reads to keep every worker busy: each fetches a group and decodes its inner
                // chunks at once, so only one group per worker is in memory (fresh memory for all
                // groups at once costs more in page faults than it saves). With one read per shard,
                // each worker starts on its own rows of shards.
                var byGroup = [[InnerChunkRead]](repeating: [], count: reads.count)
                for chunk in chunks { byGroup[chunk.group].append(chunk) }
                let groups = byGroup
                try Parallel.forEach(reads.count, rowLength: oneReadPerShard ? rowLength : 1, concurrency: concurrency) { g, scratch in
                    let bytes = try fetch(reads[g])
                    for chunk in groups[g] {
                        try decode(chunk, from: bytes, read: reads[g], sharding: sharding, region: region,
                                   into: destination, strides: strides, scratch: &scratch)
                    }
                }
                continue
            }
            // Few reads (a small region): fetch them, then decode all inner chunks in parallel.
            let fetched = Slots<[UInt8]>(count: reads.count)
            try Parallel.forEach(reads.count, concurrency: concurrency) { i, _ in
                fetched[i] = try fetch(reads[i])
            }
            try Parallel.forEach(chunks.count, concurrency: concurrency) { i, scratch in
                let chunk = chunks[i]
                try decode(chunk, from: fetched[chunk.group]!, read: reads[chunk.group], sharding: sharding, region: region,
                           into: destination, strides: strides, scratch: &scratch)
            }
        }
    }

    /// Fetches one range of a shard, checking that the shard really holds it.
    private func fetch(_ read: ShardRead) throws -> [UInt8] {
        do {
            let length = read.range.count
            guard let bytes = try store.get(read.key, range: .range(offset: read.range.lowerBound, length: length)) else {
                throw ZarrError(.storeFailure, "the shard disappeared while it was being read")
            }
            guard bytes.count == length else {
                throw ZarrError(.corruptChunk, "shard index points at bytes \(read.range.lowerBound)..<\(read.range.upperBound), but the shard ends at byte \(read.range.lowerBound + bytes.count)",
                                context: ErrorContext(offset: read.range.lowerBound))
            }
            return bytes
        } catch {
            throw locate(error, key: read.key)
        }
    }

    /// Decodes one inner chunk out of the bytes fetched for its read group.
    private func decode(_ chunk: InnerChunkRead, from bytes: [UInt8], read: ShardRead, sharding: BoundShardingCodec, region: Region,
                        into destination: SharedBuffer, strides: [Int], scratch: inout [UInt8]) throws {
        do {
            let start = chunk.range.lowerBound - read.range.lowerBound
            try bytes.withUnsafeBytes { raw in
                let encoded = UnsafeRawBufferPointer(rebasing: raw[start..<(start + chunk.range.count)])
                if let cache = decodedChunkCache {
                    // A missed chunk is decoded into the worker's scratch buffer, which the cache
                    // keeps; the buffer of the entry it evicts becomes the worker's scratch. With a
                    // full cache no miss allocates or faults in fresh pages (a reader still copying
                    // out of the evicted entry keeps it: the next decode into it copies first).
                    let byteCount = try Self.checkedByteCount(sharding.inner)
                    var decoded: [UInt8] = []
                    if scratch.count == byteCount { swap(&decoded, &scratch) } else { Parallel.reserve(&decoded, byteCount) }
                    try decoded.withUnsafeMutableBytes { try sharding.inner.decode(encoded, into: $0) }
                    let evicted = cache.insert(decoded, for: decodedChunkCacheKey(read.key, inner: chunk.position))
                    if scratch.count != byteCount, let spare = evicted.last(where: { $0.count == byteCount }) { scratch = spare }
                    try place(decoded: decoded, chain: sharding.inner, chunkOrigin: chunk.origin, region: region,
                              into: destination, strides: strides)
                    return
                }
                try place(encoded, chain: sharding.inner, chunkOrigin: chunk.origin, region: region,
                          into: destination, strides: strides, scratch: &scratch)
            }
        } catch let error as ZarrError {
            let inner = zip(chunk.origin, sharding.innerChunkShape).map { $0 / $1 }
            throw locate(error.withMessagePrefix("inner chunk at \(inner) (bytes \(chunk.range.lowerBound)..<\(chunk.range.upperBound))"), key: read.key)
        }
    }

    /// The index of the shard at `key`: from ``shardIndexCache`` when it holds it, otherwise read
    /// (one request of ``BoundShardingCodec/indexRange``; concurrent readers of one shard wait for
    /// one read), decoded and cached there; `nil` when the shard is not stored (which is not
    /// cached: it may be written later).
    /// - Throws: ``ZarrError`` `.corruptChunk` for an index that does not decode; store errors.
    func shardIndex(at key: StoreKey, sharding: BoundShardingCodec) throws -> ShardIndex? {
        let read = { () throws -> ShardIndex? in
            guard let indexBytes = try store.get(key, range: sharding.indexRange) else { return nil }
            return try indexBytes.withUnsafeBytes { try sharding.decodeIndex($0, shardSize: nil) }
        }
        guard let cache = shardIndexCache else { return try read() }
        return try cache.value(for: shardIndexCacheKey(key), orRead: read)
    }

    /// Copies the inner chunks the region needs that ``decodedChunkCache`` holds; for the others,
    /// reads and checks the shard's index, fills the parts of the region whose inner chunks (or the
    /// whole shard) are missing, and returns the range reads and decodes the rest needs.
    private func planShardRead(_ shardIndex: [Int], key: StoreKey, region: Region, sharding: BoundShardingCodec,
                               into destination: SharedBuffer, strides: [Int]) throws -> ShardPlan {
        let shardShape = metadata.chunkShape
        let shardOrigin = zip(shardIndex, shardShape).map(*)
        var scratch: [UInt8] = []
        let innerShape = sharding.innerChunkShape
        let local = Region(zip(region.ranges, zip(shardOrigin, shardShape)).map { range, shard in
            let lower = Swift.max(range.lowerBound, shard.0) - shard.0
            let upper = Swift.min(range.upperBound, shard.0 + shard.1) - shard.0
            return lower..<Swift.max(lower, upper)
        })
        // The inner chunks the region needs that are not in the decoded-chunk cache (all, without one).
        var needed: [(origin: [Int], position: Int)] = []
        let inners = Self.chunkIndices(of: local, chunkShape: innerShape)
        for i in 0..<inners.count {
            let inner = inners[i]
            let origin = (0..<rank).map { shardOrigin[$0] + inner[$0] * innerShape[$0] }
            let position = GridIndex.linear(inner, in: sharding.chunksPerShard)
            if let cache = decodedChunkCache, let decoded = cache.value(for: decodedChunkCacheKey(key, inner: position)) {
                try place(decoded: decoded, chain: sharding.inner, chunkOrigin: origin, region: region, into: destination, strides: strides)
            } else {
                needed.append((origin, position))
            }
        }
        guard !needed.isEmpty else { return ShardPlan() }
        guard let index = try self.shardIndex(at: key, sharding: sharding) else {
            if needed.count == inners.count {
                try place(nil, chain: chain, chunkOrigin: shardOrigin, region: region, into: destination, strides: strides, scratch: &scratch)
                return ShardPlan()
            }
            for chunk in needed {
                try place(nil, chain: sharding.inner, chunkOrigin: chunk.origin, region: region, into: destination, strides: strides, scratch: &scratch)
            }
            return ShardPlan()
        }
        var wanted: [(origin: [Int], range: Range<Int>, position: Int)] = []
        for chunk in needed {
            if let range = index.ranges[chunk.position] {
                wanted.append((chunk.origin, range, chunk.position))
            } else {
                try place(nil, chain: sharding.inner, chunkOrigin: chunk.origin, region: region, into: destination, strides: strides, scratch: &scratch)
            }
        }
        wanted.sort { $0.range.lowerBound < $1.range.lowerBound }
        var plan = ShardPlan()
        for item in wanted {
            if let last = plan.reads.last, item.range.lowerBound >= last.range.lowerBound,
               item.range.lowerBound <= last.range.upperBound + Self.coalescingGap {
                plan.reads[plan.reads.count - 1].range = last.range.lowerBound..<Swift.max(last.range.upperBound, item.range.upperBound)
            } else {
                plan.reads.append(ShardRead(key: key, range: item.range))
            }
            plan.chunks.append(InnerChunkRead(origin: item.origin, range: item.range, group: plan.reads.count - 1, position: item.position))
        }
        return plan
    }
}
