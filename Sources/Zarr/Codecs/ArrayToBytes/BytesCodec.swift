public import MIFACore

/// `bytes`: the chunk's elements in C order, each in the configured byte order.
///
/// ```json
/// {"name": "bytes", "configuration": {"endian": "little"}}
/// ```
/// `endian` is required for multi-byte types and ignored for one-byte types.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/codecs/bytes/index.html.
public struct BytesCodec: ArrayToBytesCodec {
    /// The byte order of multi-byte elements; `nil` when not given (allowed for one-byte types).
    public let endian: Endianness?

    /// A codec writing the given byte order.
    public init(endian: Endianness? = .little) {
        self.endian = endian
    }

    /// Reads `endian` (`"little"` or `"big"`).
    /// - Throws: ``ZarrError`` `.invalidMetadata` for another value.
    public init(_ configuration: CodecConfiguration) throws {
        if configuration["endian"] == nil || configuration["endian"] == .null {
            endian = nil
        } else {
            endian = try configuration.string("endian", allowed: ["little", "big"]) == "big" ? .big : .little
        }
    }

    /// `bytes`.
    public var name: String { "bytes" }

    /// `{"endian": ...}` when set.
    public var configuration: JSONObject {
        guard let endian else { return JSONObject() }
        return ["endian": .string(endian == .big ? "big" : "little")]
    }

    /// Binds to the chunk.
    /// - Throws: ``ZarrError`` `.invalidMetadata` when `endian` is missing for a multi-byte type,
    ///   or the elements have no fixed size (strings).
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundArrayToBytesCodec {
        guard !decoded.dataType.isVariableLength else {
            throw ZarrError(.invalidMetadata, "codec 'bytes' stores fixed-size elements; \(decoded.dataType) elements need the codec '\(decoded.dataType.objectCodecName ?? "vlen-bytes")'")
        }
        guard endian != nil || decoded.dataType.swapUnit == 1 else {
            throw ZarrError(.invalidMetadata, "codec 'bytes' needs \"endian\" for \(decoded.dataType) elements")
        }
        return Bound(size: decoded.byteCount, swapUnit: (endian ?? .native) == .native ? 1 : decoded.dataType.swapUnit)
    }

    struct Bound: BoundArrayToBytesCodec {
        let size: Int
        let swapUnit: Int

        var encodedSize: Int? { size }
        var maximumEncodedSize: Int { size }
        var isNativeLayout: Bool { swapUnit == 1 }

        func decode(_ input: UnsafeRawBufferPointer, into chunk: UnsafeMutableRawBufferPointer) throws {
            guard input.count == size else {
                throw ZarrError(.corruptChunk, "chunk has \(input.count) bytes, its shape and type need exactly \(size)")
            }
            if size > 0 { chunk.copyMemory(from: input) }
            if swapUnit > 1 { ByteOrder.swapInPlace(chunk, elementSize: swapUnit) }
        }

        func encode(_ chunk: UnsafeRawBufferPointer) throws -> [UInt8]? {
            var bytes = [UInt8](chunk)
            if swapUnit > 1 { bytes.withUnsafeMutableBytes { ByteOrder.swapInPlace($0, elementSize: swapUnit) } }
            return bytes
        }
    }
}
