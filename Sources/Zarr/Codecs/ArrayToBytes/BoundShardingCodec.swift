import MIFACore

/// A `sharding_indexed` codec bound to a shard shape: decodes and encodes whole shards, and gives
/// the array what it needs to read shards partially (the index's place and size, the inner chain).
public struct BoundShardingCodec: BoundArrayToBytesCodec {
    /// Shard extent per axis.
    public let shardShape: [Int]
    /// Inner chunks per shard along each axis.
    public let chunksPerShard: [Int]
    /// The inner chunks' bound chain.
    public let inner: BoundCodecChain
    let index: BoundCodecChain
    /// Stored size of the index.
    public let indexSize: Int
    /// Whether the index is at the end of the shard.
    public let indexAtEnd: Bool

    init(shardShape: [Int], chunksPerShard: [Int], inner: BoundCodecChain, index: BoundCodecChain, indexSize: Int, indexAtEnd: Bool) {
        self.shardShape = shardShape
        self.chunksPerShard = chunksPerShard
        self.inner = inner
        self.index = index
        self.indexSize = indexSize
        self.indexAtEnd = indexAtEnd
    }

    /// Inner chunk extent per axis.
    public var innerChunkShape: [Int] { inner.decoded.shape }

    /// Inner chunks per shard.
    public var innerCount: Int { chunksPerShard.reduce(1, *) }

    /// Where the index is in a shard whose size is not known: one suffix (or prefix) read.
    public var indexRange: ByteRange {
        indexAtEnd ? .suffix(length: indexSize) : .range(offset: 0, length: indexSize)
    }

    /// Shards vary in size.
    public var encodedSize: Int? { nil }

    /// Every inner chunk at its largest, plus the index.
    public var maximumEncodedSize: Int {
        let (product, overflow) = innerCount.multipliedReportingOverflow(by: inner.maximumEncodedSize)
        return overflow ? Int.max : product.addingReportingOverflow(indexSize).partialValue
    }

    /// Shards are not plain element bytes.
    public var isNativeLayout: Bool { false }

    /// Decodes and checks an index: every entry is empty or a range that fits the inner chunk's
    /// largest encoding and (when `shardSize` is known) the shard.
    /// - Throws: ``ZarrError`` `.corruptChunk` naming the entry, `.checksumMismatch` from the index codecs.
    public func decodeIndex(_ bytes: UnsafeRawBufferPointer, shardSize: Int?) throws -> ShardIndex {
        guard bytes.count == indexSize else {
            throw ZarrError(.corruptChunk, "shard index has \(bytes.count) bytes, expected \(indexSize); the shard is truncated")
        }
        var values = [UInt64](repeating: 0, count: innerCount * 2)
        try values.withUnsafeMutableBytes { try index.decode(bytes, into: $0) }
        var ranges: [Range<Int>?] = []
        ranges.reserveCapacity(innerCount)
        let limit = inner.maximumEncodedSize
        for i in 0..<innerCount {
            let offset = values[2 * i]
            let length = values[2 * i + 1]
            if offset == UInt64.max && length == UInt64.max {
                ranges.append(nil)
                continue
            }
            let entry = indexAtEnd ? 0 : indexSize
            guard length <= UInt64(limit), offset <= UInt64(Int.max / 2),
                  shardSize.map({ offset + length <= UInt64($0) }) ?? true else {
                throw ZarrError(.corruptChunk, "shard index entry \(i) points at bytes \(offset)..<\(offset &+ length), outside the \(shardSize.map(String.init) ?? "?")-byte shard or larger than an inner chunk can be",
                                context: ErrorContext(offset: entry + 16 * i))
            }
            ranges.append(Int(offset)..<Int(offset + length))
        }
        return ShardIndex(ranges: ranges)
    }

    /// Decodes a whole shard into `chunk` (C order, native byte order); empty inner chunks get the fill value.
    /// - Throws: ``ZarrError`` `.corruptChunk` for a damaged index or inner chunk.
    public func decode(_ input: UnsafeRawBufferPointer, into chunk: UnsafeMutableRawBufferPointer) throws {
        guard input.count >= indexSize else {
            throw ZarrError(.corruptChunk, "shard has \(input.count) bytes, less than its \(indexSize)-byte index")
        }
        let indexBytes = indexAtEnd ? UnsafeRawBufferPointer(rebasing: input[(input.count - indexSize)...])
                                    : UnsafeRawBufferPointer(rebasing: input[..<indexSize])
        let shardIndex = try decodeIndex(indexBytes, shardSize: input.count)
        let elementSize = inner.decoded.dataType.byteSize
        let shardStrides = MemoryOrder.rowMajor.strides(for: shardShape)
        var scratch = [UInt8](repeating: 0, count: inner.decoded.byteCount)
        var position = 0
        try GridIndex.forEach(chunksPerShard) { chunkIndex in
            defer { position += 1 }
            let origin = zip(chunkIndex, innerChunkShape).map(*)
            let destination = chunk.baseAddress! + GridIndex.offset(origin, shardStrides) * elementSize
            guard let range = shardIndex.ranges[position] else {
                StridedCopy.fill(destination, strides: shardStrides, extent: innerChunkShape, value: inner.decoded.fillValue.bytes)
                return
            }
            do {
                try scratch.withUnsafeMutableBytes { buffer in
                    try inner.decode(UnsafeRawBufferPointer(rebasing: input[range]), into: buffer)
                    StridedCopy.copy(from: buffer.baseAddress!, sourceStrides: inner.layoutStrides, to: destination,
                                     destinationStrides: shardStrides, extent: innerChunkShape, elementSize: elementSize)
                }
            } catch let error as ZarrError {
                throw error.adding(key: nil).withMessagePrefix("inner chunk \(chunkIndex) at byte \(range.lowerBound)")
            }
        }
    }

    /// Encodes a whole shard from `chunk` (C order); inner chunks equal to the fill value are left out.
    /// - Throws: ``ZarrError`` when an inner codec fails.
    public func encode(_ chunk: UnsafeRawBufferPointer) throws -> [UInt8]? {
        let elementSize = inner.decoded.dataType.byteSize
        let shardStrides = MemoryOrder.rowMajor.strides(for: shardShape)
        var scratch = [UInt8](repeating: 0, count: inner.decoded.byteCount)
        var encoded: [[UInt8]?] = []
        try GridIndex.forEach(chunksPerShard) { chunkIndex in
            let origin = zip(chunkIndex, innerChunkShape).map(*)
            let source = chunk.baseAddress! + GridIndex.offset(origin, shardStrides) * elementSize
            let bytes = try scratch.withUnsafeMutableBytes { buffer -> [UInt8]? in
                StridedCopy.copy(from: source, sourceStrides: shardStrides, to: buffer.baseAddress!,
                                 destinationStrides: inner.layoutStrides, extent: innerChunkShape, elementSize: elementSize)
                if StridedCopy.isFilled(UnsafeRawBufferPointer(buffer), with: inner.decoded.fillValue.bytes) { return nil }
                return try inner.encode(buffer)
            }
            encoded.append(bytes)
        }
        return try assemble(encoded)
    }

    /// Builds a shard from encoded inner chunks in C order (`nil` = empty); `nil` when all are empty.
    /// - Throws: ``ZarrError`` when the index cannot be encoded.
    public func assemble(_ chunks: [[UInt8]?]) throws -> [UInt8]? {
        precondition(chunks.count == innerCount, "one entry per inner chunk")
        guard chunks.contains(where: { $0 != nil }) else { return nil }
        var values = [UInt64](repeating: UInt64.max, count: innerCount * 2)
        let base = indexAtEnd ? 0 : indexSize
        var body: [UInt8] = []
        body.reserveCapacity(chunks.reduce(0) { $0 + ($1?.count ?? 0) } + indexSize)
        for (i, chunk) in chunks.enumerated() {
            guard let chunk else { continue }
            values[2 * i] = UInt64(base + body.count)
            values[2 * i + 1] = UInt64(chunk.count)
            body.append(contentsOf: chunk)
        }
        guard let indexBytes = try values.withUnsafeMutableBytes({ try index.encode($0) }), indexBytes.count == indexSize else {
            throw ZarrError(.corruptChunk, "the shard index did not encode to its fixed size of \(indexSize) bytes")
        }
        if indexAtEnd {
            body.append(contentsOf: indexBytes)
            return body
        }
        return indexBytes + body
    }
}

/// A decoded shard index: the byte range of each inner chunk in C order, `nil` for empty ones.
public struct ShardIndex: Sendable, Hashable {
    /// One entry per inner chunk.
    public var ranges: [Range<Int>?]

    /// An index from its entries.
    public init(ranges: [Range<Int>?]) {
        self.ranges = ranges
    }
}
