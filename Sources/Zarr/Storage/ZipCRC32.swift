/// CRC-32 (ISO 3309) as zip entries carry it: the one zlib wrapper (LibZlib) shared with zip
/// writers outside this module, so the zip format's checksum has one implementation.
public enum ZipCRC32 {
    /// The CRC-32 of `bytes`, continuing from `crc` (0 to start).
    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { LibZlib.crc32($0, continuing: crc) }
    }

    /// The CRC-32 of the bytes `buffer` points at, continuing from `crc` (0 to start).
    public static func checksum(_ buffer: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        LibZlib.crc32(buffer, continuing: crc)
    }
}
