public import MIFACore

/// `vlen-utf8` and `vlen-bytes`: the array-to-bytes codecs of variable-length strings and byte
/// strings, as numcodecs' `VLenUTF8` / `VLenBytes` and zarr-python 3 write them.
///
/// ```json
/// {"name": "vlen-utf8", "configuration": {}}
/// ```
/// In v2 the same codec is the object codec among the filters: `"dtype": "|O", "filters": [{"id": "vlen-utf8"}]`.
/// The encoding is a little-endian `u32` item count, then per item (C order) a little-endian `u32`
/// byte length and the item's bytes (UTF-8 for `vlen-utf8`).
/// See https://github.com/zarr-developers/zarr-extensions/tree/main/codecs/vlen-utf8 and
/// https://numcodecs.readthedocs.io/en/stable/other/vlen.html. MIFAKit reads these arrays; it
/// does not write them.
public struct VlenCodec: ArrayToBytesCodec {
    /// The element type the codec encodes: ``ZarrDataType/string`` or ``ZarrDataType/variableBytes``.
    public let dataType: ZarrDataType

    /// Reads the (empty) configuration of `vlen-utf8` or `vlen-bytes`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for a name that is neither.
    public init(_ configuration: CodecConfiguration) throws {
        guard let type = ZarrDataType(objectCodecName: configuration.name) else {
            throw configuration.error("is not a variable-length codec; use vlen-utf8 or vlen-bytes")
        }
        dataType = type
    }

    /// `vlen-utf8` or `vlen-bytes`.
    public var name: String { dataType.objectCodecName ?? "vlen-bytes" }

    /// Always empty.
    public var configuration: JSONObject { JSONObject() }

    /// Binds to the chunk.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the chunk's type is not the codec's
    ///   (`vlen-utf8` needs `string`, `vlen-bytes` needs `variable_length_bytes`).
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundArrayToBytesCodec {
        guard decoded.dataType == dataType else {
            throw ZarrError(.invalidMetadata, "codec '\(name)' encodes \(dataType) elements, but the array holds \(decoded.dataType)")
        }
        return BoundVlenCodec(elementCount: decoded.elementCount, isUTF8: dataType == .string)
    }

    /// Splits encoded bytes into their items, checking every count and length against the bytes
    /// that are really there before anything is allocated for it.
    /// - Parameters:
    ///   - input: the encoded chunk.
    ///   - elementCount: the chunk's element count; the item count must equal it.
    /// - Returns: the byte range of each item inside `input`, in C order.
    /// - Throws: ``ZarrError`` `.corruptChunk` naming the byte offset of a count or length that
    ///   does not fit, or of bytes left over after the last item.
    public static func itemRanges(_ input: UnsafeRawBufferPointer, elementCount: Int) throws -> [Range<Int>] {
        func word(at offset: Int) -> Int {
            Int(UInt32(littleEndian: input.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        guard input.count >= 4 else {
            throw ZarrError(.corruptChunk, "variable-length chunk has \(input.count) bytes, too few for its 4-byte item count", context: ErrorContext(offset: 0))
        }
        let count = word(at: 0)
        guard count == elementCount else {
            throw ZarrError(.corruptChunk, "variable-length chunk says it holds \(count) items, the chunk has \(elementCount) elements", context: ErrorContext(offset: 0))
        }
        // Each item needs at least its 4-byte length: a count the bytes cannot hold is refused
        // before the ranges are allocated.
        guard count <= (input.count - 4) / 4 else {
            throw ZarrError(.corruptChunk, "variable-length chunk says it holds \(count) items, but its \(input.count) bytes cannot hold that many lengths", context: ErrorContext(offset: 0))
        }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        var offset = 4
        for item in 0..<count {
            guard input.count - offset >= 4 else {
                throw ZarrError(.corruptChunk, "variable-length chunk ends inside the length of item \(item)", context: ErrorContext(offset: offset))
            }
            let length = word(at: offset)
            guard length <= input.count - offset - 4 else {
                throw ZarrError(.corruptChunk, "item \(item) says it has \(length) bytes, but only \(input.count - offset - 4) follow", context: ErrorContext(offset: offset))
            }
            ranges.append(offset + 4..<offset + 4 + length)
            offset += 4 + length
        }
        guard offset == input.count else {
            throw ZarrError(.corruptChunk, "variable-length chunk has \(input.count - offset) bytes after its last item", context: ErrorContext(offset: offset))
        }
        return ranges
    }

    /// Decodes an encoded `vlen-utf8` chunk into its strings, in C order.
    /// - Throws: ``ZarrError`` `.corruptChunk` as ``itemRanges(_:elementCount:)``, or naming the
    ///   item that is not valid UTF-8.
    public static func decodeStrings(_ input: UnsafeRawBufferPointer, elementCount: Int) throws -> [String] {
        try itemRanges(input, elementCount: elementCount).enumerated().map { item, range in
            guard let text = String(validating: input[range], as: UTF8.self) else {
                throw ZarrError(.corruptChunk, "item \(item) is not valid UTF-8", context: ErrorContext(offset: range.lowerBound - 4))
            }
            return text
        }
    }
}

/// A `vlen-utf8` or `vlen-bytes` codec bound to a chunk shape.
///
/// Its elements have no fixed size, so it decodes into items (``decodeStrings(_:)``,
/// ``decodeByteStrings(_:)``), never into a
/// chunk buffer: the fixed-size entry points refuse.
public struct BoundVlenCodec: BoundArrayToBytesCodec {
    /// Elements per chunk, which every chunk's item count must equal.
    public let elementCount: Int
    /// Whether items are UTF-8 text (`vlen-utf8`).
    public let isUTF8: Bool

    /// Chunks vary in size.
    public var encodedSize: Int? { nil }

    /// The most MIFAKit decodes for one chunk.
    public var maximumEncodedSize: Int { ZarrArray.maximumChunkBytes }

    /// Items are not element bytes.
    public var isNativeLayout: Bool { false }

    /// Refuses: variable-length items do not fit a fixed-size chunk buffer.
    /// - Throws: ``ZarrError`` `.unsupportedExtension` always.
    public func decode(_ input: UnsafeRawBufferPointer, into chunk: UnsafeMutableRawBufferPointer) throws {
        throw Self.notFixedSize
    }

    /// Refuses: MIFAKit does not write variable-length arrays.
    /// - Throws: ``ZarrError`` `.unsupportedExtension` always.
    public func encode(_ chunk: UnsafeRawBufferPointer) throws -> [UInt8]? {
        throw ZarrError(.unsupportedExtension, "MIFAKit reads variable-length (string) arrays but does not write them; write them with zarr-python")
    }

    /// The strings of one encoded `vlen-utf8` chunk (after the bytes-to-bytes codecs), in C order.
    /// - Throws: ``ZarrError`` `.corruptChunk` as ``VlenCodec/decodeStrings(_:elementCount:)``;
    ///   `.invalidMetadata` when the codec is `vlen-bytes` (its items are not text).
    public func decodeStrings(_ input: UnsafeRawBufferPointer) throws -> [String] {
        guard isUTF8 else { throw ZarrError(.invalidMetadata, "a vlen-bytes array holds bytes, not text; read it as byte strings") }
        return try VlenCodec.decodeStrings(input, elementCount: elementCount)
    }

    /// The items of one encoded chunk (after the bytes-to-bytes codecs) as bytes, in C order.
    /// - Throws: ``ZarrError`` `.corruptChunk` as ``VlenCodec/itemRanges(_:elementCount:)``.
    public func decodeByteStrings(_ input: UnsafeRawBufferPointer) throws -> [[UInt8]] {
        try VlenCodec.itemRanges(input, elementCount: elementCount).map { Array(input[$0]) }
    }

    static let notFixedSize = ZarrError(.unsupportedExtension, "variable-length elements (strings) are not fixed-size values and cannot be read as numbers or pixels; read them with `mifa zarr export` (a NumPy string array)")
}
