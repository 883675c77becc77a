public import MIFACore

/// An error from reading or writing PNG, TIFF or `.npy` rasters: `LayerError` with the raster
/// layer's codes, like every other layer's errors.
///
/// The error's `context` names the file and, where it applies, the TIFF page and tag or chunk
/// (`ErrorContext.key`, e.g. `page 2/StripByteCounts`) and the byte offset.
public typealias RasterIOError = LayerError<RasterIOErrorCode>

/// The codes of ``RasterIOError``: what went wrong, as a stable code.
public enum RasterIOErrorCode: String, ErrorCode, CaseIterable {
    /// The file could not be opened, read or written.
    case io = "io"
    /// The file is not in the format its name or the caller says (wrong magic bytes).
    case wrongFormat = "wrong-format"
    /// The file ends before the data it declares.
    case truncated = "truncated-file"
    /// The file's structure or compressed data is damaged.
    case corrupt = "corrupt-data"
    /// The file is valid but uses a feature this reader does not support.
    case unsupported = "unsupported"
    /// The image is larger than the ``ReadLimits`` allow, or larger than its bytes can hold.
    case tooLarge = "too-large"
    /// The caller passed an array, axes or options that cannot be written.
    case invalidArgument = "invalid-argument"
}

extension LayerError where C == RasterIOErrorCode {
    /// A raster error with its code, message and place.
    ///
    /// - Parameters:
    ///   - kind: the stable code.
    ///   - message: what was expected, what was found, how to fix it.
    ///   - file: the file (or in-memory name) concerned.
    ///   - page: the 0-based TIFF page, if any; it is written into the context's key (`page 2/…`).
    ///   - key: a tag, chunk or strip name, e.g. `ImageWidth`, `IDAT`, `strip 3`.
    ///   - offset: a byte offset in the file.
    ///   - shape: an array shape concerned.
    ///   - underlying: the lower-level error.
    public init(
        _ kind: Code, _ message: String, file: String? = nil, page: Int? = nil, key: String? = nil,
        offset: Int? = nil, shape: [Int]? = nil, underlying: (any Error & Sendable)? = nil
    ) {
        let place: String? = switch (page, key) {
        case let (page?, key?): "page \(page)/\(key)"
        case let (page?, nil): "page \(page)"
        case let (nil, key?): key
        case (nil, nil): nil
        }
        self.init(kind, message, context: ErrorContext(file: file, key: place, offset: offset, shape: shape), underlying: underlying)
    }
}
