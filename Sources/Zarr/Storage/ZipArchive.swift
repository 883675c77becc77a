import MIFACore

/// The central directory of a zip file (PKWARE APPNOTE 6.3.10, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT),
/// zip64 included: where each entry's data is, how it is compressed, and its CRC-32.
///
/// Every offset and size read from the file is checked against the file size before it is used;
/// counts the file merely claims are never used to reserve memory.
struct ZipArchive: Sendable {
    /// One file in the archive.
    struct Entry: Sendable, Hashable {
        /// The name as stored (`/`-separated).
        var name: String
        /// 0 stored, 8 deflated.
        var method: UInt16
        /// CRC-32 of the uncompressed data.
        var crc32: UInt32
        /// Bytes of compressed data.
        var compressedSize: Int
        /// Bytes of uncompressed data.
        var uncompressedSize: Int
        /// Offset of the local file header.
        var localHeaderOffset: Int
        /// General purpose flags (bit 0: encrypted).
        var flags: UInt16
    }

    /// Entries by name (directories, whose names end in `/`, left out).
    var entries: [String: Entry]

    /// Reads the central directory of `file`.
    /// - Throws: ``ZarrError`` `.storeFailure` when the file is not a zip file or its directory is
    ///   damaged, naming the offset.
    init(file: ReadOnlyFile) throws {
        let size = file.size
        guard size >= 22 else { throw Self.damaged(file, "is \(size) bytes, too short for a zip file", at: 0) }
        // The end of central directory record sits in the last 22 + 65535 bytes.
        let tailLength = Swift.min(size, 22 + 65_535)
        let tail = try file.read(at: size - tailLength, count: tailLength)
        guard let eocd = Self.lastSignature(0x0605_4b50, in: tail, minimumRemaining: 22) else {
            throw Self.damaged(file, "has no end of central directory record; is it a zip file?", at: size)
        }
        var count = Int(Self.u16(tail, eocd + 10))
        var directorySize = Int(Self.u32(tail, eocd + 12))
        var directoryOffset = Int(Self.u32(tail, eocd + 16))
        // Zip64: a locator right before the record points at the zip64 end of central directory.
        if eocd >= 20, Self.u32(tail, eocd - 20) == 0x0706_4b50 {
            let recordOffset = Self.u64(tail, eocd - 20 + 8)
            guard size >= 56, recordOffset <= UInt64(size - 56) else {
                throw Self.damaged(file, "has a zip64 locator pointing outside the file", at: size - tailLength + eocd - 20)
            }
            let record = try file.read(at: Int(recordOffset), count: 56)
            guard Self.u32(record, 0) == 0x0606_4b50 else {
                throw Self.damaged(file, "has no zip64 end of central directory record where the locator points", at: Int(recordOffset))
            }
            let count64 = Self.u64(record, 32)
            let size64 = Self.u64(record, 40)
            let offset64 = Self.u64(record, 48)
            guard size64 <= UInt64(size), offset64 <= UInt64(size), count64 <= UInt64(size) else {
                throw Self.damaged(file, "has a zip64 directory larger than the file", at: Int(recordOffset))
            }
            count = Int(count64)
            directorySize = Int(size64)
            directoryOffset = Int(offset64)
        }
        guard directoryOffset <= size, directorySize <= size - directoryOffset else {
            throw Self.damaged(file, "has a central directory (\(directorySize) bytes at \(directoryOffset)) outside the file", at: size - tailLength + eocd)
        }
        let directory = try file.read(at: directoryOffset, count: directorySize)
        var entries: [String: Entry] = [:]
        var position = 0
        var seen = 0
        while position + 46 <= directory.count, Self.u32(directory, position) == 0x0201_4b50 {
            let here = directoryOffset + position
            let nameLength = Int(Self.u16(directory, position + 28))
            let extraLength = Int(Self.u16(directory, position + 30))
            let commentLength = Int(Self.u16(directory, position + 32))
            let end = position + 46 + nameLength + extraLength + commentLength
            guard end <= directory.count else { throw Self.damaged(file, "has a truncated central directory entry", at: here) }
            let name = String(decoding: directory[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            var compressed = UInt64(Self.u32(directory, position + 20))
            var uncompressed = UInt64(Self.u32(directory, position + 24))
            var localOffset = UInt64(Self.u32(directory, position + 42))
            // Zip64 extended information: the 8-byte values that overflowed, in this order.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = Self.u16(directory, extra)
                let length = Int(Self.u16(directory, extra + 2))
                guard extra + 4 + length <= extraEnd else { break }
                if id == 0x0001 {
                    var field = extra + 4
                    func next() -> UInt64? {
                        guard field + 8 <= extra + 4 + length else { return nil }
                        defer { field += 8 }
                        return Self.u64(directory, field)
                    }
                    if uncompressed == 0xFFFF_FFFF, let v = next() { uncompressed = v }
                    if compressed == 0xFFFF_FFFF, let v = next() { compressed = v }
                    if localOffset == 0xFFFF_FFFF, let v = next() { localOffset = v }
                }
                extra += 4 + length
            }
            guard localOffset < UInt64(size), compressed <= UInt64(size) else {
                throw Self.damaged(file, "entry '\(name)' points outside the file", at: here)
            }
            let entry = Entry(name: name, method: Self.u16(directory, position + 10), crc32: Self.u32(directory, position + 16),
                              compressedSize: Int(compressed), uncompressedSize: Int(clamping: uncompressed),
                              localHeaderOffset: Int(localOffset), flags: Self.u16(directory, position + 8))
            if !name.hasSuffix("/") { entries[name] = entry }
            position = end
            seen += 1
        }
        guard seen == count || count == 0xFFFF else {
            throw Self.damaged(file, "lists \(seen) central directory entries but its end record says \(count)", at: directoryOffset + position)
        }
        self.entries = entries
    }

    /// Where `entry`'s data starts, from its local header.
    /// - Throws: ``ZarrError`` `.storeFailure` when the local header is damaged or the data leaves the file.
    static func dataOffset(of entry: Entry, in file: ReadOnlyFile) throws -> Int {
        let header = try file.read(at: entry.localHeaderOffset, count: Swift.min(30, file.size - entry.localHeaderOffset))
        guard header.count == 30, u32(header, 0) == 0x0403_4b50 else {
            throw damaged(file, "entry '\(entry.name)' has no local file header", at: entry.localHeaderOffset)
        }
        let start = entry.localHeaderOffset + 30 + Int(u16(header, 26)) + Int(u16(header, 28))
        guard start <= file.size, entry.compressedSize <= file.size - start else {
            throw damaged(file, "entry '\(entry.name)' has data outside the file", at: entry.localHeaderOffset)
        }
        return start
    }

    private static func lastSignature(_ signature: UInt32, in bytes: [UInt8], minimumRemaining: Int) -> Int? {
        var index = bytes.count - minimumRemaining
        while index >= 0 {
            if u32(bytes, index) == signature { return index }
            index -= 1
        }
        return nil
    }

    private static func damaged(_ file: ReadOnlyFile, _ what: String, at offset: Int) -> ZarrError {
        ZarrError(.storeFailure, "zip file '\(file.path)' \(what)", context: ErrorContext(file: file.path, offset: offset))
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16
    }

    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32
    }
}
