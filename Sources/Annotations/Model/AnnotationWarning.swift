public import MIFACore

/// Something wrong with the input that the reader could fix or work around, returned as a value
/// next to the result (libraries do not print). Example: a GeoJSON ring with the wrong winding.
public struct AnnotationWarning: Sendable, Hashable, CustomStringConvertible {
    /// What was found, as a stable code.
    public enum Code: String, Sendable, Hashable, CaseIterable {
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

    /// The code.
    public var code: Code
    /// What was found and what was done about it.
    public var message: String
    /// Where.
    public var context: ErrorContext

    /// A warning.
    public init(_ code: Code, _ message: String, context: ErrorContext = ErrorContext()) {
        self.code = code
        self.message = message
        self.context = context
    }

    /// `place: message`.
    public var description: String { context.isEmpty ? message : "\(context): \(message)" }
}
