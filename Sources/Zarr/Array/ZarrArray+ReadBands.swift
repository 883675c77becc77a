public import MIFACore

/// A region cut into bands, each a contiguous block of the region's C-order bytes made of whole
/// rows of chunks: made by ``ZarrArray/bands(of:targetBytes:maxBytes:)``, read by
/// ``ZarrArray/readBytes(_:concurrency:writing:)``.
public struct RegionBands: Sendable {
    /// The region the bands tile.
    public let region: Region
    /// The bands in C order, boxes of ``region``.
    public let bands: [Region]
    /// Where each band's bytes start in the region's C-order bytes.
    public let offsets: [Int]
}

extension ZarrArray {
    /// Cuts `region` into bands for ``readBytes(_:concurrency:writing:)``: boxes that each hold a
    /// contiguous block of the region's C-order bytes and whole rows of chunks across it, so that
    /// no chunk is decoded for two bands; about `targetBytes` each (at least one row of chunks), at
    /// most `maxBytes`. A sharded array is cut into rows of shards when one fits in `maxBytes`, so
    /// that each shard's index is read once and its inner chunks are fetched together (a shard's
    /// writer may store a row of inner chunks far apart), else into rows of inner chunks.
    ///
    /// The bands run along the first axis of the region longer than 1 whose rows of chunks fit in
    /// `maxBytes`, one band per index of the axes before it, which must then be chunked by 1 (a
    /// stack of planes chunked plane by plane). `nil` when no such axis exists: a row of chunks
    /// over `maxBytes` (chunks 64 planes deep across large planes, say), whose reader should
    /// decode into memory of the region's size instead (``readBytes(_:into:concurrency:)``).
    /// - Precondition: `targetBytes <= maxBytes`; `region` lies inside the array (``checkRead(_:maxBytes:)``).
    public func bands(of region: Region, targetBytes: Int = 1 << 20, maxBytes: Int = 8 << 20) -> RegionBands? {
        precondition(targetBytes > 0 && targetBytes <= maxBytes, "a band target over the band limit")
        guard !region.isEmpty, rank > 0 else { return RegionBands(region: region, bands: [region], offsets: [0]) }
        let grids = [metadata.chunkShape] + (chain.sharding.map { [$0.innerChunkShape] } ?? [])
        for grid in grids {
            if let plan = Self.bands(of: region, grid: grid, elementSize: dataType.byteSize, targetBytes: targetBytes, maxBytes: maxBytes) {
                return plan
            }
        }
        return nil
    }

    /// ``bands(of:targetBytes:maxBytes:)`` on one chunk grid.
    private static func bands(of region: Region, grid chunk: [Int], elementSize: Int, targetBytes: Int, maxBytes: Int) -> RegionBands? {
        let shape = region.shape
        let rank = shape.count
        // rowBytes[a]: bytes of one index along axis a (the region's extents after it).
        var rowBytes = [Int](repeating: elementSize, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { rowBytes[axis] = rowBytes[axis + 1] * shape[axis + 1] }
        var chosen = rank - 1
        for axis in 0..<rank where shape[axis] > 1 {
            if Swift.min(chunk[axis], shape[axis]) * rowBytes[axis] <= maxBytes {
                chosen = axis
                break
            }
            guard chunk[axis] == 1 else { return nil }
        }
        let axis = chosen
        let step = chunk[axis] * Swift.max(1, targetBytes / rowBytes[axis] / chunk[axis])
        var segments: [Range<Int>] = []
        var start = region.ranges[axis].lowerBound
        while start < region.ranges[axis].upperBound {
            // Ends on the chunk grid (step is whole chunks), so the first segment, which may start
            // inside a chunk, is shorter.
            let end = Swift.min((start + step) / chunk[axis] * chunk[axis], region.ranges[axis].upperBound)
            segments.append(start..<end)
            start = end
        }
        var bands: [Region] = []
        var offsets: [Int] = []
        let outerShape = Array(shape[..<axis])
        let outerCount = outerShape.reduce(1, *)
        let outerStrides = MemoryOrder.rowMajor.strides(for: outerShape)
        for outer in 0..<outerCount {
            var ranges = region.ranges
            for j in 0..<axis {
                let index = region.ranges[j].lowerBound + outer / outerStrides[j] % shape[j]
                ranges[j] = index..<(index + 1)
            }
            for segment in segments {
                ranges[axis] = segment
                bands.append(Region(ranges))
                offsets.append((outer * shape[axis] + segment.lowerBound - region.ranges[axis].lowerBound) * rowBytes[axis])
            }
        }
        return RegionBands(region: region, bands: bands, offsets: offsets)
    }

    /// Reads the region of `plan` band by band: each thread (at most `concurrency` at once) decodes
    /// a band into one buffer it reuses (C order, native byte order; every byte written, decoded
    /// or the fill value) and hands it to `write` with the band's offset in the region's C-order
    /// bytes. For writers that put the region in a file with positional writes: the buffers (at
    /// most a few MiB each) are reused from band to band, where decoding straight into a fresh
    /// mapping of the file faults every page of it.
    /// - Throws: ``ZarrError`` as ``readBytes(_:into:concurrency:)``; what `write` throws. After
    ///   the first error the bands not yet started are skipped.
    public func readBytes(_ plan: RegionBands, concurrency: Int?,
                          writing write: @Sendable (_ band: UnsafeRawBufferPointer, _ offset: Int) throws -> Void) throws {
        try checkFixedSize()
        try checkRegion(plan.region)
        guard !plan.region.isEmpty else { return }
        let elementSize = dataType.byteSize
        try Parallel.forEach(plan.bands.count, concurrency: concurrency) { i, buffer in
            let band = plan.bands[i]
            let count = band.elementCount * elementSize
            if buffer.count < count {
                Parallel.reserve(&buffer, count)
                // A row of shards is several MiB: one fault per 2 MiB instead of one per 4 KiB.
                buffer.withUnsafeMutableBytes { HugePages.advise($0) }
            }
            try buffer.withUnsafeMutableBytes { raw in
                let bytes = UnsafeMutableRawBufferPointer(rebasing: raw[..<count])
                try ZarrError.locating(file: nil, key: nil) {
                    try readRaw(band, into: SharedBuffer(bytes), strides: MemoryOrder.rowMajor.strides(for: band.shape), concurrency: 1)
                }
                try write(UnsafeRawBufferPointer(bytes), plan.offsets[i])
            }
        }
    }
}
