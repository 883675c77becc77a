import Foundation
import MIFACore
import Zarr

/// Writes a zip file of stored (uncompressed) entries, zip64 where sizes, offsets or the entry count
/// need it (PKWARE APPNOTE 6.3.10, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT).
///
/// Stored entries let Zarr readers (our `ZipStore`, zarr-python's `zarr.storage.ZipStore`) read
/// chunks in place by byte range, and chunks are compressed already. Every entry has the same
/// timestamp (1980-01-01 00:00), so the same files give the same zip bytes. The file is written
/// under a temporary name and renamed when ``finish()`` succeeds.
final class ZipWriter {
    private struct CentralEntry {
        var name: [UInt8]
        var crc: UInt32
        var size: UInt64
        var offset: UInt64
    }

    private let destination: String
    private let temporary: String
    /// The temporary's descriptor; every write is positional (``AtomicFile/writeAll(_:_:_:at:)``).
    private let descriptor: Int32
    private var closed = false
    private var offset: UInt64 = 0
    private var entries: [CentralEntry] = []
    private var names = Set<String>()

    /// Starts a zip file at `path`, which must not exist.
    /// - Throws: ``PackageError`` `.alreadyExists`, `.io`.
    init(path: String) throws {
        guard !FileSystem.exists(path) else {
            throw PackageError(.alreadyExists, "'\(path)' already exists; give a new file name", context: ErrorContext(file: path))
        }
        destination = path
        try PackageFileSystem.createDirectories(FileSystem.parent(of: path))
        try PackageFileSystem.removeAbandonedStaging(for: path, purpose: "export")
        temporary = PackageFileSystem.stagingPath(for: path, purpose: "export")
        descriptor = try PackageFileSystem.createExclusively(temporary)
    }

    deinit {
        if !closed { close(descriptor) }
    }

    /// Adds one file from memory.
    /// - Throws: ``PackageError`` `.invalidPath` for a name used twice, `.io`.
    func add(_ name: String, _ bytes: [UInt8]) throws {
        try claim(name)
        try writeHeader(name, crc: ZipCRC32.checksum(bytes), size: UInt64(bytes.count))
        try write(bytes)
    }

    /// Adds the file at `path`, streamed in blocks (bounded memory whatever its size), when its
    /// content has the digest and size `expected`; otherwise nothing is added and `false` returned.
    /// - Throws: ``PackageError`` `.invalidPath` for a name used twice, `.io`.
    func add(_ name: String, fileAt path: String, expected: ManifestEntry) throws -> Bool {
        try claim(name)
        let start = offset
        let headerSize = try writeHeader(name, crc: 0, size: UInt64(expected.bytes))
        var crc: UInt32 = 0
        let read = try PackageFileSystem.withFileBlocks(path) { block in
            crc = ZipCRC32.checksum(block, continuing: crc)
            try write(block)
        }
        guard read.digest == expected.sha256, read.bytes == expected.bytes else {
            try rewind(to: start)
            names.remove(name)
            entries.removeLast()
            return false
        }
        var field = ZipBytes()
        field.u32(crc)
        try field.bytes.withUnsafeBytes { try write($0, at: start + 14) }
        entries[entries.count - 1].crc = crc
        precondition(offset == start + UInt64(headerSize) + UInt64(expected.bytes))
        return true
    }

    private func claim(_ name: String) throws {
        guard names.insert(name).inserted else {
            throw PackageError(.invalidPath, "'\(name)' would be written twice into the zip file", context: ErrorContext(file: name))
        }
    }

    /// Drops everything written from `start` on.
    private func rewind(to start: UInt64) throws {
        guard ftruncate(descriptor, off_t(start)) == 0 else {
            throw PackageError(.io, "cannot truncate '\(temporary)': \(String(cString: strerror(errno)))", context: ErrorContext(file: temporary))
        }
        offset = start
    }

    /// Writes a local file header and records the entry for the central directory; returns the header's size.
    @discardableResult
    private func writeHeader(_ name: String, crc: UInt32, size: UInt64) throws -> Int {
        let nameBytes = Array(name.utf8)
        let zip64 = size >= 0xFFFF_FFFF
        var header = ZipBytes()
        header.u32(0x0403_4b50)
        header.u16(zip64 ? 45 : 20)
        header.u16(0x0800)  // names are UTF-8
        header.u16(0)  // stored
        header.u16(0)  // time 00:00:00
        header.u16(0x21)  // date 1980-01-01
        header.u32(crc)
        header.u32(zip64 ? 0xFFFF_FFFF : UInt32(size))
        header.u32(zip64 ? 0xFFFF_FFFF : UInt32(size))
        header.u16(UInt16(nameBytes.count))
        header.u16(zip64 ? 20 : 0)
        header.append(nameBytes)
        if zip64 {
            header.u16(0x0001)
            header.u16(16)
            header.u64(size)
            header.u64(size)
        }
        entries.append(CentralEntry(name: nameBytes, crc: crc, size: size, offset: offset))
        try write(header.bytes)
        return header.bytes.count
    }

    /// Writes the central directory and renames the file into place.
    /// - Throws: ``PackageError`` `.io`, `.alreadyExists` when the destination appeared meanwhile.
    func finish() throws {
        let directoryOffset = offset
        for entry in entries {
            var extra = ZipBytes()
            let bigSize = entry.size >= 0xFFFF_FFFF
            let bigOffset = entry.offset >= 0xFFFF_FFFF
            if bigSize { extra.u64(entry.size); extra.u64(entry.size) }
            if bigOffset { extra.u64(entry.offset) }
            var record = ZipBytes()
            record.u32(0x0201_4b50)
            record.u16(0x031E)  // made by: Unix, 3.0
            record.u16(bigSize || bigOffset ? 45 : 20)
            record.u16(0x0800)
            record.u16(0)
            record.u16(0)
            record.u16(0x21)
            record.u32(entry.crc)
            record.u32(bigSize ? 0xFFFF_FFFF : UInt32(entry.size))
            record.u32(bigSize ? 0xFFFF_FFFF : UInt32(entry.size))
            record.u16(UInt16(entry.name.count))
            record.u16(extra.bytes.isEmpty ? 0 : UInt16(extra.bytes.count + 4))
            record.u16(0)  // comment
            record.u16(0)  // disk
            record.u16(0)  // internal attributes
            record.u32(0o100644 << 16)  // external attributes: regular file, rw-r--r--
            record.u32(bigOffset ? 0xFFFF_FFFF : UInt32(entry.offset))
            record.append(entry.name)
            if !extra.bytes.isEmpty {
                record.u16(0x0001)
                record.u16(UInt16(extra.bytes.count))
                record.append(extra.bytes)
            }
            try write(record.bytes)
        }
        let directorySize = offset - directoryOffset
        let count = UInt64(entries.count)
        var end = ZipBytes()
        if count >= 0xFFFF || directoryOffset >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF {
            let recordOffset = offset
            end.u32(0x0606_4b50)
            end.u64(44)
            end.u16(0x031E)
            end.u16(45)
            end.u32(0)
            end.u32(0)
            end.u64(count)
            end.u64(count)
            end.u64(directorySize)
            end.u64(directoryOffset)
            end.u32(0x0706_4b50)
            end.u32(0)
            end.u64(recordOffset)
            end.u32(1)
        }
        end.u32(0x0605_4b50)
        end.u16(0)
        end.u16(0)
        end.u16(UInt16(min(count, 0xFFFF)))
        end.u16(UInt16(min(count, 0xFFFF)))
        end.u32(UInt32(min(directorySize, 0xFFFF_FFFF)))
        end.u32(UInt32(min(directoryOffset, 0xFFFF_FFFF)))
        end.u16(0)
        try write(end.bytes)
        closed = true
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw PackageError(.io, "cannot finish '\(temporary)': \(String(cString: strerror(errno)))", context: ErrorContext(file: temporary))
        }
        guard !FileSystem.exists(destination) else {
            try? PackageFileSystem.remove(temporary)
            throw PackageError(.alreadyExists, "'\(destination)' appeared while the zip file was written; give a new file name", context: ErrorContext(file: destination))
        }
        try PackageFileSystem.rename(temporary, to: destination)
    }

    /// Removes the unfinished file.
    func abandon() {
        if !closed {
            closed = true
            close(descriptor)
        }
        try? PackageFileSystem.remove(temporary)
    }

    /// Appends `bytes` at the end.
    private func write(_ bytes: some Collection<UInt8>) throws {
        let result: Void? = try bytes.withContiguousStorageIfAvailable { try write(UnsafeRawBufferPointer($0), at: offset) }
        if result == nil { try ContiguousArray(bytes).withUnsafeBytes { try write($0, at: offset) } }
        offset += UInt64(bytes.count)
    }

    /// Writes `buffer` at `position` of the temporary.
    private func write(_ buffer: UnsafeRawBufferPointer, at position: UInt64) throws {
        do throws(CoreError) {
            try AtomicFile.writeAll(descriptor, buffer, temporary, at: Int(position))
        } catch {
            throw PackageError(error)
        }
    }
}

/// Little-endian fields of zip records.
struct ZipBytes {
    var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
    mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
    mutating func u64(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xFF)) } }
    mutating func append(_ more: [UInt8]) { bytes += more }
}
