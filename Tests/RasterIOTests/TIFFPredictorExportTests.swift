import TestSupport
import Foundation
import MIFACore
import Testing
@testable import RasterIO

/// Horizontal differencing undone by RasterIO (``TIFFHorizontalDifferencing``) and exports that
/// decode runs of strips or tiles into reused buffers written at their place
/// (``TIFFFile/DecodeDestination/file(_:)``): both equal what was written, in every layout.
@Suite("TIFF predictor and file exports")
struct TIFFPredictorExportTests {
    /// Differences taken the way TIFF 6.0 defines them (each sample minus the one `samplesPerPixel`
    /// before it in its row, wrapping), then undone: the rows come back, every width and stride.
    @Test("undoing differences gives back the rows, seeded", arguments: [UInt64(1), 2, 3, 4])
    func undoInvertsDifferences(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for sampleBytes in [1, 2, 4, 8] {
            let samples = Int.random(in: 1...5, using: &rng), pixels = Int.random(in: 1...40, using: &rng), rows = Int.random(in: 1...6, using: &rng)
            let padding = Int.random(in: 0...3, using: &rng) * sampleBytes
            let rowBytes = pixels * samples * sampleBytes + padding
            let original = (0..<(rows * rowBytes)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var encoded = original
            for row in 0..<rows {
                for i in stride(from: pixels * samples - 1, through: samples, by: -1) {
                    let at = row * rowBytes + i * sampleBytes, before = at - samples * sampleBytes
                    // Little-endian subtraction with borrow, byte by byte (the test's own arithmetic, not the kernel's).
                    var borrow = 0
                    for b in 0..<sampleBytes {
                        let value = Int(encoded[at + b]) - Int(encoded[before + b]) - borrow
                        encoded[at + b] = UInt8((value + 256) % 256)
                        borrow = value < 0 ? 1 : 0
                    }
                }
            }
            let differencing = TIFFHorizontalDifferencing(sampleBytes: sampleBytes, samplesPerPixel: samples)!
            encoded.withUnsafeMutableBytes { differencing.undo($0.baseAddress!, rows: rows, pixels: pixels, rowBytes: rowBytes) }
            #expect(encoded == original, "\(sampleBytes)-byte samples, \(samples) per pixel, \(pixels) pixels, \(rows) rows")
        }
        #expect(TIFFHorizontalDifferencing(sampleBytes: 3, samplesPerPixel: 1) == nil)
    }

    /// Pages written with the horizontal predictor by libtiff (either byte order, 8 to 64 bits,
    /// strips or tiles, gray, interleaved or planar samples), large enough to decode on several
    /// threads: the export, the stack and one page are the array written.
    @Test("predicted pages export and read back exactly, seeded", arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func predictedPagesRoundTrip(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let dataType = [DataType.uint8, .uint16, .int16, .uint32, .int64].randomElement(using: &rng)!
        let samples = [1, 1, 3, 4].randomElement(using: &rng)!
        let planar = samples > 1 && Bool.random(using: &rng)
        let pages = Int.random(in: 1...3, using: &rng)
        let height = Int.random(in: 200...500, using: &rng), width = Int.random(in: 200...500, using: &rng)
        let page = samples == 1 ? [height, width] : (planar ? [samples, height, width] : [height, width, samples])
        let array = randomArray(dataType, shape: [pages] + page, using: &rng)
        let layout: TIFFWriteOptions.Layout = Bool.random(using: &rng)
            ? .tiled(width: 16 * Int.random(in: 1...8, using: &rng), height: 16 * Int.random(in: 1...8, using: &rng))
            : .striped(rowsPerStrip: Int.random(in: 1...300, using: &rng))
        let options = TIFFWriteOptions(compression: [.deflate, .zstd, .lzw].randomElement(using: &rng)!, predictor: true, layout: layout,
                                       byteOrder: Bool.random(using: &rng) ? .big : .little)
        let axes = "Z" + (samples == 1 ? "YX" : (planar ? "SYX" : "YXS"))
        let directory = TemporaryDirectory()
        let tif = directory.file("predicted.tif"), out = directory.file("predicted.npy")
        try TIFFFile.write(RasterImage(array: array, axes: axes), to: tif, options: options, durable: false)
        let file = try TIFFFile(path: tif)
        #expect(file.pages[0].predictor == 2)
        let written = try file.exportNPY(to: out, durable: false)
        let what = "\(dataType) \(array.shape) \(axes) \(options)"
        #expect(written.shape == (pages == 1 ? page : array.shape), "\(what)")
        #expect(try NPYFile.read(path: out).rowMajor.bytes() == array.bytes(), "\(what)")
        #expect(try file.readStack().array.rowMajor.bytes() == array.bytes(), "\(what)")
        try file.exportNPY(page: pages - 1, to: out, durable: false)
        #expect(sameElements(try NPYFile.read(path: out), try file.readPage(pages - 1).array), "\(what)")
    }

    /// A page whose strip is larger than a file run's buffer (``TIFFFile/fileBandLimit``) is
    /// decoded into a mapping of the file instead, with the same bytes.
    @Test("pages with strips over the buffer limit export through a mapping")
    func largeStripsExport() throws {
        var rng = SeededGenerator(seed: 21)
        let array = randomArray(.uint16, shape: [2, 1600, 3000], using: &rng)
        #expect(1600 * 3000 * 2 > TIFFFile.fileBandLimit)
        let directory = TemporaryDirectory()
        let tif = directory.file("one-strip.tif"), out = directory.file("one-strip.npy")
        try TIFFFile.write(RasterImage(array: array, axes: "ZYX"), to: tif,
                           options: TIFFWriteOptions(compression: .zstd, predictor: true, layout: .striped(rowsPerStrip: 1600)), durable: false)
        let file = try TIFFFile(path: tif)
        #expect(try file.decodingPlan(for: file.pages[0]).1.bandBytes > TIFFFile.fileBandLimit)
        try file.exportNPY(to: out, durable: false)
        #expect(try NPYFile.read(path: out).rowMajor.bytes() == array.bytes())
    }
}
