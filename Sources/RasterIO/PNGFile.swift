public import MIFACore

/// Reads and writes PNG images through libpng, keeping every sample value exact.
///
/// Reading returns `uint8` (bit depths 1–8; sub-byte samples unpacked, not rescaled; palette images
/// as their indices) or `uint16` (16-bit) arrays with axes `YX` (gray, palette) or `YXS` (gray+alpha,
/// RGB, RGBA). No gamma, colour-profile or transparency conversion is applied, so values agree with
/// Pillow and NumPy for 8- and 16-bit files. Writing takes `uint8` or `uint16` arrays with axes
/// `YX` or `YXS` with 1–4 samples. See https://www.w3.org/TR/png-3/.
public enum PNGFile {
    /// Reads the PNG at `path`.
    /// - Throws: ``RasterIOError``: `.io`, `.wrongFormat` (not a PNG), `.truncated`, `.corrupt`
    ///   (bad chunk, CRC, or compressed data, with the chunk and byte offset), `.unsupported`,
    ///   `.tooLarge` (over ``ReadLimits/maxBytes``, or more pixels than the data could hold).
    public static func read(path: String, limits: ReadLimits = .default) throws -> RasterImage {
        try decode(POSIXFile.readAll(path: path, maxBytes: limits.maxBytes), name: path, limits: limits)
    }

    /// Decodes a PNG held in memory; `name` is used in error messages.
    /// - Throws: ``RasterIOError`` as ``read(path:limits:)``.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>", limits: ReadLimits = .default) throws -> RasterImage {
        let structure = try PNGStructure.scan(bytes, name: name)
        let info = structure.info
        let outputBytes = try limits.check(claimedShape: info.shape, dataType: info.dataType, file: name, key: "IHDR")
        guard outputBytes == info.height * info.decodedRowBytes else {
            throw RasterIOError(.unsupported, "a \(info.width)×\(info.height) \(info.colorTypeName) image decodes to rows of \(info.decodedRowBytes) bytes, which do not match its shape \(info.shape)", file: name, key: "IHDR", offset: 16, shape: info.shape)
        }
        guard let filtered = structure.filteredBytes(), filtered <= structure.idatBytes * 1032 + 65536 else {
            throw RasterIOError(.tooLarge, "a \(info.width)×\(info.height) image cannot come from \(structure.idatBytes) bytes of compressed data (Deflate expands at most 1032×); the header is damaged", file: name, key: "IHDR", offset: 16, shape: info.shape)
        }
        let array = try info.dataType.visit(Decoder(bytes: structure.consecutiveIDAT(bytes), info: info, name: name))
        return RasterImage(checked: array, axes: info.axes, pixelSize: nil)
    }

    private struct Decoder: DataTypeVisitor {
        let bytes: [UInt8], info: PNGInfo, name: String
        func visit<E: NDArrayElement>(_ type: E.Type) throws -> AnyNDArray {
            var array = NDArray<E>(shape: info.shape)
            do {
                try LibPNG.decode(bytes, width: info.width, height: info.height, rowBytes: info.decodedRowBytes, into: &array)
            } catch let failure as LibPNGFailure {
                throw RasterIOError(.corrupt, "libpng cannot decode the image data: \(failure.message); the file is damaged", file: name, key: "IDAT")
            }
            return AnyNDArray(array)
        }
    }

    /// The header of the PNG at `path`, checking only the signature and `IHDR`.
    /// - Throws: ``RasterIOError`` `.io`, `.wrongFormat`, `.truncated` or `.corrupt`.
    public static func info(path: String) throws -> PNGInfo {
        let file = try POSIXFile(path: path)
        return try PNGStructure.header(of: file.read(at: 0, count: Swift.min(file.size, 33)), name: path)
    }

    /// Writes an image as a PNG, atomically.
    ///
    /// - Parameters:
    ///   - image: `uint8` or `uint16` pixels with axes `YX` or `YXS` (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA samples).
    ///   - path: the destination.
    ///   - compressionLevel: zlib level 0–9.
    ///   - durable: sync the file to disk before returning (it appears atomically either way).
    /// - Throws: ``RasterIOError`` `.invalidArgument` for other types, axes or sizes; `.io` when the
    ///   file cannot be written.
    public static func write(_ image: RasterImage, to path: String, compressionLevel: Int = 6, durable: Bool = true) throws {
        let bytes = try encode(image, compressionLevel: compressionLevel, name: path)
        try TIFFFile.writeAtomically(bytes, to: path, durable: durable)
    }

    /// Writes a bare `[height, width]` or `[height, width, samples]` array as a PNG, atomically.
    /// - Throws: ``RasterIOError`` as ``write(_:to:compressionLevel:durable:)``.
    public static func write(_ array: AnyNDArray, to path: String, compressionLevel: Int = 6) throws {
        let axes = array.shape.count == 3 ? "YXS" : "YX"
        try write(RasterImage(array: array, axes: axes), to: path, compressionLevel: compressionLevel)
    }

    /// The bytes of a PNG holding `image`.
    /// - Throws: ``RasterIOError`` `.invalidArgument` as ``write(_:to:compressionLevel:durable:)``.
    public static func encode(_ image: RasterImage, compressionLevel: Int = 6, name: String = "<memory>") throws -> [UInt8] {
        let shape = image.shape
        guard image.axes == "YX" || image.axes == "YXS" else {
            throw RasterIOError(.invalidArgument, "a PNG holds one plane with axes YX or YXS, not '\(image.axes)'; write stacks as TIFF or save planes one by one", file: name, shape: shape)
        }
        let dataType = image.array.dataType
        guard dataType == .uint8 || dataType == .uint16 else {
            throw RasterIOError(.invalidArgument, "a PNG holds uint8 or uint16 samples, not \(dataType.rawValue); convert the array first", file: name, shape: shape)
        }
        let channels = image.axes == "YXS" ? shape[2] : 1
        guard (1...4).contains(channels) else {
            throw RasterIOError(.invalidArgument, "a PNG pixel has 1 to 4 samples (gray, gray+alpha, RGB, RGBA), not \(channels)", file: name, shape: shape)
        }
        guard (1...0x7fff_ffff).contains(shape[0]), (1...0x7fff_ffff).contains(shape[1]) else {
            throw RasterIOError(.invalidArgument, "a PNG is between 1 and 2^31-1 pixels on each side, not \(shape[1])×\(shape[0])", file: name, shape: shape)
        }
        let array = image.array.rowMajor
        do {
            return try array.withUnsafeBytes { raw in
                try LibPNG.encode(raw, width: shape[1], height: shape[0], channels: channels, bitDepth: dataType == .uint16 ? 16 : 8, level: compressionLevel)
            }
        } catch let failure as LibPNGFailure {
            throw RasterIOError(.io, "libpng cannot encode the image: \(failure.message)", file: name, shape: shape)
        }
    }
}
