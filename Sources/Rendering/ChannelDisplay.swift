import OMEZarr

/// How one channel of an image is drawn: its colour and the window of values mapped from black
/// (``start``) to full colour (``end``); channels are added together.
public struct ChannelDisplay: Sendable, Hashable {
    /// The channel's index on the image's `c` axis (0 when it has none).
    public var channel: Int
    /// The colour at full intensity.
    public var color: RGBA
    /// The value drawn black (and below).
    public var start: Double
    /// The value drawn at full colour (and above).
    public var end: Double

    /// A channel display from its fields.
    public init(channel: Int, color: RGBA, start: Double, end: Double) {
        self.channel = channel
        self.color = color
        self.start = start
        self.end = end
    }

    /// What drawing a value takes: the window's start and the scale that maps the window to 0...1
    /// (1 for an empty window), and the colour's components.
    var weights: (start: Double, scale: Double, red: Float, green: Float, blue: Float) {
        (start, end > start ? 1 / (end - start) : 1, Float(color.red), Float(color.green), Float(color.blue))
    }

    /// The colours given to channels that the metadata gives none: white for a single channel,
    /// else red, green, blue, magenta, cyan, yellow in turn.
    public static let palette: [RGBA] = [
        RGBA(255, 0, 0), RGBA(0, 255, 0), RGBA(0, 0, 255), RGBA(255, 0, 255), RGBA(0, 255, 255), RGBA(255, 255, 0),
    ]

    /// The display of every channel of `image`: colour and window from its `omero` block where it
    /// gives them, otherwise a palette colour and `fallback(channel)` (the type's range or the
    /// values' range, see ``ImageRenderer``).
    static func defaults(for image: OMEZarrImage, channelCount: Int, fallback: (Int) throws -> (Double, Double)) rethrows -> [ChannelDisplay] {
        try (0..<channelCount).map { c in
            let omero = image.omero?.channels.indices.contains(c) == true ? image.omero?.channels[c] : nil
            let color = omero?.color.flatMap(RGBA.init(hex:)) ?? (channelCount == 1 ? RGBA(255, 255, 255) : palette[c % palette.count])
            if let window = omero?.window, window.end > window.start {
                return ChannelDisplay(channel: c, color: color, start: window.start, end: window.end)
            }
            let (low, high) = try fallback(c)
            return ChannelDisplay(channel: c, color: color, start: low, end: high)
        }
    }
}
