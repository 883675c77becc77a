/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), as iSCSI, ext4 and the Zarr
/// `crc32c` codec use it: initial value and final XOR `0xFFFFFFFF`.
///
/// Slicing-by-8: eight 256-entry tables consume eight bytes per step. `CRC32C.checksum("123456789")`
/// is `0xE3069283`.
public enum CRC32C {
    /// The eight lookup tables, computed once (immutable).
    static let tables: [[UInt32]] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0x82F6_3B78) }
            tables[0][i] = crc
        }
        for i in 0..<256 {
            for t in 1..<8 {
                let previous = tables[t - 1][i]
                tables[t][i] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0xFFFF_FFFF, bytes) ^ 0xFFFF_FFFF
    }

    /// The CRC-32C of a byte collection.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        ContiguousArray(bytes).withUnsafeBytes { checksum($0) }
    }

    private static func update(_ initial: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = initial
        var index = 0
        let count = bytes.count
        tables.withUnsafeBufferPointer { all in
            let t0 = all[0], t1 = all[1], t2 = all[2], t3 = all[3], t4 = all[4], t5 = all[5], t6 = all[6], t7 = all[7]
            while count - index >= 8 {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ UInt64(crc)
                crc = t7[Int(word & 0xFF)] ^ t6[Int((word >> 8) & 0xFF)] ^ t5[Int((word >> 16) & 0xFF)] ^ t4[Int((word >> 24) & 0xFF)]
                    ^ t3[Int((word >> 32) & 0xFF)] ^ t2[Int((word >> 40) & 0xFF)] ^ t1[Int((word >> 48) & 0xFF)] ^ t0[Int(word >> 56)]
                index += 8
            }
            while index < count {
                crc = (crc >> 8) ^ t0[Int((crc ^ UInt32(bytes[index])) & 0xFF)]
                index += 1
            }
        }
        return crc
    }
}
