public import MIFACore

/// How ``TIFFFile/write(_:to:options:durable:)`` and
/// ``TIFFFile/write(_:to:options:)`` lay out and compress a TIFF.
public struct TIFFWriteOptions: Sendable, Hashable {
    /// The compression schemes RasterIO writes.
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        /// No compression (1).
        case none
        /// PackBits run-length encoding (32773).
        case packbits
        /// LZW (5).
        case lzw
        /// Deflate/zlib with Adobe's code (8), as tifffile writes `zlib`.
        case deflate
        /// Zstandard (50000).
        case zstd

        /// The `Compression` tag value.
        public var tagValue: Int {
            switch self {
            case .none: 1
            case .packbits: 32773
            case .lzw: 5
            case .deflate: 8
            case .zstd: 50000
            }
        }
    }

    /// Strips or tiles.
    public enum Layout: Sendable, Hashable {
        /// Strips of `rowsPerStrip` rows; `nil` picks strips of about 64 KiB.
        case striped(rowsPerStrip: Int?)
        /// Tiles of `width` × `height` pixels, both multiples of 16 as TIFF 6.0 requires.
        case tiled(width: Int, height: Int)
    }

    /// The compression scheme. Default none.
    public var compression: Compression
    /// Compression level (Deflate 1–12, Zstandard 1–22); `nil` for the codec's default.
    public var level: Int?
    /// Whether to apply the horizontal (integers) or floating-point predictor; needs LZW, Deflate or
    /// Zstandard, and for floats a little-endian file (libtiff 4.5 writes it wrongly in big-endian ones).
    public var predictor: Bool
    /// Strips or tiles. Default strips of about 64 KiB.
    public var layout: Layout
    /// Whether to write BigTIFF (64-bit offsets). Chosen automatically when the data approaches 4 GiB.
    public var bigTIFF: Bool
    /// The byte order of the file. Default little-endian.
    public var byteOrder: Endianness
    /// Whether to describe multi-page images (and physical units) with an ImageJ hyperstack
    /// description, so ImageJ, Fiji and tifffile see the `T`, `Z`, `C` axes. Default true.
    public var imageJ: Bool

    /// Options; the defaults write an uncompressed, striped, little-endian classic TIFF.
    public init(compression: Compression = .none, level: Int? = nil, predictor: Bool = false, layout: Layout = .striped(rowsPerStrip: nil),
                bigTIFF: Bool = false, byteOrder: Endianness = .little, imageJ: Bool = true) {
        self.compression = compression
        self.level = level
        self.predictor = predictor
        self.layout = layout
        self.bigTIFF = bigTIFF
        self.byteOrder = byteOrder
        self.imageJ = imageJ
    }
}
