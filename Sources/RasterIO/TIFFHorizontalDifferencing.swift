/// TIFF's horizontal differencing (`Predictor` 2), undone by RasterIO instead of libtiff.
///
/// An encoder stores each sample of a row as its difference from the sample of the same channel
/// one pixel to the left, wrapping at the sample's width (TIFF 6.0, section 14). libtiff 4.5 undoes
/// it with one dependent load, add and store per sample through memory (`horAcc16`: a fifth of
/// the CPU of a deflate read); here the running sum of each channel stays in a register. The
/// samples are integers of `sampleBytes` bytes whatever the page's `SampleFormat`, as libtiff and
/// tifffile treat them; the floating-point predictor (3) stays with libtiff.
///
/// The read handle decodes the page with its `Predictor` set to 1 (``LibTIFF/decode(_:chunks:into:)``),
/// so libtiff swaps a file of the other byte order into native order first, and the sums are taken
/// in native order.
struct TIFFHorizontalDifferencing: Sendable, Hashable {
    /// Bytes of one sample: 1, 2, 4 or 8.
    let sampleBytes: Int
    /// Interleaved samples per pixel: `SamplesPerPixel` for interleaved pages, 1 for planar ones.
    let samplesPerPixel: Int

    /// The differencing of samples of `sampleBytes` bytes, or `nil` for a width TIFF's predictor
    /// does not define.
    init?(sampleBytes: Int, samplesPerPixel: Int) {
        guard [1, 2, 4, 8].contains(sampleBytes), samplesPerPixel >= 1 else { return nil }
        self.sampleBytes = sampleBytes
        self.samplesPerPixel = samplesPerPixel
    }

    /// Replaces the differences of `rows` rows of `pixels` pixels, the first at `base` and each
    /// `rowBytes` after the one before, by the samples they encode, in place.
    ///
    /// Safety: the caller owns `rows` x `rowBytes` bytes at `base` (the last row only
    /// `pixels` x `samplesPerPixel` x `sampleBytes`), and no other thread touches them; samples
    /// are read and written unaligned.
    func undo(_ base: UnsafeMutableRawPointer, rows: Int, pixels: Int, rowBytes: Int) {
        guard pixels > 0 else { return }
        switch sampleBytes {
        case 1: accumulate(UInt8.self, base, rows: rows, pixels: pixels, rowBytes: rowBytes)
        case 2: accumulate(UInt16.self, base, rows: rows, pixels: pixels, rowBytes: rowBytes)
        case 4: accumulate(UInt32.self, base, rows: rows, pixels: pixels, rowBytes: rowBytes)
        default: accumulate(UInt64.self, base, rows: rows, pixels: pixels, rowBytes: rowBytes)
        }
    }

    private func accumulate<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, _ base: UnsafeMutableRawPointer, rows: Int, pixels: Int, rowBytes: Int
    ) {
        let size = MemoryLayout<T>.size
        let step = samplesPerPixel * size
        let end = pixels * step
        for row in 0..<rows {
            let start = base.advanced(by: row * rowBytes)
            for channel in 0..<samplesPerPixel {
                var offset = channel * size
                var sum = start.loadUnaligned(fromByteOffset: offset, as: T.self)
                offset += step
                while offset < end {
                    sum &+= start.loadUnaligned(fromByteOffset: offset, as: T.self)
                    start.storeBytes(of: sum, toByteOffset: offset, as: T.self)
                    offset += step
                }
            }
        }
    }
}
