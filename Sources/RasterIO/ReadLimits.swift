/// Bounds a reader will not exceed, whatever a file's header claims.
///
/// Readers check these before allocating anything. Besides these explicit limits, a reader refuses
/// an image whose decoded size is larger than its compressed bytes could possibly produce (see
/// ``maximumExpansion(forTIFFCompression:)``), so a small file can never make it allocate much.
public struct ReadLimits: Sendable, Hashable {
    /// Most bytes one decoded array (a page, a stack, a PNG, an `.npy`) may occupy. Default 4 GiB.
    public var maxBytes: Int
    /// Most pages (image file directories) a TIFF may have. Default 1,000,000.
    public var maxPages: Int

    /// Limits with the given values.
    public init(maxBytes: Int = 4 << 30, maxPages: Int = 1_000_000) {
        self.maxBytes = maxBytes
        self.maxPages = maxPages
    }

    /// 4 GiB per array, a million pages.
    public static let `default` = ReadLimits()

    /// The largest ratio of decoded to compressed bytes a TIFF compression scheme can reach.
    ///
    /// none 1; PackBits 64 (2 bytes encode a run of 128); Deflate 1032 (the format's bound);
    /// LZW 2800 (a 12-bit code yields at most ~3840 bytes); Zstandard 45000 (a 4-byte RLE block
    /// yields 128 KiB, i.e. 32768, with margin); other schemes 65536. Readers also allow a
    /// constant 4 KiB of slack per strip or tile for headers and tiny chunks.
    public static func maximumExpansion(forTIFFCompression scheme: Int) -> Int {
        switch scheme {
        case 1: 1
        case 32773: 64
        case 8, 32946: 1032
        case 5: 2800
        case 50000: 45000
        default: 65536
        }
    }
}
