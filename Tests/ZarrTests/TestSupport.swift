import Foundation
import MIFACore
@testable import Zarr

/// Writes zip files for the zip store tests: stored or deflated entries, optionally with zip64 records.
struct TestZipWriter {
    struct Entry {
        var name: String
        var data: [UInt8]
        var deflate: Bool
    }

    var entries: [Entry] = []
    var zip64 = false

    mutating func add(_ name: String, _ data: [UInt8], deflate: Bool = false) {
        entries.append(Entry(name: name, data: data, deflate: deflate))
    }

    func bytes() throws -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: Int, _ to: inout [UInt8]) { to += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: Int, _ to: inout [UInt8]) { u16(v & 0xFFFF, &to); u16((v >> 16) & 0xFFFF, &to) }
        func u64(_ v: Int, _ to: inout [UInt8]) { u32(v & 0xFFFF_FFFF, &to); u32(v >> 32, &to) }
        for entry in entries {
            let payload = entry.deflate ? try entry.data.withUnsafeBytes { try LibZlib.deflate($0, level: 6, wrapping: .raw) } : entry.data
            let crc = entry.data.withUnsafeBytes { Int(LibZlib.crc32($0)) }
            let offset = out.count
            let name = Array(entry.name.utf8)
            var extra: [UInt8] = []
            if zip64 {
                u16(1, &extra); u16(24, &extra)
                u64(entry.data.count, &extra); u64(payload.count, &extra); u64(offset, &extra)
            }
            // Local header.
            u32(0x0403_4b50, &out); u16(zip64 ? 45 : 20, &out); u16(0, &out); u16(entry.deflate ? 8 : 0, &out)
            u16(0, &out); u16(0, &out); u32(crc, &out)
            u32(zip64 ? 0xFFFF_FFFF : payload.count, &out); u32(zip64 ? 0xFFFF_FFFF : entry.data.count, &out)
            u16(name.count, &out); u16(0, &out); out += name
            out += payload
            // Central directory header.
            u32(0x0201_4b50, &central); u16(45, &central); u16(zip64 ? 45 : 20, &central); u16(0, &central)
            u16(entry.deflate ? 8 : 0, &central); u16(0, &central); u16(0, &central); u32(crc, &central)
            u32(zip64 ? 0xFFFF_FFFF : payload.count, &central); u32(zip64 ? 0xFFFF_FFFF : entry.data.count, &central)
            u16(name.count, &central); u16(extra.count, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0, &central); u32(zip64 ? 0xFFFF_FFFF : offset, &central)
            central += name + extra
        }
        let centralOffset = out.count
        out += central
        if zip64 {
            let recordOffset = out.count
            u32(0x0606_4b50, &out); u64(44, &out); u16(45, &out); u16(45, &out); u32(0, &out); u32(0, &out)
            u64(entries.count, &out); u64(entries.count, &out); u64(central.count, &out); u64(centralOffset, &out)
            u32(0x0706_4b50, &out); u32(0, &out); u64(recordOffset, &out); u32(1, &out)
        }
        u32(0x0605_4b50, &out); u16(0, &out); u16(0, &out)
        u16(zip64 ? 0xFFFF : entries.count, &out); u16(zip64 ? 0xFFFF : entries.count, &out)
        u32(zip64 ? 0xFFFF_FFFF : central.count, &out); u32(zip64 ? 0xFFFF_FFFF : centralOffset, &out); u16(0, &out)
        return out
    }
}

/// Codec descriptions for building test arrays.
enum TestCodecs {
    static func bytes(_ endian: String = "little") -> CodecDescription {
        CodecDescription(name: "bytes", configuration: ["endian": .string(endian)])
    }
    static func zstd(_ level: Int = 3) -> CodecDescription {
        CodecDescription(name: "zstd", configuration: ["level": .number(JSONNumber(level)), "checksum": false])
    }
    static func blosc(_ cname: String = "lz4", shuffle: String = "shuffle", typesize: Int = 2) -> CodecDescription {
        CodecDescription(name: "blosc", configuration: ["cname": .string(cname), "clevel": 5, "shuffle": .string(shuffle),
                                                        "typesize": .number(JSONNumber(typesize)), "blocksize": 0])
    }
    static func gzip(_ level: Int = 5) -> CodecDescription {
        CodecDescription(name: "gzip", configuration: ["level": .number(JSONNumber(level))])
    }
    static let crc32c = CodecDescription(name: "crc32c")
    static func transpose(_ order: [Int]) -> CodecDescription {
        CodecDescription(name: "transpose", configuration: ["order": .array(order.map { .number(JSONNumber($0)) })])
    }
    static func sharding(_ chunkShape: [Int], codecs: [CodecDescription], indexAtEnd: Bool = true, crc: Bool = true) -> CodecDescription {
        let indexCodecs: [CodecDescription] = crc ? [bytes(), crc32c] : [bytes()]
        return CodecDescription(name: "sharding_indexed", configuration: [
            "chunk_shape": .array(chunkShape.map { .number(JSONNumber($0)) }),
            "codecs": .array(codecs.map(\.json)),
            "index_codecs": .array(indexCodecs.map(\.json)),
            "index_location": .string(indexAtEnd ? "end" : "start"),
        ])
    }
}
