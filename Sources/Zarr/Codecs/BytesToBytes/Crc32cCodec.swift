public import MIFACore

/// `crc32c`: appends the CRC-32C of the bytes as 4 little-endian bytes; decoding checks and
/// removes it.
///
/// ```json
/// {"name": "crc32c"}
/// ```
/// See https://zarr-specs.readthedocs.io/en/latest/v3/codecs/crc32c/index.html.
public struct Crc32cCodec: BytesToBytesCodec {
    /// A checksum codec.
    public init() {}

    /// Reads the (empty) configuration.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public init(_ configuration: CodecConfiguration) throws {}

    /// `crc32c`.
    public var name: String { "crc32c" }

    /// Empty.
    public var configuration: JSONObject { JSONObject() }

    /// Binds (nothing depends on the chunk).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec { Bound() }

    struct Bound: BoundBytesToBytesCodec {
        func encodedSize(forDecodedSize decodedSize: Int) -> Int? { decodedSize + 4 }

        func maximumEncodedSize(forDecodedSize decodedSize: Int) -> Int { decodedSize.addingReportingOverflow(4).partialValue }

        func decodedView(_ input: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
            guard input.count >= 4 else {
                throw ZarrError(.corruptChunk, "crc32c: \(input.count) bytes cannot hold the 4-byte checksum")
            }
            let payload = UnsafeRawBufferPointer(rebasing: input[..<(input.count - 4)])
            let stored = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: input.count - 4, as: UInt32.self))
            let computed = CRC32C.checksum(payload)
            guard stored == computed else {
                throw ZarrError(.checksumMismatch, "crc32c checksum is \(hex(stored)) but the data gives \(hex(computed)); the chunk is damaged",
                                context: ErrorContext(offset: input.count - 4))
            }
            return payload
        }

        func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
            let payload = try decodedView(input)!
            guard payload.count == output.count else {
                throw ZarrError(.corruptChunk, "crc32c: \(payload.count) bytes before the checksum, expected \(output.count)")
            }
            if payload.count > 0 { output.copyMemory(from: payload) }
        }

        func decode(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
            Array(try decodedView(input)!)
        }

        func encode(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
            var bytes = [UInt8](input)
            withUnsafeBytes(of: CRC32C.checksum(input).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes
        }

        private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16).leftPadded(to: 8) }
    }
}
