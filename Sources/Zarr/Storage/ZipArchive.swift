import MIFACore

/// The central directory of a zip file (PKWARE APPNOTE 6.3.10, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT),
/// zip64 included: where each entry's data is, how it is compressed, and its CRC-32.
///
/// The file is a ``ByteSource``: a local file or an object in a store. Every offset and size read
/// from the file is checked against the file size before it is used; counts the file merely claims
/// are never used to reserve memory, and the central directory is read in bounded blocks (a local
/// file) or in one read (a remote object, where each read is a request).
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
        /// Bytes of the name and of the extra field in the central directory: the local header
        /// usually repeats them, so they size a read of the header and the data together.
        var nameLength: Int, extraLength: Int
    }

    /// Entries by name (directories, whose names end in `/`, left out).
    var entries: [String: Entry]

    /// Reads the central directory of `file`, in blocks of at most 1 MiB (in one read when the file
    /// is remote); a directory larger than `maxBytes` is refused before any of it is read.
    /// - Throws: ``ZarrError`` `.storeFailure` when the file is not a zip file or its directory is
    ///   damaged, naming the offset; `.tooLarge` for a directory over `maxBytes`.
    init(file: any ByteSource, maxBytes: Int) throws {
        let size = file.size
        guard size >= 22 else { throw Self.damaged(file, "is \(size) bytes, too short for a zip file", at: 0) }
        // The end of central directory record sits in the last 22 + 65535 bytes.
        let tailLength = Swift.min(size, 22 + 65_535)
        let tail = try file.read(at: size - tailLength, count: tailLength)
        guard let eocd = Self.endRecord(in: tail) else {
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
        guard directorySize <= maxBytes else {
            throw ZarrError(.tooLarge, "zip file '\(file.name)' has a central directory of \(directorySize) bytes, more than the limit of \(maxBytes); raise the zip store's maxEntryBytes if the file is genuine",
                            context: ErrorContext(file: file.name, offset: directoryOffset))
        }
        var blocks = DirectoryBlocks(file: file, start: directoryOffset, end: directoryOffset + directorySize)
        var entries: [String: Entry] = [:]
        var position = 0
        var seen = 0
        while try blocks.load(position, count: 46), Self.u32(blocks.bytes, position - blocks.start) == 0x0201_4b50 {
            let here = directoryOffset + position
            var at = position - blocks.start
            let nameLength = Int(Self.u16(blocks.bytes, at + 28))
            let extraLength = Int(Self.u16(blocks.bytes, at + 30))
            let commentLength = Int(Self.u16(blocks.bytes, at + 32))
            guard try blocks.load(position, count: 46 + nameLength + extraLength + commentLength) else {
                throw Self.damaged(file, "has a truncated central directory entry", at: here)
            }
            at = position - blocks.start
            let directory = blocks.bytes
            let end = at + 46 + nameLength + extraLength + commentLength
            let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            var compressed = UInt64(Self.u32(directory, at + 20))
            var uncompressed = UInt64(Self.u32(directory, at + 24))
            var localOffset = UInt64(Self.u32(directory, at + 42))
            // Zip64 extended information: the 8-byte values that overflowed, in this order.
            var extra = at + 46 + nameLength
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
            let entry = Entry(name: name, method: Self.u16(directory, at + 10), crc32: Self.u32(directory, at + 16),
                              compressedSize: Int(compressed), uncompressedSize: Int(clamping: uncompressed),
                              localHeaderOffset: Int(localOffset), flags: Self.u16(directory, at + 8),
                              nameLength: nameLength, extraLength: extraLength)
            if !name.hasSuffix("/") { entries[name] = entry }
            position = end + blocks.start
            seen += 1
        }
        guard seen == count || count == 0xFFFF else {
            throw Self.damaged(file, "lists \(seen) central directory entries but its end record says \(count)", at: directoryOffset + position)
        }
        self.entries = entries
    }

    /// Bytes read past the central directory's idea of the local header, in case the local extra
    /// field is longer (a zip64 field, timestamps), when the header and data are read together.
    static let localHeaderMargin = 1024
    /// The farthest into an entry's data a remote read still starts at the local header, so that
    /// the header and the data come in one request; farther ranges cost a header read and a range read.
    static let readAheadLimit = 64 << 10

    /// Bytes `span` of `entry`'s (compressed) data, after its local header has been checked.
    ///
    /// A local file reads the 30-byte header, then the data. A remote file reads the header
    /// (sized from the central directory, plus ``localHeaderMargin``) and the data in one read when
    /// `span` starts within ``readAheadLimit``, and reads the data again only when the local
    /// header turns out longer than that read allowed for.
    /// - Throws: ``ZarrError`` `.storeFailure` when the local header is damaged or the data leaves the
    ///   file; what the source throws.
    static func read(_ entry: Entry, data span: Range<Int>, from file: any ByteSource) throws -> [UInt8] {
        let available = file.size - entry.localHeaderOffset
        if file.isRemote, span.lowerBound <= readAheadLimit {
            let guess = 30 + entry.nameLength + entry.extraLength + localHeaderMargin
            let head = try file.read(at: entry.localHeaderOffset, count: Swift.min(available, guess + span.upperBound))
            let start = try dataStart(of: entry, header: head, in: file)
            if start + span.upperBound <= head.count { return Array(head[(start + span.lowerBound)..<(start + span.upperBound)]) }
            return try file.read(at: entry.localHeaderOffset + start + span.lowerBound, count: span.count)
        }
        let header = try file.read(at: entry.localHeaderOffset, count: Swift.min(30, available))
        let start = try dataStart(of: entry, header: header, in: file)
        return try file.read(at: entry.localHeaderOffset + start + span.lowerBound, count: span.count)
    }

    /// Where `entry`'s data starts, relative to its local header, from the header's first bytes.
    /// - Throws: ``ZarrError`` `.storeFailure` when the local header is damaged or the data leaves the file.
    private static func dataStart(of entry: Entry, header: [UInt8], in file: any ByteSource) throws -> Int {
        guard header.count >= 30, u32(header, 0) == 0x0403_4b50 else {
            throw damaged(file, "entry '\(entry.name)' has no local file header", at: entry.localHeaderOffset)
        }
        let start = 30 + Int(u16(header, 26)) + Int(u16(header, 28))
        guard start <= file.size - entry.localHeaderOffset, entry.compressedSize <= file.size - entry.localHeaderOffset - start else {
            throw damaged(file, "entry '\(entry.name)' has data outside the file", at: entry.localHeaderOffset)
        }
        return start
    }

    /// Where a remote zip's `tail` (its last bytes, as many as were asked for) starts in the file,
    /// from its end: the end record follows the central directory (offset + size), or, in a zip64
    /// file, the zip64 end record just before the locator is at the offset the locator gives.
    /// - Throws: ``ZarrError`` `.storeFailure` when the tail has no end record or its place cannot be told.
    static func tailStart(of tail: [UInt8], name: String) throws -> Int {
        func refuse(_ what: String) -> ZarrError {
            ZarrError(.storeFailure, "zip file '\(name)' \(what)", context: ErrorContext(file: name))
        }
        guard let eocd = endRecord(in: tail) else { throw refuse("has no end of central directory record; is it a zip file?") }
        if eocd >= 20, u32(tail, eocd - 20) == 0x0706_4b50 {
            let recordOffset = u64(tail, eocd - 20 + 8)
            // The zip64 record (56 bytes or more) ends where the locator starts.
            var index = eocd - 20 - 56
            while index >= 0 {
                if u32(tail, index) == 0x0606_4b50, u64(tail, index + 4) == UInt64(eocd - 20 - index - 12) { break }
                index -= 1
            }
            guard index >= 0, recordOffset >= UInt64(index), recordOffset <= UInt64(Int.max / 2) else {
                throw refuse("has a zip64 end record that is not right before its locator, so where the file ends cannot be told without downloading it; download it and open the local file")
            }
            return Int(recordOffset) - index
        }
        let end = Int(u32(tail, eocd + 16)) + Int(u32(tail, eocd + 12))
        guard end >= eocd else { throw refuse("has a central directory that ends before the start of the file; the file is damaged") }
        return end - eocd
    }

    /// The end of central directory record in the file's `tail`: scanning backwards, the first
    /// signature whose comment length reaches exactly the end of the file (so `PK\u{5}\u{6}` inside
    /// a comment is not taken for the record); failing that, the last one whose comment fits (a
    /// file with bytes appended after the zip).
    static func endRecord(in tail: [UInt8]) -> Int? {
        var fitting: Int?
        var index = tail.count - 22
        while index >= 0 {
            if u32(tail, index) == 0x0605_4b50 {
                let remaining = tail.count - index - 22
                let comment = Int(u16(tail, index + 20))
                if comment == remaining { return index }
                if comment < remaining, fitting == nil { fitting = index }
            }
            index -= 1
        }
        return fitting
    }

    /// The central directory, read in blocks as the entries are parsed: memory stays bounded by the
    /// largest entry plus one block, whatever the directory's size.
    private struct DirectoryBlocks {
        static let blockSize = 1 << 20
        let file: any ByteSource
        /// Directory bounds in the file.
        let base: Int, end: Int
        /// Bytes held, starting at directory position `start`.
        var bytes: [UInt8] = []
        var start = 0

        init(file: any ByteSource, start: Int, end: Int) {
            self.file = file
            self.base = start
            self.end = end
        }

        /// Makes directory positions `position..<position+count` available; `false` when the
        /// directory ends first.
        /// - Throws: what the source throws.
        mutating func load(_ position: Int, count: Int) throws -> Bool {
            guard base + position + count <= end else { return false }
            if position >= start, position + count <= start + bytes.count { return true }
            // A remote file reads the rest of the directory at once: each read is a request.
            let length = file.isRemote ? end - base - position : Swift.min(Swift.max(count, Self.blockSize), end - base - position)
            bytes = try file.read(at: base + position, count: length)
            start = position
            return true
        }
    }

    private static func damaged(_ file: any ByteSource, _ what: String, at offset: Int) -> ZarrError {
        ZarrError(.storeFailure, "zip file '\(file.name)' \(what)", context: ErrorContext(file: file.name, offset: offset))
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
