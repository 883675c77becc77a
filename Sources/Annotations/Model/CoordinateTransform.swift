/// Where integer coordinates fall on a pixel.
///
/// MIFAKit, COCO, QuPath, GeoJSON and GDAL are corner-based: `(0, 0)` is the top-left corner of the
/// top-left pixel, whose centre is `(0.5, 0.5)`. scikit-image and napari are centre-based: `(0, 0)`
/// is the centre of the top-left pixel. Converting adds or subtracts 0.5 on every spatial axis.
public enum PixelConvention: String, Sendable, Hashable, CaseIterable {
    /// Integer coordinates on pixel corners (COCO, QuPath, GeoJSON, GDAL, MIFAKit).
    case corner
    /// Integer coordinates on pixel centres (scikit-image, napari).
    case center

    /// What to add to a coordinate in this convention to get the corner-based coordinate.
    public var offsetToCorner: Double { self == .corner ? 0 : 0.5 }
}

/// A map between pixel and physical coordinates: `physical = pixel × scale + translation`, per axis,
/// as OME-NGFF's `scale` and `translation` transformations (https://ngff.openmicroscopy.org/0.4/#trafo-md).
///
/// Pixel coordinates here are corner-based; ``toPixel(_:convention:)`` and ``toPhysical(_:convention:)``
/// shift by 0.5 for centre-based input or output. OME-NGFF puts physical coordinates of pixel
/// centres at `index × scale + translation` (centre-based), so use `convention: .center` with it.
public struct CoordinateTransform: Sendable, Hashable {
    /// Size of a pixel along x, y and z (z ignored for 2-D points).
    public var scale: (x: Double, y: Double, z: Double)
    /// Offset along x, y and z.
    public var translation: (x: Double, y: Double, z: Double)

    /// A transform; the default is the identity.
    public init(scale: (x: Double, y: Double, z: Double) = (1, 1, 1), translation: (x: Double, y: Double, z: Double) = (0, 0, 0)) {
        self.scale = scale
        self.translation = translation
    }

    /// The identity.
    public static let identity = CoordinateTransform()

    /// The physical position of a corner-based pixel point; with `convention: .center` the pixel
    /// point is first shifted to the centre-based grid (minus 0.5), as OME-NGFF counts.
    public func toPhysical(_ point: Point, convention: PixelConvention = .corner) -> Point {
        let shift = convention.offsetToCorner
        return Point(
            x: (point.x - shift) * scale.x + translation.x,
            y: (point.y - shift) * scale.y + translation.y,
            z: point.z.map { ($0 - shift) * scale.z + translation.z })
    }

    /// The corner-based pixel point of a physical position (inverse of ``toPhysical(_:convention:)``).
    public func toPixel(_ point: Point, convention: PixelConvention = .corner) -> Point {
        let shift = convention.offsetToCorner
        return Point(
            x: (point.x - translation.x) / scale.x + shift,
            y: (point.y - translation.y) / scale.y + shift,
            z: point.z.map { ($0 - translation.z) / scale.z + shift })
    }

    /// Converts a point between pixel conventions (corner ↔ centre): ±0.5 on every axis.
    public static func convert(_ point: Point, from source: PixelConvention, to target: PixelConvention) -> Point {
        let delta = source.offsetToCorner - target.offsetToCorner
        return Point(x: point.x + delta, y: point.y + delta, z: point.z.map { $0 + delta })
    }

    /// Equal when scale and translation are equal.
    public static func == (lhs: CoordinateTransform, rhs: CoordinateTransform) -> Bool {
        lhs.scale == rhs.scale && lhs.translation == rhs.translation
    }

    /// Hashes scale and translation.
    public func hash(into hasher: inout Hasher) {
        for value in [scale.x, scale.y, scale.z, translation.x, translation.y, translation.z] { hasher.combine(value) }
    }
}
