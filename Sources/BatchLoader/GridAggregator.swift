/// Stitches per-patch predictions back into whole images: every prediction is added into its
/// box and divided by how many patches covered each pixel (a plain average over the overlap).
///
/// Not thread-safe: one consumer adds patches, then reads the results.
public struct GridAggregator: Sendable {
    /// The number of prediction channels.
    public let channels: Int
    /// The sums per source: `[channels, z, y, x]`, C order.
    private var sums: [[Float]]
    /// How many patches covered each pixel, per source: `[z, y, x]`.
    private var counts: [[Float]]
    private let extents: [[Int]]

    /// An aggregator for predictions of `channels` channels over the sources of `index`
    /// (time points are not aggregated: use one per time point).
    public init(index: SampleIndex, channels: Int = 1) {
        self.channels = channels
        extents = index.sources.map { let e = $0.extents; return [e.z, e.y, e.x] }
        sums = extents.map { [Float](repeating: 0, count: channels * $0.reduce(1, *)) }
        counts = extents.map { [Float](repeating: 0, count: $0.reduce(1, *)) }
    }

    /// Adds the prediction of one patch: `values` is `[channels, z, y, x]` in C order for the
    /// request's box; the part outside the image is ignored.
    public mutating func add(_ values: [Float], for request: PatchRequest) {
        let e = extents[request.source]
        let s = request.shape
        precondition(values.count == channels * s.reduce(1, *), "a prediction has channels × patch values")
        let plane = e[1] * e[2]
        for z in 0..<s[0] where request.origin[0] + z < e[0] {
            for y in 0..<s[1] where request.origin[1] + y < e[1] {
                let gz = request.origin[0] + z, gy = request.origin[1] + y
                for x in 0..<s[2] where request.origin[2] + x < e[2] {
                    let pixel = gz * plane + gy * e[2] + request.origin[2] + x
                    counts[request.source][pixel] += 1
                    for c in 0..<channels {
                        sums[request.source][c * e.reduce(1, *) + pixel] += values[((c * s[0] + z) * s[1] + y) * s[2] + x]
                    }
                }
            }
        }
    }

    /// The stitched prediction of `source`: `[channels, z, y, x]`, C order; 0 where no patch fell.
    public func result(source: Int) -> [Float] {
        let pixels = counts[source].count
        var out = sums[source]
        for c in 0..<channels {
            for p in 0..<pixels where counts[source][p] > 0 { out[c * pixels + p] /= counts[source][p] }
        }
        return out
    }
}
