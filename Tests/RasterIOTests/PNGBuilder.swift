#if canImport(Glibc)
import Glibc
#endif
@testable import RasterIO

/// Builds PNG files by hand (stored, uncompressed deflate blocks) to test what Pillow and our own
/// writer never produce: interlacing, sub-byte depths, palettes, damaged data with valid CRCs.
enum PNGBuilder {
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = PNGStructure.crc32(body, from: 0, count: body.count)
        return be32(UInt32(data.count)) + body + be32(crc)
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    /// A zlib stream of stored blocks holding `raw`.
    static func zlibStored(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var blocks = stride(from: 0, to: raw.count, by: 65535).map { Array(raw[$0..<min($0 + 65535, raw.count)]) }
        if blocks.isEmpty { blocks = [[]] }
        for (i, block) in blocks.enumerated() {
            out.append(i == blocks.count - 1 ? 1 : 0)
            let n = UInt16(block.count)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)]
            out += block
        }
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32(b << 16 | a)
    }

    /// A PNG with the given header and filtered scanlines `raw` (or an explicit zlib stream).
    static func png(width: Int, height: Int, bitDepth: Int, colorType: Int, interlace: Int = 0, raw: [UInt8], zlib: [UInt8]? = nil, extra: [(String, [UInt8])] = []) -> [UInt8] {
        let header = be32(UInt32(width)) + be32(UInt32(height)) + [UInt8(bitDepth), UInt8(colorType), 0, 0, UInt8(interlace)]
        var bytes = PNGStructure.signature + chunk("IHDR", header)
        for (type, data) in extra { bytes += chunk(type, data) }
        return bytes + chunk("IDAT", zlib ?? zlibStored(raw)) + chunk("IEND", [])
    }

    /// Filtered (filter 0) Adam7 pass rows of an 8-bit gray image.
    static func adam7(_ pixels: [[UInt8]]) -> [UInt8] {
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        let height = pixels.count, width = pixels[0].count
        var out: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let xs = Array(stride(from: x0, to: width, by: dx)), ys = Array(stride(from: y0, to: height, by: dy))
            guard !xs.isEmpty, !ys.isEmpty else { continue }
            for y in ys { out.append(0); out += xs.map { pixels[y][$0] } }
        }
        return out
    }
}
