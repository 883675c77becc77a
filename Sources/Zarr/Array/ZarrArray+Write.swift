import MIFACore

extension ZarrArray {
    /// Writes `region` from a raw source whose element `i` of the region sits at
    /// `sum(i[a] * strides[a])` elements from `source.base`, in native byte order.
    ///
    /// Chunks the region covers completely are encoded from the source; partly covered chunks are
    /// read, decoded, updated and re-encoded. Chunks equal to the fill value everywhere are deleted
    /// unless ``writesEmptyChunks``. Sharded arrays assemble each shard once.
    func writeRaw(_ region: Region, from source: SharedSource, strides: [Int], concurrency: Int?) throws {
        try checkFixedSize()
        try checkRegion(region)
        guard store.isWritable else {
            throw ZarrError(.readOnly, "the store at \(store.location) is read-only", context: ErrorContext(file: store.location, key: path))
        }
        guard !region.isEmpty else { return }
        if let sharding = chain.sharding {
            try writeSharded(region, sharding: sharding, from: source, strides: strides, concurrency: concurrency)
            return
        }
        let chunks = Self.chunkIndices(of: region, chunkShape: metadata.chunkShape)
        let chunkShape = metadata.chunkShape
        try Parallel.forEach(chunks.count, concurrency: concurrency) { i, scratch in
            let key = chunkKey(chunks[i])
            do {
                let origin = zip(chunks[i], chunkShape).map(*)
                let encoded = try updatedChunk(chain: chain, chunkOrigin: origin, region: region, from: source, strides: strides,
                                               scratch: &scratch) { try store.get(key) }
                // The chunk's cached decoded copy is dropped before the write (a failed write may
                // have changed the chunk anyway) and after it (a read meanwhile may have cached the old one).
                let cacheKey = decodedChunkCache.map { _ in decodedChunkCacheKey(key) }
                if let cacheKey { decodedChunkCache?.remove(cacheKey) }
                defer { if let cacheKey { decodedChunkCache?.remove(cacheKey) } }
                if let encoded {
                    try store.set(key, encoded)
                } else {
                    try store.delete(key)
                }
            } catch {
                throw locate(error, key: key)
            }
        }
    }

    /// Encodes the new content of one chunk: the source's part of it over the old content (read
    /// with `existing` only when the region covers the chunk partly) or the fill value.
    /// Returns `nil` when the chunk equals the fill value and empty chunks are not written.
    func updatedChunk(chain: BoundCodecChain, chunkOrigin: [Int], region: Region, from source: SharedSource, strides: [Int],
                      scratch: inout [UInt8], existing: () throws -> [UInt8]?) throws -> [UInt8]? {
        let chunkShape = chain.decoded.shape
        let elementSize = chain.decoded.dataType.byteSize
        let byteCount = chain.decoded.byteCount
        guard byteCount <= Self.maximumChunkBytes else {
            throw ZarrError(.invalidMetadata, "a chunk of \(byteCount) bytes is larger than the \(Self.maximumChunkBytes) bytes MIFAKit encodes at once")
        }
        var lower = [Int](repeating: 0, count: rank)
        var extent = [Int](repeating: 0, count: rank)
        var covered = true
        var padded = false
        for axis in 0..<rank {
            let chunkEnd = Swift.min(chunkOrigin[axis] + chunkShape[axis], shape[axis])
            lower[axis] = Swift.max(chunkOrigin[axis], region.ranges[axis].lowerBound)
            let upper = Swift.min(chunkEnd, region.ranges[axis].upperBound)
            extent[axis] = Swift.max(0, upper - lower[axis])
            if lower[axis] > chunkOrigin[axis] || upper < chunkEnd { covered = false }
            if chunkEnd < chunkOrigin[axis] + chunkShape[axis] { padded = true }
        }
        Parallel.reserve(&scratch, byteCount)
        let fill = chain.decoded.fillValue.bytes
        let keepEmpty = writesEmptyChunks
        return try scratch.withUnsafeMutableBytes { buffer -> [UInt8]? in
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[..<byteCount])
            if !covered, let old = try existing() {
                try old.withUnsafeBytes { try chain.decode($0, into: chunk) }
            } else if !covered || padded {
                StridedCopy.fill(chunk.baseAddress!, strides: MemoryOrder.rowMajor.strides(for: [byteCount / elementSize]), extent: [byteCount / elementSize], value: fill)
            }
            let sourceStart = source.base! + GridIndex.offset(zip(lower, region.origin).map(-), strides) * elementSize
            let chunkStart = chunk.baseAddress! + GridIndex.offset(zip(lower, chunkOrigin).map(-), chain.layoutStrides) * elementSize
            StridedCopy.copy(from: sourceStart, sourceStrides: strides, to: chunkStart, destinationStrides: chain.layoutStrides,
                             extent: extent, elementSize: elementSize)
            if !keepEmpty && StridedCopy.isFilled(UnsafeRawBufferPointer(chunk), with: fill) { return nil }
            return try chain.encode(chunk)
        }
    }
}
