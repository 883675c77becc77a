public import MIFACore

extension ZarrArray {
    /// Reads `region` (the whole array by default) of a `string` array (v3 `string`, v2 `|O` with
    /// `vlen-utf8`) as strings in C order. Chunks that are not stored read as the fill value;
    /// sharded arrays read each shard's index, then only the inner chunks the region needs.
    /// - Parameters:
    ///   - region: the part to read; `nil` for everything.
    ///   - maxBytes: the most the result's element slots may take (16 bytes per string before its
    ///     text); ``defaultMaxReadBytes`` unless raised.
    /// - Throws: ``ZarrError`` `.invalidRegion` for a region outside the array or an array that
    ///   does not hold strings; `.tooLarge` over `maxBytes`; `.corruptChunk` naming the chunk key
    ///   for counts or lengths that do not fit the chunk's bytes, or text that is not UTF-8.
    public func readStrings(_ region: Region? = nil, maxBytes: Int = defaultMaxReadBytes) throws -> StringArray {
        let region = region ?? Region(shape: shape)
        guard dataType == .string else {
            throw ZarrError(.invalidRegion, "the array holds \(dataType), not strings", context: ErrorContext(file: store.location, key: path))
        }
        let fill = String(decoding: metadata.fillValue.bytes, as: UTF8.self)
        let elements = try readItems(region, fill: fill, maxBytes: maxBytes) { codec, bytes in try codec.decodeStrings(bytes) }
        return try StringArray(shape: region.shape, elements: elements)
    }

    /// Reads `region` (the whole array by default) of a `variable_length_bytes` array (v2 `|O`
    /// with `vlen-bytes`) as byte strings in C order, as ``readStrings(_:maxBytes:)`` reads strings.
    /// - Throws: as ``readStrings(_:maxBytes:)``.
    public func readByteStrings(_ region: Region? = nil, maxBytes: Int = defaultMaxReadBytes) throws -> [[UInt8]] {
        let region = region ?? Region(shape: shape)
        guard dataType == .variableBytes else {
            throw ZarrError(.invalidRegion, "the array holds \(dataType), not byte strings", context: ErrorContext(file: store.location, key: path))
        }
        return try readItems(region, fill: metadata.fillValue.bytes, maxBytes: maxBytes) { codec, bytes in try codec.decodeByteStrings(bytes) }
    }

    /// Refuses fixed-size reads and writes of variable-length arrays, naming the array.
    /// - Throws: ``ZarrError`` `.unsupportedExtension` for `string` and `variable_length_bytes` arrays.
    func checkFixedSize() throws {
        guard dataType.isVariableLength else { return }
        throw ZarrError(.unsupportedExtension, "'\(path.isEmpty ? "/" : path)' holds \(dataType) elements: strings are not numbers or pixels; list it with `mifa zarr info` and export it with `mifa zarr export` (a NumPy string array)",
                        context: ErrorContext(file: store.location, key: path))
    }

    /// The items of `region` in C order: `fill` where no chunk is stored, otherwise what `decode`
    /// makes of each chunk's bytes (after its bytes-to-bytes codecs). Chunks are read one at a time.
    private func readItems<Item>(_ region: Region, fill: Item, maxBytes: Int,
                                 decode: (BoundVlenCodec, UnsafeRawBufferPointer) throws -> [Item]) throws -> [Item] {
        try checkRegion(region)
        try checkAllocation(region, elementSize: MemoryLayout<Item>.stride, maxBytes: maxBytes)
        var items = [Item](repeating: fill, count: region.elementCount)
        guard !region.isEmpty else { return items }
        let shards = Self.chunkIndices(of: region, chunkShape: metadata.chunkShape)
        for position in 0..<shards.count {
            let index = shards[position]
            let key = chunkKey(index)
            let origin = zip(index, metadata.chunkShape).map(*)
            do {
                guard let sharding = chain.sharding else {
                    guard let bytes = try store.get(key) else { continue }
                    try place(bytes, chain: chain, chunkOrigin: origin, region: region, into: &items, decode: decode)
                    continue
                }
                guard let shardIndex = try self.shardIndex(at: key, sharding: sharding) else { continue }
                let innerShape = sharding.innerChunkShape
                let local = Region(zip(region.ranges, zip(origin, metadata.chunkShape)).map { range, shard in
                    let lower = Swift.max(range.lowerBound, shard.0) - shard.0
                    return lower..<Swift.max(lower, Swift.min(range.upperBound, shard.0 + shard.1) - shard.0)
                })
                let inners = Self.chunkIndices(of: local, chunkShape: innerShape)
                for innerPosition in 0..<inners.count {
                    let inner = inners[innerPosition]
                    guard let range = shardIndex.ranges[GridIndex.linear(inner, in: sharding.chunksPerShard)] else { continue }
                    guard let bytes = try store.get(key, range: .range(offset: range.lowerBound, length: range.count)), bytes.count == range.count else {
                        throw ZarrError(.corruptChunk, "shard index points at bytes \(range.lowerBound)..<\(range.upperBound), beyond the end of the shard",
                                        context: ErrorContext(offset: range.lowerBound))
                    }
                    let innerOrigin = (0..<rank).map { origin[$0] + inner[$0] * innerShape[$0] }
                    do {
                        try place(bytes, chain: sharding.inner, chunkOrigin: innerOrigin, region: region, into: &items, decode: decode)
                    } catch let error as ZarrError {
                        throw error.withMessagePrefix("inner chunk at \(inner) (bytes \(range.lowerBound)..<\(range.upperBound))")
                    }
                }
            } catch {
                throw locate(error, key: key)
            }
        }
        return items
    }

    /// Decodes one chunk's items and copies those inside `region` to their places in `items`
    /// (C order of the region); the items sit in the chunk's encoded layout (``BoundCodecChain/layoutStrides``).
    private func place<Item>(_ bytes: [UInt8], chain: BoundCodecChain, chunkOrigin: [Int], region: Region, into items: inout [Item],
                             decode: (BoundVlenCodec, UnsafeRawBufferPointer) throws -> [Item]) throws {
        guard let codec = chain.variableLength else { throw BoundVlenCodec.notFixedSize }
        let raw = try bytes.withUnsafeBytes { try chain.decodeToArrayBytes($0) }
        let decoded = try raw.withUnsafeBytes { try decode(codec, $0) }
        let chunkShape = chain.decoded.shape
        let box = Region(zip(region.ranges, zip(chunkOrigin, chunkShape)).map { range, chunk in
            let lower = Swift.max(range.lowerBound, chunk.0)
            return lower..<Swift.max(lower, Swift.min(range.upperBound, chunk.0 + chunk.1))
        })
        let elements = Self.chunkIndices(of: box, chunkShape: [Int](repeating: 1, count: rank))
        let regionStrides = MemoryOrder.rowMajor.strides(for: region.shape)
        for position in 0..<elements.count {
            let element = elements[position]
            let source = GridIndex.offset(zip(element, chunkOrigin).map(-), chain.layoutStrides)
            let target = GridIndex.offset(zip(element, region.origin).map(-), regionStrides)
            items[target] = decoded[source]
        }
    }
}
