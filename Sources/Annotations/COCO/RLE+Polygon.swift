extension RLE {
    /// The most boundary points (five per pixel of the polygon's outline) one polygon may make
    /// ``init(polygon:height:width:)`` walk, whatever its image; a polygon reaching further out of
    /// its image is refused (see ``polygonWorkLimit(vertices:height:width:)``).
    public static let maximumPolygonWork = 1 << 28

    /// The most boundary points a polygon of `vertices` vertices on a `width`×`height` image may
    /// make the walk visit: 4 × (width + height) pixels of outline per edge (an edge of a polygon
    /// of this image, with its vertices up to about an image size beyond the border, is shorter),
    /// at least 2²⁰ points, at most ``maximumPolygonWork``. A vertex millions of pixels away from a
    /// small image made a walk of seconds (minutes under a sanitizer) for a mask that is empty.
    public static func polygonWorkLimit(vertices: Int, height: Int, width: Int) -> Int {
        let extent = Swift.min(Swift.max(width, 0), maximumPolygonWork) + Swift.min(Swift.max(height, 0), maximumPolygonWork)
        let perEdge = 20 * extent
        guard vertices <= maximumPolygonWork / Swift.max(perEdge, 1) else { return maximumPolygonWork }
        return Swift.min(maximumPolygonWork, Swift.max(1 << 20, vertices * perEdge))
    }

    /// Rasterises one COCO polygon exactly as pycocotools' `rleFrPoly` does.
    ///
    /// This is not a pixel-centre test: the vertices are scaled by 5 and truncated
    /// (`Int(5 * x + 0.5)`), every edge is walked along its major axis on that grid, and each column
    /// toggles where the walked outline crosses it. The port follows the C code step by step (with
    /// its 32-bit integer arithmetic), streaming the walked points instead of storing them.
    /// Coordinates outside the image are clipped as pycocotools clips them.
    ///
    /// - Parameters:
    ///   - polygon: `[x0, y0, x1, y1, ...]` in pixels, corner-based; an odd trailing value is ignored,
    ///     as pycocotools ignores it.
    ///   - height: mask rows.
    ///   - width: mask columns.
    /// - Throws: ``AnnotationError`` `.invalidGeometry` for a NaN or infinite coordinate, a
    ///   coordinate beyond ±2×10⁸, or a polygon whose outline is longer than
    ///   ``polygonWorkLimit(vertices:height:width:)`` / 5 pixels; `.invalidRLE` for a size COCO
    ///   cannot hold.
    public init(polygon: [Double], height: Int, width: Int) throws {
        try RLE.checkSize(height: height, width: width)
        let k = polygon.count / 2
        if height == 0 || width == 0 || k == 0 {
            // pycocotools gives an unusable encoding for a zero-width image; an empty mask is the meaning.
            self.init(unchecked: height, width: width, counts: [UInt32(height * width)])
            return
        }
        let scale = 5.0
        var xs = [Int32](repeating: 0, count: k + 1)
        var ys = [Int32](repeating: 0, count: k + 1)
        for j in 0..<k {
            for axis in 0..<2 {
                let value = polygon[2 * j + axis]
                guard value.isFinite, abs(value) <= 2e8 else {
                    throw AnnotationError(.invalidGeometry, "vertex \(j) has \(axis == 0 ? "x" : "y") = \(value); polygon coordinates must be finite numbers within ±2e8 pixels")
                }
                let scaled = Int32(scale * value + 0.5)
                if axis == 0 { xs[j] = scaled } else { ys[j] = scaled }
            }
        }
        xs[k] = xs[0]
        ys[k] = ys[0]
        var work = 0
        for j in 0..<k {
            work += max(abs(Int(xs[j]) - Int(xs[j + 1])), abs(Int(ys[j]) - Int(ys[j + 1]))) + 1
        }
        guard work <= RLE.polygonWorkLimit(vertices: k, height: height, width: width) else {
            throw AnnotationError(.invalidGeometry, "the polygon's outline is \(work / 5) pixels long, far outside the \(width)×\(height) image; check its coordinates")
        }

        // Walk the outline; keep a point wherever the walked column changes (the C code's y-boundary).
        var walker = PolygonWalker(height: height, width: width)
        walker.starts.reserveCapacity(work / 5 * 2 + 8)
        for j in 0..<k {
            var xStart = xs[j], xEnd = xs[j + 1], yStart = ys[j], yEnd = ys[j + 1]
            let dx = abs(xEnd - xStart), dy = abs(yStart - yEnd)
            let flip = (dx >= dy && xStart > xEnd) || (dx < dy && yStart > yEnd)
            if flip {
                swap(&xStart, &xEnd)
                swap(&yStart, &yEnd)
            }
            if dx >= dy {
                // A zero-length edge divides 0 by 0 in C; its single point never starts a column change.
                let s = dx == 0 ? 0 : Double(yEnd - yStart) / Double(dx)
                for d in 0...dx {
                    let t = flip ? dx - d : d
                    walker.visit(t + xStart, Int32(Double(yStart) + s * Double(t) + 0.5))
                }
            } else {
                let s = Double(xEnd - xStart) / Double(dy)
                for d in 0...dy {
                    let t = flip ? dy - d : d
                    walker.visit(Int32(Double(xStart) + s * Double(t) + 0.5), t + yStart)
                }
            }
        }
        var starts = walker.starts
        starts.append(UInt32(truncatingIfNeeded: height * width))
        starts.sort()
        self.init(unchecked: height, width: width, counts: RLE.counts(fromSortedToggles: starts))
    }

    /// The state of walking a polygon's outline on pycocotools' ×5 grid: the previous point and the
    /// column toggles found so far.
    struct PolygonWalker {
        let h: Int32
        let height: Double
        let wMinus1: Double
        var previousU: Int32 = 0
        var previousV: Int32 = 0
        var first = true
        var starts: [UInt32] = []

        init(height: Int, width: Int) {
            h = Int32(truncatingIfNeeded: height)
            self.height = Double(height)
            wMinus1 = Double(width - 1)
        }

        /// One walked point; where the column changes, the C code's boundary point is kept.
        @inline(__always) mutating func visit(_ u: Int32, _ v: Int32) {
            defer {
                previousU = u
                previousV = v
                first = false
            }
            guard !first, u != previousU else { return }
            var xd = Double(u < previousU ? u : u - 1)
            xd = (xd + 0.5) / 5 - 0.5
            if xd.rounded(.down) != xd || xd < 0 || xd > wMinus1 { return }
            var yd = Double(v < previousV ? v : previousV)
            yd = (yd + 0.5) / 5 - 0.5
            if yd < 0 { yd = 0 } else if yd > height { yd = height }
            yd = yd.rounded(.up)
            starts.append(UInt32(bitPattern: Int32(xd) &* h &+ Int32(yd)))
        }
    }

    /// Turns sorted toggle positions (the last one the pixel count) into run lengths, merging
    /// toggles at the same position as the C code does.
    static func counts(fromSortedToggles sorted: [UInt32]) -> [UInt32] {
        var a = sorted
        var previous: UInt32 = 0
        for j in a.indices {
            let t = a[j]
            a[j] &-= previous
            previous = t
        }
        var b: [UInt32] = [a[0]]
        b.reserveCapacity(a.count)
        var j = 1
        while j < a.count {
            if a[j] > 0 {
                b.append(a[j])
                j += 1
            } else {
                j += 1
                if j < a.count {
                    b[b.count - 1] &+= a[j]
                    j += 1
                }
            }
        }
        return b
    }

    /// The mask of an axis-aligned box `[x, y, width, height]`, as pycocotools' `frBbox`: the
    /// polygon `(x, y), (x, y+h), (x+w, y+h), (x+w, y)` through ``init(polygon:height:width:)``.
    /// - Throws: ``AnnotationError`` as ``init(polygon:height:width:)``.
    public init(box: BoundingBox, height: Int, width: Int) throws {
        let (xs, xe) = (box.x, box.x + box.width)
        let (ys, ye) = (box.y, box.y + box.height)
        try self.init(polygon: [xs, ys, xs, ye, xe, ye, xe, ys], height: height, width: width)
    }
}
