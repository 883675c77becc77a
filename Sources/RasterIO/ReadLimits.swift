public import MIFACore

/// Bounds a reader will not exceed, whatever a file's header claims.
///
/// Every size a header claims (width × height × samples × pages × bytes per sample, an `.npy`
/// shape, an ImageJ `images=` count) is multiplied with overflow checks and compared with
/// ``maxBytes`` before anything is allocated; ``check(claimedShape:dataType:file:page:key:)``
/// is the one place that does it and words the refusal. Readers decode straight into the one
/// array they return, so reading a raster of `n` decoded bytes needs about `n` bytes of memory
/// (plus one strip or tile of scratch), and writers stream to the file instead of building it in
/// memory.
///
/// Besides these explicit limits, a reader refuses an image whose decoded size is larger than its
/// compressed bytes could possibly produce (see ``maximumExpansion(forTIFFCompression:)``).
/// That alone does not stop a small file that genuinely decodes to gigabytes (a Zstandard strip
/// of run-length blocks expands 32768×: 128 KiB become 4 GiB), which is why ``maxBytes`` exists.
public struct ReadLimits: Sendable, Hashable {
    /// Most bytes one decoded array (a page, a stack, a PNG, an `.npy`) may occupy.
    /// Default ``defaultMaxBytes`` (2 GiB); `mifa raster` and `mifa omezarr from-tiff` raise it with `--max-memory`.
    public var maxBytes: Int
    /// Most pages (image file directories) a TIFF may have. Default 1,000,000.
    public var maxPages: Int

    /// The default of ``maxBytes``: 2 GiB.
    public static let defaultMaxBytes = 2 << 30

    /// Limits with the given values.
    public init(maxBytes: Int = defaultMaxBytes, maxPages: Int = 1_000_000) {
        self.maxBytes = maxBytes
        self.maxPages = maxPages
    }

    /// 2 GiB per array, a million pages.
    public static let `default` = ReadLimits()

    /// The bytes an array of `shape` and `dataType` occupies, after checking every product for
    /// overflow and the total against ``maxBytes``; call it before allocating.
    ///
    /// - Parameters:
    ///   - claimedShape: the shape the header claims.
    ///   - dataType: the element type.
    ///   - file: the file, named in the error.
    ///   - page: the TIFF page whose header claims it, if any.
    ///   - key: the tag or field that claims it, e.g. `ImageWidth`, `IHDR`, `shape`.
    /// - Returns: the decoded size in bytes.
    /// - Throws: ``RasterIOError`` `.tooLarge` naming the file, the claimed shape, the bytes, the
    ///   limit and how to raise it; `.corrupt` for a negative extent.
    @discardableResult
    public func check(claimedShape: [Int], dataType: DataType, file: String, page: Int? = nil, key: String? = nil) throws -> Int {
        var bytes = dataType.byteSize
        var overflow = false
        for extent in claimedShape {
            guard extent >= 0 else {
                throw RasterIOError(.corrupt, "the header claims shape \(claimedShape), which has a negative extent", file: file, page: page, key: key, shape: claimedShape)
            }
            let (product, over) = bytes.multipliedReportingOverflow(by: extent)
            overflow = overflow || over
            bytes = over ? Int.max : product
        }
        guard !overflow, bytes <= maxBytes else {
            let size = overflow ? "more than \(Int.max) bytes" : "\(byteCountText(bytes))"
            throw RasterIOError(.tooLarge, "\(file) claims a \(claimedShape) \(dataType.rawValue) array of \(size), more than the limit of \(byteCountText(maxBytes)); nothing was allocated. If the file is genuine and the memory is there, raise the limit (mifa: --max-memory \(Self.suggestion(for: overflow ? Int.max : bytes)); Swift: ReadLimits.maxBytes), or read one page at a time (mifa raster convert --page N)", file: file, page: page, key: key, shape: claimedShape)
        }
        return bytes
    }

    /// A `--max-memory` value at least `bytes`, e.g. `5G`.
    static func suggestion(for bytes: Int) -> String {
        let gib = 1 << 30
        guard bytes < Int.max - gib else { return "<size>" }
        return "\((bytes + gib - 1) / gib)G"
    }

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
