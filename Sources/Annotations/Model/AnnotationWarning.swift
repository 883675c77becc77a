public import MIFACore

/// Something wrong with the input that the reader could fix or work around, returned as a value
/// next to the result (libraries do not print): a warning-level MIFACore `Diagnostic` with an
/// ``AnnotationWarningCode``. Example: a GeoJSON ring with the wrong winding.
public typealias AnnotationWarning = Diagnostic<AnnotationWarningCode>

/// The stable codes of ``AnnotationWarning``.
public enum AnnotationWarningCode: String, DiagnosticCode {
    /// A ring wound the other way than RFC 7946 asks; it was reversed.
    case winding = "winding"
    /// A ring was not closed; it was closed (`--repair`).
    case unclosedRing = "unclosed-ring"
    /// Coordinates lie outside the image; they were kept (and are clipped when rasterised).
    case outsideImage = "outside-image"
    /// A value was out of its usual range and was kept or clamped.
    case outOfRange = "out-of-range"
    /// A member of the input was not understood and was kept as a property or ignored.
    case ignored = "ignored"
    /// The data was converted with a loss that was allowed (`--allow-lossy`).
    case lossy = "lossy"
    /// A duplicate that was merged or renamed.
    case duplicate = "duplicate"
    /// Positions with more than 3 numbers were cut to x, y, z (`--repair`).
    case extraDimensions = "extra-dimensions"
    /// A geometry mixing 2-D and 3-D positions was read as 2-D (`--repair`).
    case mixedDepth = "mixed-depth"
}

extension Diagnostic where C == AnnotationWarningCode {
    /// A warning: what was found and what was done about it, and where.
    public init(_ code: AnnotationWarningCode, _ message: String, context: ErrorContext = ErrorContext()) {
        self.init(.warning, code, message, context: context)
    }
}
