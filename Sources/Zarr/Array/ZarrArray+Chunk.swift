public import MIFACore

extension ZarrArray {
    /// Read chunks per axis: the grid of ``readChunkShape`` (inner chunks of a sharded array,
    /// otherwise the chunks), the unit that ``readChunkBytes(_:)`` decodes.
    public var readGridShape: [Int] {
        zip(shape, readChunkShape).map { extent, chunk in (extent + chunk - 1) / chunk }
    }

    /// The part of the array that read chunk `index` covers: `index * readChunkShape`, clipped at
    /// the array's upper edge (edge chunks are smaller).
    /// - Throws: ``ZarrError`` `.invalidRegion` when `index` lies outside ``readGridShape``.
    public func readChunkRegion(_ index: [Int]) throws -> Region {
        let grid = readGridShape
        guard index.count == rank, zip(index, grid).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
            throw ZarrError(.invalidRegion, "chunk index \(index) lies outside the chunk grid \(grid); use indices 0..<\(grid) per axis",
                            context: ErrorContext(file: store.location, key: path, shape: shape))
        }
        let chunk = readChunkShape
        return Region(zip(index, zip(chunk, shape)).map { i, pair in
            let lower = i * pair.0
            return lower..<Swift.min(lower + pair.0, pair.1)
        })
    }

    /// The key of the stored value that holds read chunk `index`: the chunk's own key, or with
    /// sharding its shard's (found without reading anything).
    public func readChunkStoreKey(_ index: [Int]) -> StoreKey {
        guard let sharding = chain.sharding else { return chunkKey(index) }
        return chunkKey(zip(index, sharding.chunksPerShard).map { $0 / $1 })
    }

    /// Where the encoded bytes of read chunk `index` are, for callers that fetch them ahead of
    /// ``readChunkBytes(_:)`` (a batch loader's read stage): without sharding, the chunk's key and
    /// `nil` (the whole value; whether it is stored is not checked); with sharding, the shard's key
    /// and the inner chunk's byte range in it, from the shard's index (looked up as region reads
    /// look it up: in ``shardIndexCache`` first, otherwise one read, then cached there). `nil` when
    /// the shard or the inner chunk is not stored (the chunk reads as the fill value).
    /// - Throws: ``ZarrError`` `.invalidRegion` for an index outside ``readGridShape``;
    ///   `.corruptChunk` naming the shard key for an index that does not decode; store errors.
    public func readChunkLocation(_ index: [Int]) throws -> (key: StoreKey, range: Range<Int>?)? {
        _ = try readChunkRegion(index)
        let key = readChunkStoreKey(index)
        guard let sharding = chain.sharding else { return (key, nil) }
        let perShard = sharding.chunksPerShard
        do {
            guard let shardIndex = try shardIndex(at: key, sharding: sharding) else { return nil }
            let inner = zip(index, perShard).map { $0 % $1 }
            return shardIndex.ranges[GridIndex.linear(inner, in: perShard)].map { (key, $0) }
        } catch {
            throw locate(error, key: key)
        }
    }

    /// Decodes one read chunk (an inner chunk of a sharded array: only the shard's index and that
    /// chunk's bytes are fetched) on the calling thread, as raw bytes in C order and native byte
    /// order, covering ``readChunkRegion(_:)``. A chunk that is not stored comes back as the fill
    /// value. Meant for callers that schedule and cache chunks themselves, like a batch loader.
    /// - Throws: ``ZarrError`` `.invalidRegion` for an index outside the grid; `.corruptChunk`,
    ///   `.checksumMismatch` naming the chunk key; store errors.
    public func readChunkBytes(_ index: [Int]) throws -> [UInt8] {
        try readBytes(try readChunkRegion(index), concurrency: 1)
    }

    /// Decodes one read chunk, like ``readChunkBytes(_:)``, as a typed array in the given order.
    /// - Throws: ``ZarrError`` `.invalidRegion` for an index outside the grid or another element
    ///   type; errors of ``readChunkBytes(_:)``.
    public func readChunk<T: NDArrayElement>(_ type: T.Type, at index: [Int], order: MemoryOrder = .rowMajor) throws -> NDArray<T> {
        try read(type, region: try readChunkRegion(index), order: order, concurrency: 1)
    }
}
