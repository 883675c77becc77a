import MIFACore

/// The raster file formats RasterIO reads and writes.
public enum RasterFormat: String, Sendable, Hashable, CaseIterable {
    /// Portable Network Graphics (`.png`).
    case png
    /// Tagged Image File Format, classic or BigTIFF (`.tif`, `.tiff`).
    case tiff
    /// NumPy array file (`.npy`).
    case npy

    /// The format a path's extension names (`.png`, `.tif`, `.tiff`, `.npy`, any case), or `nil`.
    public init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "png": self = .png
        case "tif", "tiff": self = .tiff
        case "npy": self = .npy
        default: return nil
        }
    }

    /// The format whose magic bytes start `prefix`, or `nil`.
    public init?(magic prefix: [UInt8]) {
        if prefix.starts(with: PNGStructure.signature) {
            self = .png
        } else if prefix.starts(with: NPYHeader.magic) {
            self = .npy
        } else if prefix.count >= 4, (prefix.starts(with: [0x49, 0x49]) && (prefix[2] == 42 || prefix[2] == 43) && prefix[3] == 0)
                    || (prefix.starts(with: [0x4D, 0x4D]) && prefix[2] == 0 && (prefix[3] == 42 || prefix[3] == 43)) {
            self = .tiff
        } else {
            return nil
        }
    }
}

/// Reads and writes any raster format RasterIO knows, chosen by content (reading) or extension (writing).
public enum RasterFile {
    /// The format of the file at `path`: by its magic bytes, else by its extension.
    /// - Throws: ``RasterIOError`` `.io` when the file cannot be read, `.wrongFormat` when neither
    ///   its bytes nor its name say PNG, TIFF or `.npy`.
    public static func format(ofFileAt path: String) throws -> RasterFormat {
        let file = try POSIXFile(path: path)
        let prefix = try file.read(at: 0, count: Swift.min(file.size, 8))
        if let format = RasterFormat(magic: prefix) ?? RasterFormat(path: path) { return format }
        throw RasterIOError(.wrongFormat, "neither the file's first bytes nor its name say PNG, TIFF or .npy", file: path, offset: 0)
    }

    /// Reads a raster: a PNG, a TIFF's stack (``TIFFFile/readStack()``), one page of it or one
    /// level of one of its series, or an `.npy` array with the axes
    /// ``RasterImage/defaultAxes(shape:dataType:)`` guesses.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - page: a TIFF page to read alone; `nil` reads the whole stack.
    ///   - series: a TIFF series (``TIFFFile/series()``) to read instead of the stack, in the axes
    ///     and shape tifffile gives it (``TIFFSeries/reported(level:)``); `nil` with a `level` means series 0.
    ///   - level: the resolution level of that series (0 the full resolution), as tifffile's
    ///     `series[n].levels[l]`.
    ///   - limits: bounds for the reader.
    /// - Throws: ``RasterIOError`` from the format's reader; `.invalidArgument` for a page, series or
    ///   level of a non-TIFF file, a page with a series or level, a series or level that does not
    ///   exist (naming those there are), or an `.npy` array that is not an image (rank 1 or above 5).
    public static func read(path: String, page: Int? = nil, series: Int? = nil, level: Int? = nil, limits: ReadLimits = .default) throws -> RasterImage {
        let format = try format(ofFileAt: path)
        if page != nil || series != nil || level != nil, format != .tiff {
            throw RasterIOError(.invalidArgument, "a page, series or level can only be chosen in a TIFF, and this is a \(format.rawValue) file", file: path)
        }
        if page != nil, series != nil || level != nil {
            throw RasterIOError(.invalidArgument, "choose a page or a series and level, not both", file: path)
        }
        switch format {
        case .png:
            return try PNGFile.read(path: path, limits: limits)
        case .tiff:
            let file = try TIFFFile(path: path, limits: limits)
            if series != nil || level != nil { return try file.read(series: series ?? 0, level: level ?? 0) }
            return try page.map { try file.readPage($0) } ?? file.readStack()
        case .npy:
            let array = try NPYFile.read(path: path, limits: limits)
            let axes = RasterImage.defaultAxes(shape: array.shape, dataType: array.dataType)
            guard axes.count == array.shape.count, axes.contains("Y") else {
                throw RasterIOError(.invalidArgument, "an array of rank \(array.shape.count) is not an image; images have 2 to 5 axes", file: path, shape: array.shape)
            }
            return try RasterImage(array: array, axes: axes)
        }
    }

    /// Writes a raster in the format its extension names, atomically.
    ///
    /// - Parameters:
    ///   - image: the pixels; an `.npy` keeps only the array.
    ///   - path: the destination; `.png`, `.tif`, `.tiff` or `.npy`.
    ///   - tiffOptions: layout and compression of a TIFF.
    ///   - durable: sync the file to disk before returning (it appears atomically either way).
    /// - Throws: ``RasterIOError`` `.invalidArgument` for an unknown extension or an image the
    ///   format cannot hold, `.io` when the file cannot be written.
    public static func write(_ image: RasterImage, to path: String, tiffOptions: TIFFWriteOptions = TIFFWriteOptions(), durable: Bool = true) throws {
        guard let format = RasterFormat(path: path) else {
            throw RasterIOError(.invalidArgument, "cannot tell the format from the name; end it in .png, .tif, .tiff or .npy", file: path)
        }
        switch format {
        case .png: try PNGFile.write(image, to: path, durable: durable)
        case .tiff: try TIFFFile.write(image, to: path, options: tiffOptions, durable: durable)
        case .npy: try NPYFile.write(image.array, to: path, durable: durable)
        }
    }
}
