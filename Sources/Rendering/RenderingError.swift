public import MIFACore

/// An error of the rendering layer: a stable code, a message that says how to fix it, where it
/// happened (the image, the level, the region) and the underlying error.
public typealias RenderingError = LayerError<RenderingErrorCode>

/// The codes of ``RenderingError``.
public enum RenderingErrorCode: String, ErrorCode, CaseIterable {
    /// A level, region, tile, channel or plane that the image does not have.
    case invalidRequest = "invalid-request"
    /// An image the renderer cannot draw (no `y`/`x` axes, an element type without a display mapping).
    case unsupportedImage = "unsupported-image"
    /// A label image that does not fit the image it is drawn on.
    case labelMismatch = "label-mismatch"
    /// Reading pixels or encoding the PNG failed; the underlying error says why.
    case readFailed = "read-failed"
}
