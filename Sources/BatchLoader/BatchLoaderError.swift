public import MIFACore

/// An error of the batch loader: a stable code, a message that says how to fix it, where it
/// happened (the chunk key, the image) and the underlying error.
public typealias BatchLoaderError = LayerError<BatchLoaderErrorCode>

/// The codes of ``BatchLoaderError``: what went wrong, as a stable code.
public enum BatchLoaderErrorCode: String, ErrorCode, CaseIterable {
    /// A setting is out of range or contradicts another one.
    case invalidConfiguration = "invalid-configuration"
    /// An image cannot be sampled (too few axes, no pixels, unsupported type).
    case unsupportedImage = "unsupported-image"
    /// A chunk could not be read or decoded; the context names its key.
    case chunkFailed = "chunk-failed"
    /// The memory budget is too small for the settings.
    case budgetTooSmall = "budget-too-small"
    /// The loader was cancelled.
    case cancelled = "cancelled"
    /// A checkpoint does not belong to this loader.
    case invalidCheckpoint = "invalid-checkpoint"
}
