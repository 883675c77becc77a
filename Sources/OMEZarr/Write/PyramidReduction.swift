/// How a block of 2×2 pixels (2×2×2 when z is downsampled too) of one level becomes one pixel of
/// the next level.
///
/// Levels are built in cascade: level `k` is the reduction of level `k-1`. Each level halves y and
/// x (and z when asked), rounding the extent up; a block at an odd edge holds only the pixels that
/// exist. The pixel `i` of level `k` covers pixels `2i` and `2i + 1` of level `k-1`, so the
/// multiscale transformations double the scale and move the translation by half the growth of a
/// pixel (`t_k = t_0 + (s_k - s_0) / 2`): each pixel's centre sits at the centre of the block it
/// reduces, the convention of ome-zarr-py and napari (an array index names a pixel centre).
public enum PyramidReduction: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// The arithmetic mean, computed exactly (integers in 64-bit integer arithmetic, floats in
    /// `Double`) and rounded to the nearest value of the element type, ties to even (`1.5 → 2`,
    /// `2.5 → 2`). The default for intensity images.
    case mean
    /// The first pixel of the block (top-left, front): what `array[::2, ::2]` gives.
    case nearest
    /// The most frequent value of the block; ties go to a non-zero value over 0 (background), then
    /// to the smallest value. The default for label images: it never creates a value absent from
    /// the level before, so no level holds a label that level 0 lacks.
    case mode
    /// The smallest value of the block.
    case min
    /// The largest value of the block.
    case max

    /// Whether the reduction only ever picks one of the block's values (no new values appear).
    public var picksExistingValues: Bool { self != .mean }

    /// The name written as the multiscale `type`.
    public var description: String { rawValue }
}
