import MIFACore

/// What the full-resolution planes held, gathered while they stream through the writer: the value
/// range of each channel (for the `omero` display windows) and, for labels, the label values (for
/// the `image-label` colours).
struct PlaneStatistics: Sendable {
    /// The most distinct label values collected; more are counted but get no colour.
    static let labelValueLimit = 10_000

    /// `(min, max)` per channel index, ignoring NaN.
    var ranges: [Int: (min: Double, max: Double)] = [:]
    /// The distinct label values seen (up to ``labelValueLimit``).
    var labelValues: Set<Int64> = []
    /// Whether more distinct label values exist than were collected.
    var labelValuesTruncated = false

    /// Adds one plane.
    mutating func record<T: PyramidPixel>(_ plane: NDArray<T>, channel: Int, collectsLabels: Bool) {
        guard !plane.elements.isEmpty else { return }
        var low = plane.elements[0], high = plane.elements[0]
        var values = labelValues
        var truncated = labelValuesTruncated
        plane.elements.withUnsafeBufferPointer { buffer in
            for value in buffer {
                if value < low { low = value }
                if value > high { high = value }
            }
            guard collectsLabels, !truncated else { return }
            var previous = buffer[0]
            if let key = previous.labelKey { values.insert(key) }
            for value in buffer where value != previous {
                previous = value
                if let key = value.labelKey { values.insert(key) }
                if values.count > Self.labelValueLimit {
                    truncated = true
                    break
                }
            }
        }
        labelValues = values
        labelValuesTruncated = truncated
        let (lowValue, highValue) = (low.doubleValue, high.doubleValue)
        guard lowValue.isFinite || highValue.isFinite else { return }
        if let existing = ranges[channel] {
            ranges[channel] = (Swift.min(existing.min, lowValue), Swift.max(existing.max, highValue))
        } else {
            ranges[channel] = (lowValue, highValue)
        }
    }
}
