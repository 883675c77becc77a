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
        let chunkShape = chain.decoded.shape
        let elementSize = chain.decoded.dataType.byteSize
        var lower = [Int](repeating: 0, count: rank)
        var extent = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            lower[axis] = Swift.max(chunkOrigin[axis], region.ranges[axis].lowerBound)
            let upper = Swift.min(chunkOrigin[axis] + chunkShape[axis], region.ranges[axis].upperBound)
            guard upper > lower[axis] else { return }
            extent[axis] = upper - lower[axis]
        }
        let target = destination.base! + GridIndex.offset(zip(lower, region.origin).map(-), strides) * elementSize
        guard let encoded else {
            StridedCopy.fill(target, strides: strides, extent: extent, value: chain.decoded.fillValue.bytes)
            return
        }
        let byteCount = chain.decoded.byteCount
        guard byteCount <= Self.maximumChunkBytes else {
            throw ZarrError(.invalidMetadata, "a chunk of \(byteCount) bytes is larger than the \(Self.maximumChunkBytes) bytes MIFAKit decodes at once")
        }
        if extent == chunkShape, chain.isCOrder, Self.isDenseCOrder(strides, shape: chunkShape) {
            try chain.decode(encoded, into: UnsafeMutableRawBufferPointer(start: target, count: byteCount))
            return
        }
        Parallel.reserve(&scratch, byteCount)
        try scratch.withUnsafeMutableBytes { buffer in
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[..<byteCount])
            try chain.decode(encoded, into: chunk)
            let sourceOffset = GridIndex.offset(zip(lower, chunkOrigin).map(-), chain.layoutStrides) * elementSize
            StridedCopy.copy(from: chunk.baseAddress! + sourceOffset, sourceStrides: chain.layoutStrides, to: target,
                             destinationStrides: strides, extent: extent, elementSize: elementSize,
                             coldDestination: destination.count >= StridedCopy.coldDestinationBytes)
        }
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
