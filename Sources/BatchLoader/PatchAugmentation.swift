import Annotations

/// Which augmentations the loader applies, each drawn per sample from the sample's own stream.
public struct AugmentationOptions: Sendable, Hashable {
    /// Flip left-right and up-down, each with probability 1/2.
    public var flips: Bool
    /// Rotate by a random multiple of 90 degrees (square patches only).
    public var rotations: Bool

    /// Augmentations to apply (none by default).
    public init(flips: Bool = false, rotations: Bool = false) {
        self.flips = flips
        self.rotations = rotations
    }
}

/// The augmentation one sample got: flips then a rotation by `quarterTurns` × 90° (NumPy's
/// `rot90` on the y, x axes: counter-clockwise as displayed). Images, masks and annotations
/// get the same one.
public struct PatchAugmentation: Sendable, Hashable {
    /// Flipped left-right.
    public var flipX: Bool
    /// Flipped up-down.
    public var flipY: Bool
    /// Quarter turns, 0 to 3.
    public var quarterTurns: Int

    /// An augmentation.
    public init(flipX: Bool = false, flipY: Bool = false, quarterTurns: Int = 0) {
        self.flipX = flipX
        self.flipY = flipY
        self.quarterTurns = quarterTurns
    }

    /// Whether it changes nothing.
    public var isIdentity: Bool { !flipX && !flipY && quarterTurns == 0 }

    /// The augmentation of a sample, drawn from `random` for a patch of `height` × `width`.
    static func draw(_ options: AugmentationOptions, height: Int, width: Int, random: inout SampleRandom) -> PatchAugmentation {
        var result = PatchAugmentation()
        if options.flips {
            result.flipX = Bool.random(using: &random)
            result.flipY = Bool.random(using: &random)
        }
        if options.rotations, height == width { result.quarterTurns = Int.random(in: 0..<4, using: &random) }
        return result
    }

    /// Applies it in place to `planes` consecutive planes of `size` × `size` (or `height` × `width`
    /// without rotation) elements of `elementSize` bytes at `base`.
    func apply(to base: UnsafeMutableRawPointer, planes: Int, height: Int, width: Int, elementSize: Int) {
        guard !isIdentity else { return }
        let planeBytes = height * width * elementSize
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: planeBytes, alignment: 16)
        defer { scratch.deallocate() }
        for p in 0..<planes {
            let plane = base + p * planeBytes
            scratch.copyMemory(from: plane, byteCount: planeBytes)
            for y in 0..<height {
                for x in 0..<width {
                    // Destination pixel (y, x) takes source pixel (sy, sx): invert rotation, then flips.
                    var sy = y, sx = x
                    for _ in 0..<quarterTurns { (sy, sx) = (sx, width - 1 - sy) }
                    if flipY { sy = height - 1 - sy }
                    if flipX { sx = width - 1 - sx }
                    (plane + (y * width + x) * elementSize).copyMemory(from: scratch + (sy * width + sx) * elementSize, byteCount: elementSize)
                }
            }
        }
    }

    /// Moves a point of the original patch to where it lands after the augmentation.
    func apply(_ v: Vertex, height: Int, width: Int) -> Vertex {
        var x = flipX ? Double(width) - v.x : v.x
        var y = flipY ? Double(height) - v.y : v.y
        for _ in 0..<quarterTurns { (x, y) = (y, Double(width) - x) }
        return Vertex(x, y)
    }

    /// The annotation after the augmentation.
    func apply(_ a: PatchAnnotation, height: Int, width: Int) -> PatchAnnotation {
        guard !isIdentity else { return a }
        var out = a
        switch a.shape {
        case .point(let p): out.shape = .point(apply(p, height: height, width: width))
        case .polygon(let rings): out.shape = .polygon(rings.map { $0.map { apply($0, height: height, width: width) } })
        case .box(let b):
            let corners = [apply(Vertex(b.x, b.y), height: height, width: width),
                           apply(Vertex(b.x + b.width, b.y + b.height), height: height, width: width)]
            let x0 = min(corners[0].x, corners[1].x), y0 = min(corners[0].y, corners[1].y)
            out.shape = .box(BoundingBox(x: x0, y: y0, width: abs(corners[0].x - corners[1].x), height: abs(corners[0].y - corners[1].y)))
        }
        return out
    }
}
