public import OMEZarr

/// A label image drawn over an image: every non-zero pixel in its value's colour, from the label
/// image's `image-label` colours or, for values it gives none, `LabelColor.automatic(for:)` (OMEZarr);
/// or, made with ``init(name:image:only:opacity:)``, only some values in colours of the caller's.
public struct LabelLayer: Sendable {
    /// The label image's name (its folder under `labels/`).
    public let name: String
    /// The label image.
    public let image: OMEZarrImage
    /// How opaque the colours are drawn, 0...1, times each colour's own alpha.
    public var opacity: Double
    /// The colour of each label value the metadata names (or, for a layer of only some values,
    /// each value drawn), for legends.
    public private(set) var colors: [Int64: RGBA]
    /// Whether values without a colour in ``colors`` are drawn in their automatic colour (else not at all).
    private(set) var drawsOtherValues: Bool

    /// A layer for the label image `image` named `name`.
    /// - Throws: ``RenderingError`` `.labelMismatch` when `image` is not a label image.
    public init(name: String, image: OMEZarrImage, opacity: Double = 1) throws {
        do {
            try image.checkIsLabel(name: name)
        } catch {
            throw RenderingError(.labelMismatch, "'\(name)' cannot be drawn as labels: \(error)", underlying: error)
        }
        self.name = name
        self.image = image
        self.opacity = opacity
        var colors: [Int64: RGBA] = [:]
        for entry in image.imageLabel?.colors ?? [] {
            if let rgba = entry.rgba, rgba.count == 4 { colors[entry.labelValue] = RGBA(rgba[0], rgba[1], rgba[2], rgba[3]) }
        }
        self.colors = colors
        drawsOtherValues = true
    }

    /// A layer that draws only the values of `colors`, each in its colour, and no other value
    /// (the objects that changed between two versions, say).
    /// - Throws: ``RenderingError`` `.labelMismatch` when `image` is not a label image.
    public init(name: String, image: OMEZarrImage, only colors: [Int64: RGBA], opacity: Double = 1) throws {
        try self.init(name: name, image: image, opacity: opacity)
        self.colors = colors
        drawsOtherValues = false
    }

    /// The colour of a label value: the metadata's, else the automatic one (transparent for a
    /// value a layer of only some values does not draw).
    public func color(of value: Int64) -> RGBA {
        if let color = colors[value] { return color }
        guard drawsOtherValues else { return RGBA(0, 0, 0, 0) }
        let rgba = LabelColor.automatic(for: value).rgba ?? [0, 0, 0, 0]
        return RGBA(rgba[0], rgba[1], rgba[2], rgba[3])
    }
}
