import TestSupport
import Foundation
import MIFACore
import Testing
@testable import RasterIO

@Suite("Bad input never crashes and names the file and place")
struct BadInputTests {
    static func sampleTIFF(compression: TIFFWriteOptions.Compression, tiled: Bool, bigTIFF: Bool = false) throws -> [UInt8] {
        var rng = SeededGenerator(seed: 12)
        let array = randomArray(.uint16, shape: [3, 20, 20], using: &rng)
        return try TIFFFile.encode(RasterImage(array: array, axes: "ZYX"), options: TIFFWriteOptions(
            compression: compression, layout: tiled ? .tiled(width: 16, height: 16) : .striped(rowsPerStrip: 6), bigTIFF: bigTIFF))
    }

    /// Opens and reads everything; returns the RasterIOError or nil. Any other error fails the test.
    static func readAll(_ bytes: [UInt8], name: String) -> RasterIOError? {
        do {
            let file = try TIFFFile(bytes: bytes, name: name, limits: ReadLimits(maxBytes: 64 << 20))
            _ = try file.readStack()
            for page in 0..<file.pageCount { _ = try file.readPage(page) }
            return nil
        } catch let error as RasterIOError {
            return error
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return nil
        }
    }

    @Test("TIFF truncated at every offset", arguments: [TIFFWriteOptions.Compression.none, .deflate, .lzw, .zstd], [false, true])
    func truncatedTIFF(compression: TIFFWriteOptions.Compression, tiled: Bool) throws {
        let bytes = try Self.sampleTIFF(compression: compression, tiled: tiled, bigTIFF: tiled)
        for cut in 0..<bytes.count {
            let error = Self.readAll(Array(bytes.prefix(cut)), name: "cut.tif")
            #expect(error != nil, "a file cut at \(cut) of \(bytes.count) bytes was read without error")
            #expect(error?.context.file == "cut.tif")
            #expect(error.map { [.truncated, .corrupt, .tooLarge].contains($0.kind) } ?? false, "\(String(describing: error))")
        }
    }

    @Test("TIFF with corrupted bytes", arguments: [TIFFWriteOptions.Compression.none, .deflate, .lzw, .zstd, .packbits])
    func corruptedTIFF(compression: TIFFWriteOptions.Compression) throws {
        let good = try Self.sampleTIFF(compression: compression, tiled: compression == .lzw)
        var rng = SeededGenerator(seed: UInt64(compression.tagValue))
        for _ in 0..<400 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[position] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : bytes[position] ^ (1 << UInt8.random(in: 0...7, using: &rng))
            }
            if let error = Self.readAll(bytes, name: "flipped.tif") {
                #expect(error.context.file == "flipped.tif")
            }
        }
    }

    @Test("TIFF headers with absurd or impossible values")
    func craftedTIFF() throws {
        func check(_ bytes: [UInt8], _ kind: RasterIOError.Code, key: String? = nil, _ comment: Comment) {
            let error = Self.readAll(bytes, name: "crafted.tif")
            #expect(error?.kind == kind, comment)
            #expect(error?.context.file == "crafted.tif", comment)
            if let key { #expect(error?.context.key?.contains(key) == true, "\(comment): \(String(describing: error?.context))") }
        }
        let pixels = [UInt8](repeating: 5, count: 16)
        #expect(Self.readAll(TIFFBuilder.gray(width: 4, height: 4, pixels: pixels), name: "ok.tif") == nil)
        check(TIFFBuilder.gray(width: 0x7fff_ffff, height: 0x7fff_ffff, pixels: pixels), .tooLarge, key: "page 0", "2^31 × 2^31 pixels")
        check(TIFFBuilder.gray(width: 60000, height: 60000, pixels: pixels, compression: 8), .tooLarge, key: "page 0", "a deflate bomb header")
        check(TIFFBuilder.gray(width: 60000, height: 1000, stripBytes: 60_000_000, pixels: pixels), .truncated, key: "strip 0", "a strip past the end")
        let short = Self.readAll(TIFFBuilder.gray(width: 4, height: 4, stripBytes: 8, pixels: Array(pixels.prefix(8))), name: "crafted.tif")
        #expect(short?.kind == .corrupt || short?.kind == .truncated, "a short uncompressed strip: \(String(describing: short))")
        #expect(short?.context.key == "page 0/strip 0")
        check(TIFFBuilder.gray(width: 4, height: 4, bits: 12, pixels: pixels), .unsupported, key: "BitsPerSample", "12-bit samples")
        check(TIFFBuilder.gray(width: 4, height: 4, pixels: pixels, extraEntries: [(339, 3, 1, 3)]), .unsupported, "8-bit floats")
        var badOffset = TIFFBuilder.gray(width: 4, height: 4, pixels: pixels)
        badOffset[4] = 0xF0; badOffset[5] = 0xFF
        check(badOffset, .truncated, key: "IFD", "first IFD beyond the end")
        var loop = TIFFBuilder.gray(width: 4, height: 4, pixels: pixels)
        let next = 8 + 2 + 9 * 12
        loop[next] = 8; loop[next + 1] = 0; loop[next + 2] = 0; loop[next + 3] = 0
        let loopError = Self.readAll(loop, name: "crafted.tif")
        #expect(loopError == nil || loopError?.kind == .corrupt, "an IFD that points to itself")
        check([0x49, 0x49, 0x2A], .truncated, "three bytes")
        check([], .truncated, "empty")
        check(Array("GIF89a and more bytes".utf8), .wrongFormat, "a GIF")
        check([0x49, 0x49, 0x2B, 0x00, 0x08, 0x00, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0], .corrupt, "BigTIFF without directory")
        check([0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x00], .corrupt, "first IFD offset 0")
    }

    @Test("errors from files on disk name the path; missing files and directories are I/O errors")
    func filesOnDisk() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("broken.tif")
        try Data([0x49, 0x49, 0x2A, 0x00, 0xFF, 0xFF, 0, 0]).write(to: URL(fileURLWithPath: path))
        let error = rasterError { _ = try TIFFFile(path: path) }
        #expect(error?.context.file == path && error?.description.contains(path) == true)
        #expect(rasterError { _ = try TIFFFile(path: directory.file("missing.tif")) }?.kind == .io)
        #expect(rasterError { _ = try PNGFile.read(path: directory.path) }?.kind == .io)
        #expect(rasterError { _ = try RasterFile.read(path: path) }?.context.file == path)
    }

    @Test("PNG truncated at every offset and with corrupted bytes")
    func damagedPNG() throws {
        var rng = SeededGenerator(seed: 31)
        let good = try PNGFile.encode(RasterImage(array: randomArray(.uint16, shape: [12, 9, 4], using: &rng)))
        for cut in 0..<good.count {
            let error = rasterError { _ = try PNGFile.decode(Array(good.prefix(cut)), name: "cut.png") }
            #expect(error?.kind == .truncated, "cut at \(cut): \(String(describing: error))")
            #expect(error?.context.file == "cut.png" && error?.context.offset != nil)
        }
        for _ in 0..<300 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...3, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            let error = rasterError { _ = try PNGFile.decode(bytes, name: "flipped.png") }
            #expect(error?.context.file == "flipped.png")
        }
    }

    @Test("PNG headers with absurd dimensions or wrong magic")
    func craftedPNG() throws {
        let huge = PNGBuilder.png(width: 0x7fff_ffff, height: 0x7fff_ffff, bitDepth: 16, colorType: 6, raw: [0])
        let error = rasterError { _ = try PNGFile.decode(huge, name: "huge.png") }
        #expect(error?.kind == .tooLarge && error?.context.key == "IHDR")
        let bomb = PNGBuilder.png(width: 30000, height: 30000, bitDepth: 8, colorType: 0, raw: [0])
        #expect(rasterError { _ = try PNGFile.decode(bomb, name: "bomb.png") }?.kind == .tooLarge)
        #expect(rasterError { _ = try PNGFile.decode(PNGBuilder.png(width: 0, height: 4, bitDepth: 8, colorType: 0, raw: [0])) }?.kind == .corrupt)
        #expect(rasterError { _ = try PNGFile.decode(PNGBuilder.png(width: 4, height: 4, bitDepth: 3, colorType: 0, raw: [0])) }?.kind == .corrupt)
        #expect(rasterError { _ = try PNGFile.decode(Array("\u{89}PNX\r\n\u{1A}\nmore".utf8)) }?.kind == .wrongFormat)
        #expect(rasterError { _ = try PNGFile.decode(PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 3, raw: [0, 0, 0])) }?.kind == .corrupt)
    }
}
