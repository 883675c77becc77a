import MIFACore

/// A configured codec chain, typed so that it cannot be built in the wrong order: any number of
/// array-to-array codecs, exactly one array-to-bytes codec, any number of bytes-to-bytes codecs.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#codecs.
public struct CodecChain: Sendable {
    /// Array-to-array codecs, first applied first when encoding.
    public var arrayToArray: [any ArrayToArrayCodec]
    /// The array-to-bytes codec.
    public var arrayToBytes: any ArrayToBytesCodec
    /// Bytes-to-bytes codecs, first applied first when encoding.
    public var bytesToBytes: [any BytesToBytesCodec]

    /// A chain from its three parts.
    public init(arrayToArray: [any ArrayToArrayCodec] = [], arrayToBytes: any ArrayToBytesCodec, bytesToBytes: [any BytesToBytesCodec] = []) {
        self.arrayToArray = arrayToArray
        self.arrayToBytes = arrayToBytes
        self.bytesToBytes = bytesToBytes
    }

    /// The codecs as metadata writes them (v3 names and configurations).
    public var descriptions: [CodecDescription] {
        arrayToArray.map(\.codecDescription) + [arrayToBytes.codecDescription] + bytesToBytes.map(\.codecDescription)
    }

    /// Binds every codec to the chunk it will see, once.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when a codec does not fit the chunk (a transpose of
    ///   another rank, a delta of another type), `.unsupportedExtension` for a transpose after an
    ///   element-wise codec.
    public func bind(to decoded: ChunkRepresentation) throws -> BoundCodecChain {
        var representation = decoded
        var axisMap = Array(0..<decoded.shape.count)
        var elementwise: [any BoundArrayToArrayCodec] = []
        for codec in arrayToArray {
            let bound = try codec.bind(to: representation)
            if let permutation = bound.permutation {
                guard elementwise.isEmpty else {
                    throw ZarrError(.unsupportedExtension, "a transpose after an element-wise codec ('\(codec.name)') is not supported")
                }
                axisMap = permutation.map { axisMap[$0] }
            } else {
                guard bound.encoded.dataType == representation.dataType, bound.encoded.shape == representation.shape else {
                    throw ZarrError(.unsupportedExtension, "codec '\(codec.name)' changes the data type or shape; only transposes may change the shape")
                }
                elementwise.append(bound)
            }
            representation = bound.encoded
        }
        let encodedStrides = MemoryOrder.rowMajor.strides(for: representation.shape)
        var layout = [Int](repeating: 0, count: axisMap.count)
        for (encodedAxis, decodedAxis) in axisMap.enumerated() { layout[decodedAxis] = encodedStrides[encodedAxis] }

        let arrayToBytes = try self.arrayToBytes.bind(to: representation)
        let bytesToBytes = try self.bytesToBytes.map { try $0.bind(to: representation) }
        var sizes: [Int?] = [arrayToBytes.encodedSize]
        var limits: [Int] = [arrayToBytes.maximumEncodedSize]
        for codec in bytesToBytes {
            sizes.append(sizes.last!.flatMap { codec.encodedSize(forDecodedSize: $0) })
            limits.append(codec.maximumEncodedSize(forDecodedSize: limits.last!))
        }
        return BoundCodecChain(decoded: decoded, encodedShape: representation.shape, layoutStrides: layout,
                               elementwise: elementwise, arrayToBytes: arrayToBytes, bytesToBytes: bytesToBytes,
                               stageSizes: sizes, stageLimits: limits)
    }
}

/// A codec chain bound to one chunk representation: decodes stored bytes into a chunk buffer and
/// encodes a chunk buffer into bytes.
///
/// The chunk buffer holds the chunk in the *encoded* memory layout: element `i` of the decoded
/// chunk sits at `sum(i[a] * layoutStrides[a])`. Transposes therefore cost nothing; the array reads
/// and writes the buffer with these strides.
public struct BoundCodecChain: Sendable {
    /// The chunk as the array sees it.
    public let decoded: ChunkRepresentation
    /// The shape after the array-to-array codecs (C order in the buffer).
    public let encodedShape: [Int]
    /// Element strides of the decoded chunk's axes in the buffer.
    public let layoutStrides: [Int]
    let elementwise: [any BoundArrayToArrayCodec]
    let arrayToBytes: any BoundArrayToBytesCodec
    let bytesToBytes: [any BoundBytesToBytesCodec]
    /// `stageSizes[i]`: size of the bytes entering bytes-to-bytes codec `i` (and, last, the stored size), if fixed.
    let stageSizes: [Int?]
    /// Upper bounds of the same sizes.
    let stageLimits: [Int]

    /// The stored size of every chunk when it is fixed (no compression).
    public var encodedSize: Int? { stageSizes.last! }

    /// An upper bound of the stored size of a chunk.
    public var maximumEncodedSize: Int { stageLimits.last! }

    /// Whether the buffer layout is plain C order of the decoded shape.
    public var isCOrder: Bool {
        layoutStrides == MemoryOrder.rowMajor.strides(for: decoded.shape)
    }

    /// The sharding codec when the chain is exactly one `sharding_indexed` codec, so the array can
    /// read shards partially.
    public var sharding: BoundShardingCodec? {
        guard elementwise.isEmpty, bytesToBytes.isEmpty, layoutStrides == MemoryOrder.rowMajor.strides(for: decoded.shape) else { return nil }
        return arrayToBytes as? BoundShardingCodec
    }

    /// The variable-length codec (`vlen-utf8`, `vlen-bytes`) when the chain ends in one: its
    /// chunks decode into items (``ZarrArray/readStrings(_:maxBytes:)``), not into a buffer.
    public var variableLength: BoundVlenCodec? { arrayToBytes as? BoundVlenCodec }

    /// Undoes the bytes-to-bytes codecs of stored bytes: the bytes the array-to-bytes codec wrote,
    /// never more than the chain's limits allow.
    /// - Throws: ``ZarrError`` `.corruptChunk` or `.checksumMismatch` from the codecs.
    public func decodeToArrayBytes(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard input.count <= stageLimits.last! else {
            throw ZarrError(.corruptChunk, "stored chunk has \(input.count) bytes, more than the \(stageLimits.last!) its codecs can produce")
        }
        var bytes = [UInt8](input)
        for stage in stride(from: bytesToBytes.count, to: 0, by: -1) {
            let codec = bytesToBytes[stage - 1]
            bytes = try bytes.withUnsafeBytes { raw in
                if let view = try codec.decodedView(raw) { return [UInt8](view) }
                if let expected = stageSizes[stage - 1] {
                    var output = [UInt8](repeating: 0, count: expected)
                    try output.withUnsafeMutableBytes { try codec.decode(raw, into: $0) }
                    return output
                }
                return try codec.decode(raw, limit: stageLimits[stage - 1])
            }
        }
        return bytes
    }

    /// Decodes stored bytes into `buffer` (``ChunkRepresentation/byteCount`` bytes, layout above).
    /// - Throws: ``ZarrError`` `.corruptChunk` or `.checksumMismatch` when the bytes do not decode to
    ///   exactly one chunk; sizes declared in headers are checked before decompressing.
    public func decode(_ input: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) throws {
        precondition(buffer.count == decoded.byteCount, "chunk buffer has the wrong size")
        guard input.count <= stageLimits.last! else {
            throw ZarrError(.corruptChunk, "stored chunk has \(input.count) bytes, more than the \(stageLimits.last!) its codecs can produce")
        }
        try decodeBytes(stage: bytesToBytes.count, input, into: buffer)
        for codec in elementwise.reversed() { try codec.decodeInPlace(buffer) }
        if decoded.dataType == .bool {
            let bytes = buffer.bindMemory(to: UInt8.self)
            for i in bytes.indices where bytes[i] > 1 { bytes[i] = 1 }
        }
    }

    /// Decodes the bytes that entered bytes-to-bytes codec `stage` (or, at 0, the array-to-bytes output).
    private func decodeBytes(stage: Int, _ input: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard stage > 0 else {
            try arrayToBytes.decode(input, into: buffer)
            return
        }
        let codec = bytesToBytes[stage - 1]
        if let view = try codec.decodedView(input) {
            return try decodeBytes(stage: stage - 1, view, into: buffer)
        }
        let expected = stageSizes[stage - 1]
        if stage == 1, arrayToBytes.isNativeLayout, expected == buffer.count {
            // The common case: decompress straight into the chunk buffer.
            return try codec.decode(input, into: buffer)
        }
        var output: [UInt8]
        if let expected {
            output = [UInt8](repeating: 0, count: expected)
            try output.withUnsafeMutableBytes { try codec.decode(input, into: $0) }
        } else {
            output = try codec.decode(input, limit: stageLimits[stage - 1])
        }
        try output.withUnsafeBytes { try decodeBytes(stage: stage - 1, $0, into: buffer) }
    }

    /// Encodes a chunk buffer (layout above); element-wise codecs work in place on it, so its
    /// content is undefined afterwards. `nil` when nothing needs storing.
    /// - Throws: ``ZarrError`` when a codec fails.
    public func encode(_ buffer: UnsafeMutableRawBufferPointer) throws -> [UInt8]? {
        precondition(buffer.count == decoded.byteCount, "chunk buffer has the wrong size")
        for codec in elementwise { try codec.encodeInPlace(buffer) }
        var remaining = bytesToBytes[...]
        var bytes: [UInt8]
        if arrayToBytes.isNativeLayout, let first = remaining.first {
            bytes = try first.encode(UnsafeRawBufferPointer(buffer))
            remaining = remaining.dropFirst()
        } else {
            guard let encoded = try arrayToBytes.encode(UnsafeRawBufferPointer(buffer)) else { return nil }
            bytes = encoded
        }
        for codec in remaining {
            bytes = try bytes.withUnsafeBytes { try codec.encode($0) }
        }
        return bytes
    }
}
