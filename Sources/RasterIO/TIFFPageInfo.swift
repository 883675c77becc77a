public import MIFACore

/// What one TIFF page (image file directory) holds, read from its tags without decoding pixels.
public struct TIFFPageInfo: Sendable, Hashable {
    /// 0-based position in the file's chain of pages.
    public var index: Int
    /// Byte offset of the page's image file directory.
    public var offset: Int
    /// `ImageWidth`: columns.
    public var width: Int
    /// `ImageLength`: rows.
    public var height: Int
    /// `SamplesPerPixel`: 1 for gray, 3 for RGB, 4 for RGBA, ...
    public var samplesPerPixel: Int
    /// `BitsPerSample` (of the first sample).
    public var bitsPerSample: Int
    /// `SampleFormat`: 1 unsigned integer, 2 signed integer, 3 IEEE float, 4 undefined.
    public var sampleFormat: Int
    /// `Compression`.
    public var compression: TIFFCompression
    /// `PhotometricInterpretation`: 0 min-is-white, 1 min-is-black, 2 RGB, 3 palette, ... (`nil` when absent).
    public var photometric: Int?
    /// `PlanarConfiguration` 2: each sample in a plane of its own (axes `SYX`); otherwise interleaved.
    public var isPlanar: Bool
    /// Whether the page is stored in tiles rather than strips.
    public var isTiled: Bool
    /// `TileWidth` of a tiled page.
    public var tileWidth: Int?
    /// `TileLength` of a tiled page.
    public var tileHeight: Int?
    /// `RowsPerStrip` of a striped page (clamped to the height).
    public var rowsPerStrip: Int?
    /// `Predictor`: 1 none, 2 horizontal differencing, 3 floating point.
    public var predictor: Int
    /// `ExtraSamples`: 0 unspecified, 1 associated alpha, 2 unassociated alpha.
    public var extraSamples: [Int]
    /// `ImageDescription`, e.g. ImageJ's `ImageJ=1.11a\nimages=...` or tifffile's JSON.
    public var imageDescription: String?
    /// `XResolution`: pixels per resolution unit along x.
    public var xResolution: Double?
    /// `YResolution`: pixels per resolution unit along y.
    public var yResolution: Double?
    /// `ResolutionUnit`: 1 none, 2 inch, 3 centimeter.
    public var resolutionUnit: Int
    /// `NewSubfileType` bits; bit 0 marks a reduced-resolution copy (a thumbnail or pyramid level).
    public var subfileType: Int
    /// `ImageDepth` (SGI volumetric tiles); 1 for ordinary images.
    public var imageDepth: Int
    /// The offsets of the page's `SubIFDs` (its reduced-resolution levels, in order); empty when none.
    public var subIFDOffsets: [Int] = []
    /// For a page read from another page's `SubIFDs`: which of them (0-based); `nil` for the pages
    /// of the main chain. ``index`` is then the parent page's.
    public var subIFD: Int?

    /// The element type the page's samples decode to, or `nil` when RasterIO cannot read them
    /// (bit depths other than 8, 16, 32, 64; 8-bit or 24-bit floats; complex numbers).
    public var dataType: DataType? {
        switch (sampleFormat, bitsPerSample) {
        case (1, 8), (4, 8): .uint8
        case (1, 16), (4, 16): .uint16
        case (1, 32), (4, 32): .uint32
        case (1, 64), (4, 64): .uint64
        case (2, 8): .int8
        case (2, 16): .int16
        case (2, 32): .int32
        case (2, 64): .int64
        case (3, 16): .float16
        case (3, 32): .float32
        case (3, 64): .float64
        default: nil
        }
    }

    /// The page's axes: `YX`, `YXS` (interleaved samples) or `SYX` (planar samples).
    public var axes: String {
        samplesPerPixel == 1 ? "YX" : (isPlanar ? "SYX" : "YXS")
    }

    /// The page's array shape, in the order of ``axes``.
    public var shape: [Int] {
        samplesPerPixel == 1 ? [height, width] : (isPlanar ? [samplesPerPixel, height, width] : [height, width, samplesPerPixel])
    }

    /// Whether `NewSubfileType` marks this page as a reduced-resolution copy of another.
    public var isReducedResolution: Bool { subfileType & 1 != 0 }

    /// A short name of the photometric interpretation, e.g. `minisblack`, `rgb`, `palette`.
    public var photometricName: String {
        switch photometric {
        case nil: "none"
        case 0?: "miniswhite"
        case 1?: "minisblack"
        case 2?: "rgb"
        case 3?: "palette"
        case 4?: "mask"
        case 5?: "separated"
        case 6?: "ycbcr"
        case 8?: "cielab"
        case let other?: "photometric-\(other)"
        }
    }

    /// A short name of the sample format: `uint`, `int`, `float`, `void` or `format-N`.
    public var sampleFormatName: String {
        switch sampleFormat {
        case 1: "uint"
        case 2: "int"
        case 3: "float"
        case 4: "void"
        default: "format-\(sampleFormat)"
        }
    }
}

/// A TIFF `Compression` value and its name.
public struct TIFFCompression: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The tag value, e.g. 1, 5, 8, 50000.
    public var rawValue: Int

    /// The compression with the given tag value.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// No compression (1).
    public static let none = TIFFCompression(rawValue: 1)
    /// LZW (5).
    public static let lzw = TIFFCompression(rawValue: 5)
    /// JPEG (7).
    public static let jpeg = TIFFCompression(rawValue: 7)
    /// Deflate / zlib, Adobe's code (8); what tifffile writes for `zlib`.
    public static let deflate = TIFFCompression(rawValue: 8)
    /// Deflate, the older code (32946).
    public static let legacyDeflate = TIFFCompression(rawValue: 32946)
    /// PackBits run-length encoding (32773).
    public static let packBits = TIFFCompression(rawValue: 32773)
    /// LZMA2 (34925).
    public static let lzma = TIFFCompression(rawValue: 34925)
    /// Zstandard (50000).
    public static let zstd = TIFFCompression(rawValue: 50000)
    /// WebP (50001).
    public static let webp = TIFFCompression(rawValue: 50001)

    /// A short lowercase name: `none`, `lzw`, `deflate`, `zstd`, `packbits`, ... or `compression-N`.
    public var description: String {
        switch rawValue {
        case 1: "none"
        case 2: "ccittrle"
        case 3: "ccittfax3"
        case 4: "ccittfax4"
        case 5: "lzw"
        case 6: "ojpeg"
        case 7: "jpeg"
        case 8, 32946: "deflate"
        case 32773: "packbits"
        case 34887: "lerc"
        case 34925: "lzma"
        case 50000: "zstd"
        case 50001: "webp"
        default: "compression-\(rawValue)"
        }
    }
}
