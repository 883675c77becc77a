internal import CZlib

/// CRC-32 (ISO 3309, as zip uses) from zlib. This file is the only place in DatasetPackage that calls zlib.
enum ZipCRC32 {
    /// The CRC-32 of `bytes`, continuing from `crc` (0 to start).
    static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The CRC-32 of the bytes `buffer` points at, continuing from `crc` (0 to start).
    static func checksum(_ buffer: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = UInt(crc)
        var offset = 0
        while offset < buffer.count {
            let length = min(buffer.count - offset, Int(UInt32.max))
            value = CZlib.crc32(value, buffer.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), UInt32(length))
            offset += length
        }
        return UInt32(truncatingIfNeeded: value)
    }
}
