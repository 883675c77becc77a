import MIFACore
import RasterIO

extension ImageSize {
    /// The size of an image file, read from its header: PNG, TIFF (first page), `.npy` (last two
    /// axes) or JPEG.
    /// - Throws: ``AnnotationError`` `.io` when the file cannot be read, `.unsupported` for
    ///   another format.
    public static func of(file path: String) throws -> ImageSize {
        let lower = path.lowercased()
        do {
            if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") {
                return try jpegSize(FileBytes.read(path), file: path)
            }
            switch try RasterFile.format(ofFileAt: path) {
            case .png:
                let info = try PNGFile.info(path: path)
                return ImageSize(width: info.width, height: info.height)
            case .tiff:
                let file = try TIFFFile(path: path)
                guard let page = file.pages.first else { throw AnnotationError(.malformed, "the TIFF has no pages", context: ErrorContext(file: path)) }
                return ImageSize(width: page.width, height: page.height)
            case .npy:
                let shape = try NPYFile.readHeader(path: path).shape
                guard shape.count >= 2 else { throw AnnotationError(.malformed, "a .npy image needs at least 2 axes", context: ErrorContext(file: path)) }
                return ImageSize(width: shape[shape.count - 1], height: shape[shape.count - 2])
            }
        } catch let error as AnnotationError {
            throw error
        } catch let error as any MIFAError {
            throw AnnotationError(.io, "cannot read the image size: \(error.message)", context: ErrorContext(file: path), underlying: error)
        }
    }

    /// The size in a JPEG's start-of-frame segment.
    static func jpegSize(_ bytes: [UInt8], file: String) throws -> ImageSize {
        var index = 2
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw AnnotationError(.unsupported, "not a JPEG file", context: ErrorContext(file: file))
        }
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { index += 1; continue }
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                let height = Int(bytes[index + 5]) << 8 | Int(bytes[index + 6])
                let width = Int(bytes[index + 7]) << 8 | Int(bytes[index + 8])
                return ImageSize(width: width, height: height)
            }
            guard length >= 2 else { break }
            index += 2 + length
        }
        throw AnnotationError(.malformed, "no JPEG frame header found", context: ErrorContext(file: file))
    }
}
