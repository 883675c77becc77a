public import MIFACore

/// A transformation that scales and shifts each axis independently: `x'[i] = scale[i] * x[i] + translation[i]`.
///
/// Every composition of OME-NGFF 0.4/0.5 `scale` and `translation` transformations is one of
/// these, so a level's mapping to physical space, its inverse, and the mapping from one level to
/// another are values of this type (``then(_:)``, ``inverse``), never ad-hoc arithmetic.
/// Its input is a continuous array index, and, as in ome-zarr-py, napari and NGFF 0.6, an index
/// names the centre of its pixel: pixel `i` covers the indices `[i - 0.5, i + 0.5)`. (MIFAKit's
/// vector coordinates put the corner of pixel 0 at 0, so they equal the index plus 0.5.)
/// See https://ngff.openmicroscopy.org/0.5/#trafo-md.
public struct AxisAlignedTransform: Sendable, Hashable, CustomStringConvertible {
    /// The factor per axis.
    public var scale: [Double]
    /// The offset per axis, added after scaling.
    public var translation: [Double]

    /// The identity on `rank` axes.
    public init(rank: Int) {
        scale = [Double](repeating: 1, count: rank)
        translation = [Double](repeating: 0, count: rank)
    }

    /// A transformation with the given factors and offsets (zeros when `nil`).
    /// - Precondition: `translation`, when given, has as many values as `scale`.
    public init(scale: [Double], translation: [Double]? = nil) {
        precondition(translation == nil || translation!.count == scale.count, "scale and translation must have the same length")
        self.scale = scale
        self.translation = translation ?? [Double](repeating: 0, count: scale.count)
    }

    /// Number of axes.
    public var rank: Int { scale.count }

    /// Whether every factor is finite and non-zero and every offset finite, so the transformation
    /// can be inverted.
    public var isInvertible: Bool {
        scale.allSatisfy { $0.isFinite && $0 != 0 } && translation.allSatisfy(\.isFinite)
    }

    /// Applies `self`, then `next`: `next(self(x))`.
    /// - Precondition: both have the same rank.
    public func then(_ next: AxisAlignedTransform) -> AxisAlignedTransform {
        precondition(next.rank == rank, "transformations of rank \(rank) and \(next.rank) cannot be composed")
        return AxisAlignedTransform(
            scale: zip(scale, next.scale).map { $0 * $1 },
            translation: (0..<rank).map { next.scale[$0] * translation[$0] + next.translation[$0] })
    }

    /// The transformation that undoes this one.
    /// - Precondition: ``isInvertible``.
    public var inverse: AxisAlignedTransform {
        precondition(isInvertible, "a transformation with a zero or non-finite factor cannot be inverted")
        return AxisAlignedTransform(scale: scale.map { 1 / $0 }, translation: (0..<rank).map { -translation[$0] / scale[$0] })
    }

    /// The image of a point.
    /// - Precondition: the point has ``rank`` coordinates.
    public func apply(_ point: [Double]) -> [Double] {
        precondition(point.count == rank, "a point of \(point.count) coordinates for a transformation of rank \(rank)")
        return (0..<rank).map { scale[$0] * point[$0] + translation[$0] }
    }

    /// The image of a box (a negative factor swaps that axis' bounds).
    public func apply(_ box: PhysicalRegion) -> PhysicalRegion {
        let a = apply(box.lower)
        let b = apply(box.upper)
        return PhysicalRegion(lower: zip(a, b).map { Swift.min($0, $1) }, upper: zip(a, b).map { Swift.max($0, $1) })
    }

    /// `scale [..] translation [..]`.
    public var description: String { "scale \(scale) translation \(translation)" }
}

/// A box in continuous coordinates (physical units, or array indices whose integers are pixel
/// centres): `[lower, upper)` per axis.
public struct PhysicalRegion: Sendable, Hashable, CustomStringConvertible {
    /// The lower corner.
    public var lower: [Double]
    /// The upper corner.
    public var upper: [Double]

    /// A box from its corners.
    /// - Precondition: both corners have the same number of coordinates.
    public init(lower: [Double], upper: [Double]) {
        precondition(lower.count == upper.count, "both corners need the same number of coordinates")
        self.lower = lower
        self.upper = upper
    }

    /// The box the pixels of a region cover in index coordinates: `[lowerBound - 0.5, upperBound - 0.5)`
    /// per axis (pixel `i` is centred on index `i`).
    public init(_ region: Region) {
        lower = region.ranges.map { Double($0.lowerBound) - 0.5 }
        upper = region.ranges.map { Double($0.upperBound) - 0.5 }
    }

    /// Number of axes.
    public var rank: Int { lower.count }

    /// The smallest pixel region whose pixels cover the box (in index coordinates, pixel `i`
    /// covering `[i - 0.5, i + 0.5)`), clipped to `shape`; a box thinner than a pixel still covers
    /// the pixel it lies in; empty along an axis the box misses.
    /// - Precondition: `shape` has ``rank`` extents.
    public func coveringPixels(clippedTo shape: [Int]) -> Region {
        precondition(shape.count == rank, "a shape of rank \(shape.count) for a box of rank \(rank)")
        return Region((0..<rank).map { axis in
            let extent = Double(shape[axis])
            // In pixel-corner coordinates (index + 0.5), pixel j covers [j, j + 1).
            let (a, b) = (lower[axis] + 0.5, upper[axis] + 0.5)
            // Outside the level (or not a box): nothing. A point (a == b) covers the pixel it is in.
            guard extent > 0, a <= b, a < extent, b > 0 || (a == b && a == 0) else { return 0..<0 }
            let low = Swift.max(0, Swift.min(extent - 1, (a + 1e-9).rounded(.down)))
            let high = Swift.max(low + 1, Swift.min(extent, (b - 1e-9).rounded(.up)))
            return Int(low)..<Int(high)
        })
    }

    /// `[lower, upper)` per axis.
    public var description: String {
        zip(lower, upper).map { "[\($0), \($1))" }.joined(separator: " x ")
    }
}
