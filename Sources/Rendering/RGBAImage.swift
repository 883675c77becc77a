import MIFACore
import RasterIO

/// An 8-bit RGBA picture, rows top to bottom, four bytes per pixel: what every renderer draws into
/// and what is encoded as PNG.
public struct RGBAImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `height * width * 4` bytes: red, green, blue, alpha per pixel.
    public var pixels: [UInt8]

    /// A picture filled with one colour (transparent black by default).
    public init(width: Int, height: Int, fill: RGBA = RGBA(0, 0, 0, 0)) {
        self.width = max(0, width)
        self.height = max(0, height)
        var pixels = [UInt8](repeating: 0, count: self.width * self.height * 4)
        if fill != RGBA(0, 0, 0, 0) {
            for i in stride(from: 0, to: pixels.count, by: 4) {
                pixels[i] = fill.red; pixels[i + 1] = fill.green; pixels[i + 2] = fill.blue; pixels[i + 3] = fill.alpha
            }
        }
        self.pixels = pixels
    }

    /// The colour of pixel (`row`, `column`).
    public subscript(row: Int, column: Int) -> RGBA {
        let i = (row * width + column) * 4
        return RGBA(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }

    /// Blends `color` over pixel (`row`, `column`) with the colour's alpha times `opacity`
    /// (source-over); an opaque colour replaces the pixel exactly. Pixels outside are ignored.
    @inline(__always)
    public mutating func blend(_ color: RGBA, row: Int, column: Int, opacity: Double = 1) {
        guard row >= 0, row < height, column >= 0, column < width else { return }
        let i = (row * width + column) * 4
        let a = Double(color.alpha) / 255 * min(max(opacity, 0), 1)
        if a >= 1 {
            pixels[i] = color.red; pixels[i + 1] = color.green; pixels[i + 2] = color.blue; pixels[i + 3] = 255
            return
        }
        guard a > 0 else { return }
        let below = Double(pixels[i + 3]) / 255
        let outAlpha = a + below * (1 - a)
        func mix(_ source: UInt8, _ k: Int) {
            let value = (Double(source) * a + Double(pixels[i + k]) * below * (1 - a)) / outAlpha
            pixels[i + k] = UInt8(min(255, max(0, value.rounded())))
        }
        mix(color.red, 0)
        mix(color.green, 1)
        mix(color.blue, 2)
        pixels[i + 3] = UInt8(min(255, (outAlpha * 255).rounded()))
    }

    /// The picture reduced by keeping every `step`-th pixel in each direction (nearest neighbour),
    /// so that neither side exceeds `maxSide`; the picture itself when it already fits.
    public func fitting(maxSide: Int) -> RGBAImage {
        let side = max(width, height)
        guard maxSide > 0, side > maxSide else { return self }
        let step = (side + maxSide - 1) / maxSide
        var result = RGBAImage(width: (width + step - 1) / step, height: (height + step - 1) / step)
        for r in 0..<result.height {
            for c in 0..<result.width {
                let from = ((r * step) * width + c * step) * 4, to = (r * result.width + c) * 4
                result.pixels[to..<(to + 4)] = pixels[from..<(from + 4)]
            }
        }
        return result
    }

    /// The picture as PNG bytes (8 bits per sample) through RasterIO's libpng writer, in the
    /// smallest colour type that holds every pixel exactly: grey when all pixels are opaque grey,
    /// RGB when all are opaque, else RGBA (a decoder gives back exactly ``pixels``).
    /// - Parameter compressionLevel: zlib level 0–9 (tiles use a fast level, files a smaller one).
    /// - Throws: ``RenderingError`` `.invalidRequest` for an empty picture, `.readFailed` when
    ///   libpng fails.
    public func png(compressionLevel: Int = 6) throws -> [UInt8] {
        guard width > 0, height > 0 else {
            throw RenderingError(.invalidRequest, "an empty \(width)×\(height) picture cannot be a PNG; ask for a region with pixels")
        }
        let count = width * height
        // Safety: the buffers hold count * 4 (pixels) and count * samples (reduced) bytes, the indices stay below.
        var samples = 1
        pixels.withUnsafeBufferPointer { p in
            for i in 0..<count {
                let j = i * 4
                if p[j + 3] != 255 { samples = 4; break }
                if samples == 1, p[j] != p[j + 1] || p[j] != p[j + 2] { samples = 3 }
            }
        }
        var reduced = samples == 4 ? pixels : [UInt8](repeating: 0, count: count * samples)
        if samples < 4 {
            pixels.withUnsafeBufferPointer { from in
                reduced.withUnsafeMutableBufferPointer { to in
                    for i in 0..<count {
                        for k in 0..<samples { to[i * samples + k] = from[i * 4 + k] }
                    }
                }
            }
        }
        do {
            let array = try NDArray<UInt8>(shape: samples == 1 ? [height, width] : [height, width, samples], elements: reduced)
            return try PNGFile.encode(RasterImage(array: AnyNDArray(array), axes: samples == 1 ? "YX" : "YXS"), compressionLevel: compressionLevel)
        } catch {
            throw RenderingError(.readFailed, "cannot encode the picture as PNG: \(error)", underlying: error)
        }
    }
}

/// A colour with alpha, 0...255 per component.
public struct RGBA: Sendable, Hashable, CustomStringConvertible {
    /// Red.
    public var red: UInt8
    /// Green.
    public var green: UInt8
    /// Blue.
    public var blue: UInt8
    /// Alpha: 0 transparent, 255 opaque.
    public var alpha: UInt8

    /// A colour from its components.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8, _ alpha: UInt8 = 255) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A colour from six (`RRGGBB`) or eight (`RRGGBBAA`) hex digits, with or without `#`; `nil`
    /// for anything else (as OME-NGFF's `omero` colours are written).
    public init?(hex text: String) {
        let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
        guard digits.count == 6 || digits.count == 8, let value = UInt32(digits, radix: 16) else { return nil }
        let full = digits.count == 6 ? value << 8 | 0xFF : value
        self.init(UInt8(full >> 24), UInt8((full >> 16) & 0xFF), UInt8((full >> 8) & 0xFF), UInt8(full & 0xFF))
    }

    /// The colour as `#RRGGBB` (alpha left out) for HTML and SVG.
    public var hex: String {
        let digits = [red, green, blue].map { value -> String in
            let text = String(value, radix: 16, uppercase: true)
            return text.count == 1 ? "0" + text : text
        }
        return "#" + digits.joined()
    }

    /// `rgba(r, g, b, a)`.
    public var description: String { "rgba(\(red), \(green), \(blue), \(alpha))" }
}
