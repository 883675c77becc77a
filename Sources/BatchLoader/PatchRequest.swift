/// What one sample reads: which source, which time point, and the spatial box `[z, y, x]` at the
/// sampled level. The box may reach outside the image; the outside reads as zeros.
public struct PatchRequest: Sendable, Hashable {
    /// The index of the source in the ``SampleIndex``.
    public var source: Int
    /// The time point (0 when the image has no t axis).
    public var t: Int
    /// The first pixel of the box, `[z, y, x]` (z is 0 for images without z).
    public var origin: [Int]
    /// The extent of the box, `[z, y, x]`; z is 1 for 2-D patches.
    public var shape: [Int]

    /// A request for a box of `source` at time `t`.
    public init(source: Int, t: Int = 0, origin: [Int], shape: [Int]) {
        self.source = source
        self.t = t
        self.origin = origin
        self.shape = shape
    }
}
