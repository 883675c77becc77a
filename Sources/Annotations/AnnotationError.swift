public import MIFACore

/// An error from reading, writing or converting annotations.
///
/// The `context` names the file and the place in it: a JSON pointer (`/annotations/17/segmentation`),
/// a line (CSV, YOLO and CTC track files) or a key such as `annotation 42` or a frame file name.
public typealias AnnotationError = LayerError<AnnotationErrorCode>

/// The codes of ``AnnotationError``: what went wrong, as a stable code.
public enum AnnotationErrorCode: String, ErrorCode, CaseIterable {
    /// A file could not be read or written.
    case io = "io"
    /// The input is not in the format it claims or is structurally broken (bad JSON, wrong types).
    case malformed = "malformed"
    /// A COCO run-length encoding is not valid (bad characters, truncated value, wrong total).
    case invalidRLE = "invalid-rle"
    /// A geometry is not valid: too few points, unclosed or self-intersecting ring, NaN.
    case invalidGeometry = "invalid-geometry"
    /// An annotation refers to an image, category, track or node that does not exist.
    case danglingReference = "dangling-reference"
    /// Two objects share an id that must be unique.
    case duplicateID = "duplicate-id"
    /// Tracks break the Cell Tracking Challenge rules.
    case invalidTracks = "invalid-tracks"
    /// A conversion would lose information and was not allowed to.
    case lossyConversion = "lossy-conversion"
    /// The conversion or format is not supported for this input.
    case unsupported = "unsupported"
    /// An argument given by the caller is not valid (sizes, formats, options).
    case invalidArgument = "invalid-argument"
    /// The input is larger than the reader accepts.
    case tooLarge = "too-large"
}
