import Annotations

/// Which augmentations the loader applies, each drawn per sample from the sample's own stream.
public struct AugmentationOptions: Sendable, Hashable {
    /// Flip left-right and up-down, each with probability 1/2.
    public var flips: Bool
    /// Rotate by a random multiple of 90 degrees (square patches only).
    public var rotations: Bool
    /// Crop each sampled patch to this extent (`[y, x]`, or `[z, y, x]` for 3-D patches) at a
    /// uniformly random position inside it; batches then have this extent. `nil`: no crop.
    public var crop: [Int]?

    /// Augmentations to apply (none by default).
    public init(flips: Bool = false, rotations: Bool = false, crop: [Int]? = nil) {
        self.flips = flips
        self.rotations = rotations
        self.crop = crop
    }
}

/// The augmentation one sample got: a crop at `cropOrigin` inside the sampled patch, then flips,
/// then a rotation by `quarterTurns` × 90° (NumPy's `rot90` on the y, x axes: counter-clockwise as
/// displayed). Images, masks and annotations get the same one.
public struct PatchAugmentation: Sendable, Hashable {
    /// Flipped left-right.
    public var flipX: Bool
    /// Flipped up-down.
    public var flipY: Bool
    /// Quarter turns, 0 to 3.
    public var quarterTurns: Int
    /// Where the crop starts inside the sampled patch, `[z, y, x]` (zeros without a crop).
    public var cropOrigin: [Int]

    /// An augmentation.
    public init(flipX: Bool = false, flipY: Bool = false, quarterTurns: Int = 0, cropOrigin: [Int] = [0, 0, 0]) {
        self.flipX = flipX
        self.flipY = flipY
        self.quarterTurns = quarterTurns
        self.cropOrigin = cropOrigin
    }

    /// Whether it changes nothing.
    public var isIdentity: Bool { !movesPixels && cropOrigin.allSatisfy { $0 == 0 } }

    /// Whether pixels move within the (cropped) patch.
    var movesPixels: Bool { flipX || flipY || quarterTurns != 0 }

    /// The augmentation of a sample, drawn from `random`, for sampled patches of `sampled` and
    /// delivered patches of `shape` (both `[z, y, x]`).
    static func draw(_ options: AugmentationOptions, sampled: [Int], shape: [Int], random: inout SampleRandom) -> PatchAugmentation {
        var result = PatchAugmentation()
        if options.flips {
            result.flipX = Bool.random(using: &random)
            result.flipY = Bool.random(using: &random)
        }
        if options.rotations, shape[1] == shape[2] { result.quarterTurns = Int.random(in: 0..<4, using: &random) }
        if options.crop != nil { result.cropOrigin = (0..<3).map { Int.random(in: 0...(sampled[$0] - shape[$0]), using: &random) } }
        return result
    }

    /// The box read for `request`: its crop (the whole request without a crop).
    func cropped(_ request: PatchRequest, to shape: [Int]) -> PatchRequest {
        PatchRequest(source: request.source, t: request.t, origin: zip(request.origin, cropOrigin).map(+), shape: shape)
    }

    /// Applies it in place to `planes` consecutive planes of `size` × `size` (or `height` × `width`
    /// without rotation) elements of `elementSize` bytes at `base`.
    func apply(to base: UnsafeMutableRawPointer, planes: Int, height: Int, width: Int, elementSize: Int) {
        guard movesPixels else { return }
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
        guard movesPixels else { return a }
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
