/// A 2-D position in pixels of the full-resolution image, corner-based: `(0, 0)` is the top-left
/// corner of the top-left pixel, x grows to the right and y downwards (DESIGN.md, "Pixel grid").
public struct Vertex: Sendable, Hashable {
    /// Column coordinate.
    public var x: Double
    /// Row coordinate.
    public var y: Double

    /// A vertex at `(x, y)`.
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    /// Whether both coordinates are finite.
    public var isFinite: Bool { x.isFinite && y.isFinite }
}

/// A point annotation: a 2-D or 3-D position, corner-based like ``Vertex``.
public struct Point: Sendable, Hashable {
    /// Column coordinate.
    public var x: Double
    /// Row coordinate.
    public var y: Double
    /// Depth coordinate of a 3-D point; `nil` in 2-D.
    public var z: Double?

    /// A point at `(x, y[, z])`.
    public init(x: Double, y: Double, z: Double? = nil) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The point's `(x, y)`.
    public var vertex: Vertex { Vertex(x, y) }

    /// Whether every coordinate is finite.
    public var isFinite: Bool { x.isFinite && y.isFinite && (z?.isFinite ?? true) }
}
