import MIFACore

extension ZarrArray {
    /// Reads `region` into a raw destination whose element `i` of the region sits at
    /// `sum(i[a] * strides[a])` elements from `destination.base`, in native byte order.
    ///
    /// Chunks are fetched and decoded in parallel (at most `concurrency` at once, each thread
    /// starting on its own rows of chunks); each decodes straight into the destination
    /// when it lies wholly inside the region with a matching dense layout, otherwise into the
    /// worker's scratch buffer and is then copied. Missing chunks become the fill value. Sharded
    /// arrays read each shard's index, then only the inner chunks the region needs, fetching
    /// neighbouring ones in one range request.
    func readRaw(_ region: Region, into destination: SharedBuffer, strides: [Int], concurrency: Int?) throws {
        try checkFixedSize()
        try checkRegion(region)
        guard !region.isEmpty else { return }
        if let sharding = chain.sharding {
            try readSharded(region, sharding: sharding, into: destination, strides: strides, concurrency: concurrency)
            return
        }
        let chunks = Self.chunkIndices(of: region, chunkShape: metadata.chunkShape)
        let chunkShape = metadata.chunkShape
        try Parallel.forEach(chunks.count, rowLength: chunks.counts.last ?? 1, concurrency: concurrency) { i, scratch in
            let index = chunks[i]
            let key = chunkKey(index)
            do {
                let origin = zip(index, chunkShape).map(*)
                if let cache = decodedChunkCache {
                    let decoded = try cache.value(for: decodedChunkCacheKey(key)) {
                        try store.get(key).map { bytes in try bytes.withUnsafeBytes { try decodeOwned($0, chain: chain) } }
                    }
                    try place(decoded: decoded, chain: chain, chunkOrigin: origin, region: region, into: destination, strides: strides)
                    return
                }
                let bytes = try store.get(key)
                try bytes.withOptionalUnsafeBytes { encoded in
                    try place(encoded, chain: chain, chunkOrigin: origin, region: region, into: destination, strides: strides, scratch: &scratch)
                }
            } catch {
                throw locate(error, key: key)
            }
        }
    }

    /// Decodes one chunk (or fills it when `encoded` is `nil`) into the part of the destination it covers.
    func place(_ encoded: UnsafeRawBufferPointer?, chain: BoundCodecChain, chunkOrigin: [Int], region: Region,
               into destination: SharedBuffer, strides: [Int], scratch: inout [UInt8]) throws {
        guard let part = part(of: chain, at: chunkOrigin, in: region, destination: destination, strides: strides) else { return }
        guard let encoded else {
            StridedCopy.fill(part.target, strides: strides, extent: part.extent, value: chain.decoded.fillValue.bytes)
            return
        }
        let byteCount = try Self.checkedByteCount(chain)
        if part.extent == chain.decoded.shape, chain.isCOrder, Self.isDenseCOrder(strides, shape: part.extent) {
            try chain.decode(encoded, into: UnsafeMutableRawBufferPointer(start: part.target, count: byteCount))
            return
        }
        Parallel.reserve(&scratch, byteCount)
        try scratch.withUnsafeMutableBytes { buffer in
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[..<byteCount])
            try chain.decode(encoded, into: chunk)
            copy(part, of: UnsafeRawBufferPointer(chunk), chain: chain, chunkOrigin: chunkOrigin, destination: destination, strides: strides)
        }
    }

    /// Copies the part of an already decoded chunk (or the fill value when `decoded` is `nil`) into
    /// the part of the destination it covers.
    func place(decoded: [UInt8]?, chain: BoundCodecChain, chunkOrigin: [Int], region: Region,
               into destination: SharedBuffer, strides: [Int]) throws {
        guard let part = part(of: chain, at: chunkOrigin, in: region, destination: destination, strides: strides) else { return }
        guard let decoded else {
            StridedCopy.fill(part.target, strides: strides, extent: part.extent, value: chain.decoded.fillValue.bytes)
            return
        }
        decoded.withUnsafeBytes { chunk in
            copy(part, of: chunk, chain: chain, chunkOrigin: chunkOrigin, destination: destination, strides: strides)
        }
    }

    /// Decodes one chunk into a buffer of its own (to be kept in ``decodedChunkCache``).
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a chunk over ``maximumChunkBytes``; decoding errors.
    func decodeOwned(_ encoded: UnsafeRawBufferPointer, chain: BoundCodecChain) throws -> [UInt8] {
        let byteCount = try Self.checkedByteCount(chain)
        var chunk = [UInt8](unsafeUninitializedCapacity: byteCount) { _, initialized in initialized = byteCount }
        try chunk.withUnsafeMutableBytes { try chain.decode(encoded, into: $0) }
        return chunk
    }

    /// The decoded size of a chunk of `chain`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when it is over ``maximumChunkBytes``.
    static func checkedByteCount(_ chain: BoundCodecChain) throws -> Int {
        let byteCount = chain.decoded.byteCount
        guard byteCount <= maximumChunkBytes else {
            throw ZarrError(.invalidMetadata, "a chunk of \(byteCount) bytes is larger than the \(maximumChunkBytes) bytes MIFAKit decodes at once")
        }
        return byteCount
    }

    /// The box a chunk at `chunkOrigin` shares with `region`: its lower corner and extent in array
    /// coordinates and where it starts in the destination; `nil` when they do not overlap.
    private func part(of chain: BoundCodecChain, at chunkOrigin: [Int], in region: Region, destination: SharedBuffer,
                      strides: [Int]) -> (lower: [Int], extent: [Int], target: UnsafeMutableRawPointer)? {
        let chunkShape = chain.decoded.shape
        var lower = [Int](repeating: 0, count: rank)
        var extent = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            lower[axis] = Swift.max(chunkOrigin[axis], region.ranges[axis].lowerBound)
            let upper = Swift.min(chunkOrigin[axis] + chunkShape[axis], region.ranges[axis].upperBound)
            guard upper > lower[axis] else { return nil }
            extent[axis] = upper - lower[axis]
        }
        let offset = GridIndex.offset(zip(lower, region.origin).map(-), strides) * chain.decoded.dataType.byteSize
        return (lower, extent, destination.base! + offset)
    }

    /// Copies `part` out of a decoded chunk (laid out as `chain` decodes) into the destination.
    private func copy(_ part: (lower: [Int], extent: [Int], target: UnsafeMutableRawPointer), of chunk: UnsafeRawBufferPointer,
                      chain: BoundCodecChain, chunkOrigin: [Int], destination: SharedBuffer, strides: [Int]) {
        let elementSize = chain.decoded.dataType.byteSize
        let sourceOffset = GridIndex.offset(zip(part.lower, chunkOrigin).map(-), chain.layoutStrides) * elementSize
        StridedCopy.copy(from: chunk.baseAddress! + sourceOffset, sourceStrides: chain.layoutStrides, to: part.target,
                         destinationStrides: strides, extent: part.extent, elementSize: elementSize,
                         coldDestination: destination.count >= StridedCopy.coldDestinationBytes)
    }

    /// Whether a box of `shape` laid out with `strides` is one dense C-order block.
    static func isDenseCOrder(_ strides: [Int], shape: [Int]) -> Bool {
        let dense = MemoryOrder.rowMajor.strides(for: shape)
        return shape.indices.allSatisfy { shape[$0] <= 1 || strides[$0] == dense[$0] }
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with the bytes, or with `nil`.
    func withOptionalUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        switch self {
        case .some(let bytes): try bytes.withUnsafeBytes { try body($0) }
        case .none: try body(nil)
        }
    }
}
