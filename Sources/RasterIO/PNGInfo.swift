public import MIFACore

/// What a PNG's header (`IHDR`) says about its pixels.
///
/// See https://www.w3.org/TR/png-3/#11IHDR.
public struct PNGInfo: Sendable, Hashable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// Bits per sample: 1, 2, 4, 8 or 16.
    public var bitDepth: Int
    /// 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
    public var colorType: Int
    /// Whether the rows are Adam7-interlaced.
    public var isInterlaced: Bool

    /// Samples per pixel as decoded: 1 (gray, palette index), 2 (gray+alpha), 3 (RGB), 4 (RGBA).
    public var channels: Int {
        switch colorType {
        case 2: 3
        case 4: 2
        case 6: 4
        default: 1
        }
    }

    /// `uint16` for 16-bit PNGs, otherwise `uint8` (sub-byte samples are unpacked, not rescaled).
    public var dataType: DataType { bitDepth == 16 ? .uint16 : .uint8 }

    /// The decoded array's shape: `[height, width]` or `[height, width, channels]`.
    public var shape: [Int] { channels == 1 ? [height, width] : [height, width, channels] }

    /// The decoded array's axes: `YX` or `YXS`.
    public var axes: String { channels == 1 ? "YX" : "YXS" }

    /// `gray`, `rgb`, `palette`, `gray-alpha` or `rgba`.
    public var colorTypeName: String {
        switch colorType {
        case 0: "gray"
        case 2: "rgb"
        case 3: "palette"
        case 4: "gray-alpha"
        case 6: "rgba"
        default: "color-type-\(colorType)"
        }
    }

    /// Bytes of one decoded row.
    var decodedRowBytes: Int { width * channels * (bitDepth == 16 ? 2 : 1) }
}

/// The checked chunk structure of a PNG: its header and how many compressed image bytes it has.
struct PNGStructure {
    var info: PNGInfo
    var idatBytes: Int
    /// The byte ranges of the IDAT chunks (header, data and CRC), in file order.
    var idatChunks: [Range<Int>] = []
    /// Whether other chunks come between IDAT chunks (libpng needs them consecutive; see ``consecutiveIDAT(_:)``).
    var isSplit = false

    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// Walks the chunks of `bytes`: signature, lengths, CRCs, `IHDR` values, chunk order, `IEND`.
    ///
    /// Everything libpng would stop on before inflating the image data is caught here, with the
    /// chunk's byte offset.
    /// - Throws: ``RasterIOError`` `.wrongFormat`, `.truncated`, `.corrupt` or `.unsupported`.
    static func scan(_ bytes: [UInt8], name: String) throws -> PNGStructure {
        guard bytes.count >= 8 else {
            throw RasterIOError(.truncated, "the file has \(bytes.count) bytes, fewer than the 8-byte PNG signature; it is empty or cut short", file: name, offset: 0)
        }
        guard Array(bytes[0..<8]) == signature else {
            throw RasterIOError(.wrongFormat, "not a PNG file: the first 8 bytes are not the PNG signature 89 50 4E 47 0D 0A 1A 0A", file: name, offset: 0)
        }
        var position = 8
        var info: PNGInfo?
        var idatBytes = 0
        var idatState = 0 // 0 none yet, 1 inside the IDAT run, 2 after it
        var idatChunks: [Range<Int>] = []
        var isSplit = false
        var hasPalette = false
        while true {
            guard position + 8 <= bytes.count else {
                throw RasterIOError(.truncated, "the file ends at byte \(bytes.count) before the IEND chunk; it is cut short", file: name, offset: position)
            }
            let length = Int(be32(bytes, position))
            let typeBytes = bytes[(position + 4)..<(position + 8)]
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard typeBytes.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
                throw RasterIOError(.corrupt, "bytes \(position + 4)..<\(position + 8) are not a chunk type (4 letters); the file is damaged", file: name, offset: position + 4)
            }
            guard length <= 0x7fff_ffff else {
                throw RasterIOError(.corrupt, "chunk \(type) declares \(length) bytes, more than PNG allows (2^31-1)", file: name, key: type, offset: position)
            }
            guard length <= bytes.count - position - 12 else {
                throw RasterIOError(.truncated, "chunk \(type) at byte \(position) declares \(length) bytes but the file ends at byte \(bytes.count); it is cut short", file: name, key: type, offset: position)
            }
            let stored = be32(bytes, position + 8 + length)
            guard crc32(bytes, from: position + 4, count: length + 4) == stored else {
                throw RasterIOError(.corrupt, "the CRC of chunk \(type) at byte \(position) does not match its bytes; the file is damaged", file: name, key: type, offset: position)
            }
            if info == nil, type != "IHDR" {
                throw RasterIOError(.corrupt, "the first chunk is \(type), but a PNG must start with IHDR", file: name, key: type, offset: position)
            }
            if idatState == 1, type != "IDAT" { idatState = 2 }
            switch type {
            case "IHDR":
                guard info == nil else { throw RasterIOError(.corrupt, "a second IHDR chunk", file: name, key: type, offset: position) }
                info = try header(bytes, at: position, length: length, name: name)
            case "PLTE":
                guard idatState == 0 else { throw RasterIOError(.corrupt, "PLTE comes after the image data", file: name, key: type, offset: position) }
                hasPalette = true
            case "IDAT":
                // The standard asks for consecutive IDAT chunks, but writers interleave others and
                // readers accept it: the image data is all IDAT data in file order.
                if idatState == 2 { isSplit = true }
                idatState = 1
                idatBytes += length
                idatChunks.append(position..<(position + 12 + length))
            case "IEND":
                guard let info, idatBytes > 0 else {
                    throw RasterIOError(.corrupt, "IEND comes before any image data (IDAT)", file: name, key: type, offset: position)
                }
                if info.colorType == 3, !hasPalette {
                    throw RasterIOError(.corrupt, "a palette image without a PLTE chunk", file: name, key: "PLTE", offset: position)
                }
                return PNGStructure(info: info, idatBytes: idatBytes, idatChunks: idatChunks, isSplit: isSplit)
            default:
                if (65...90).contains(typeBytes.first!) {
                    throw RasterIOError(.unsupported, "unknown critical chunk \(type); the file needs a decoder that knows it", file: name, key: type, offset: position)
                }
            }
            position += 12 + length
        }
    }

    /// The PNG `bytes` (which ``scan(_:name:)`` made this structure of) with its IDAT chunks
    /// consecutive, as libpng needs them: everything before the first IDAT, every IDAT chunk as
    /// stored (so their CRCs stay valid), then IEND; the chunks that came between IDATs are left out.
    func consecutiveIDAT(_ bytes: [UInt8]) -> [UInt8] {
        guard isSplit, let first = idatChunks.first else { return bytes }
        var result = Array(bytes[0..<first.lowerBound])
        result.reserveCapacity(first.lowerBound + idatChunks.reduce(12) { $0 + $1.count })
        for chunk in idatChunks { result += bytes[chunk] }
        result += [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        return result
    }

    /// The signature and IHDR at the start of `bytes` (at least 33 bytes), checked.
    /// - Throws: ``RasterIOError`` `.wrongFormat`, `.truncated` or `.corrupt`.
    static func header(of bytes: [UInt8], name: String) throws -> PNGInfo {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            if bytes.count < 8 {
                throw RasterIOError(.truncated, "the file has \(bytes.count) bytes, fewer than the 8-byte PNG signature; it is empty or cut short", file: name, offset: 0)
            }
            throw RasterIOError(.wrongFormat, "not a PNG file: the first 8 bytes are not the PNG signature 89 50 4E 47 0D 0A 1A 0A", file: name, offset: 0)
        }
        guard bytes.count >= 33 else {
            throw RasterIOError(.truncated, "the file ends at byte \(bytes.count), inside the IHDR chunk; it is cut short", file: name, key: "IHDR", offset: 8)
        }
        guard Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw RasterIOError(.corrupt, "the first chunk is not IHDR", file: name, key: "IHDR", offset: 8)
        }
        guard crc32(bytes, from: 12, count: 17) == be32(bytes, 29) else {
            throw RasterIOError(.corrupt, "the CRC of chunk IHDR at byte 8 does not match its bytes; the file is damaged", file: name, key: "IHDR", offset: 8)
        }
        return try header(bytes, at: 8, length: Int(be32(bytes, 8)), name: name)
    }

    /// The IHDR values at `position`, checked against the PNG specification.
    private static func header(_ bytes: [UInt8], at position: Int, length: Int, name: String) throws -> PNGInfo {
        guard length == 13 else {
            throw RasterIOError(.corrupt, "IHDR has \(length) bytes, it must have 13", file: name, key: "IHDR", offset: position)
        }
        let d = position + 8
        let info = PNGInfo(width: Int(be32(bytes, d)), height: Int(be32(bytes, d + 4)), bitDepth: Int(bytes[d + 8]),
                           colorType: Int(bytes[d + 9]), isInterlaced: bytes[d + 12] == 1)
        guard (1...0x7fff_ffff).contains(info.width), (1...0x7fff_ffff).contains(info.height) else {
            throw RasterIOError(.corrupt, "the image is \(info.width)×\(info.height) pixels; both must be between 1 and 2^31-1", file: name, key: "IHDR", offset: d)
        }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[info.colorType], depths.contains(info.bitDepth) else {
            throw RasterIOError(.corrupt, "bit depth \(info.bitDepth) with color type \(info.colorType) is not a valid PNG combination", file: name, key: "IHDR", offset: d + 8)
        }
        guard bytes[d + 10] == 0, bytes[d + 11] == 0, bytes[d + 12] <= 1 else {
            throw RasterIOError(.corrupt, "IHDR compression, filter or interlace method is not 0, 0, 0/1", file: name, key: "IHDR", offset: d + 10)
        }
        return info
    }

    /// Bytes of the filtered (pre-deflate) image data, summed over the interlace passes; `nil` on overflow.
    func filteredBytes() -> Int? {
        let passes: [(Int, Int, Int, Int)] = info.isInterlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        let bitsPerPixel = info.channels * info.bitDepth
        var total = 0
        for (x0, y0, dx, dy) in passes {
            let columns = info.width > x0 ? (info.width - x0 + dx - 1) / dx : 0
            let rows = info.height > y0 ? (info.height - y0 + dy - 1) / dy : 0
            guard columns > 0, rows > 0 else { continue }
            let rowBytes = 1 + (columns * bitsPerPixel + 7) / 8
            let (bytes, overflow) = rows.multipliedReportingOverflow(by: rowBytes)
            guard !overflow, total <= Int.max - bytes else { return nil }
            total += bytes
        }
        return total
    }

    private static func be32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 (ISO 3309, as PNG uses it) of `count` bytes from `start`.
    static func crc32(_ bytes: [UInt8], from start: Int, count: Int) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for i in start..<(start + count) {
            c = crcTable[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
        }
        return c ^ 0xFFFF_FFFF
    }
}
