extension RowSpans {
    /// The union of two masks of the same size.
    public func union(_ other: RowSpans) -> RowSpans {
        var result = RowSpans(height: height, width: width)
        var i = 0, j = 0
        while i < count || j < other.count {
            let takeSelf: Bool
            if i >= count {
                takeSelf = false
            } else if j >= other.count {
                takeSelf = true
            } else {
                takeSelf = (rows[i], x0[i]) <= (other.rows[j], other.x0[j])
            }
            if takeSelf {
                result.append(row: rows[i], x0[i], x1[i])
                i += 1
            } else {
                result.append(row: other.rows[j], other.x0[j], other.x1[j])
                j += 1
            }
        }
        return result
    }

    /// The union of many masks of one size.
    public static func union(_ masks: [RowSpans], height: Int, width: Int) -> RowSpans {
        masks.reduce(RowSpans(height: height, width: width)) { $0.union($1) }
    }

    /// A filled disk of radius `radius` pixels around `center` (pixels whose centre lies within
    /// the radius), clipped to the image: the weak mask of a point annotation.
    public static func disk(center: Vertex, radius: Double, height: Int, width: Int) -> RowSpans {
        var result = RowSpans(height: height, width: width)
        guard center.isFinite, radius.isFinite, radius > 0 else { return result }
        let top = max(0, Int(clamping: (center.y - radius - 0.5).rounded(.up), limit: height))
        let bottom = min(height, Int(clamping: (center.y + radius - 0.5).rounded(.down) + 1, limit: height))
        guard top < bottom else { return result }
        for row in top..<bottom {
            let dy = Double(row) + 0.5 - center.y
            let half = (radius * radius - dy * dy).squareRoot()
            guard half.isFinite else { continue }
            let start = max(0, Int(clamping: (center.x - half - 0.5).rounded(.up), limit: width))
            let end = min(width, Int(clamping: (center.x + half - 0.5).rounded(.down) + 1, limit: width))
            if start < end { result.append(row: Int32(row), Int32(start), Int32(end)) }
        }
        return result
    }

    /// The pixels whose centre lies inside a box, clipped to the image: the weak mask of a box.
    public static func box(_ box: BoundingBox, height: Int, width: Int) -> RowSpans {
        var result = RowSpans(height: height, width: width)
        guard box.isValid else { return result }
        let top = max(0, Int(clamping: (box.y - 0.5).rounded(.up), limit: height))
        let bottom = min(height, Int(clamping: (box.y + box.height - 0.5).rounded(.up), limit: height))
        let start = max(0, Int(clamping: (box.x - 0.5).rounded(.up), limit: width))
        let end = min(width, Int(clamping: (box.x + box.width - 0.5).rounded(.up), limit: width))
        guard top < bottom, start < end else { return result }
        for row in top..<bottom { result.append(row: Int32(row), Int32(start), Int32(end)) }
        return result
    }

    /// The label runs of this mask (label 1), for tracing.
    var runs: RowRuns {
        var rowStart = [Int](repeating: 0, count: height + 1)
        for row in rows { rowStart[Int(row) + 1] += 1 }
        for y in 0..<height { rowStart[y + 1] += rowStart[y] }
        return RowRuns(height: height, width: width, rowStart: rowStart, x0: x0, x1: x1, label: [Int64](repeating: 1, count: count))
    }
}

extension PixelEdgeTracer {
    /// The polygons of one binary mask (its 4-connected parts with holes).
    public static func trace(_ spans: RowSpans) -> MultiPolygon {
        trace(runs: spans.runs).first?.shape ?? MultiPolygon([])
    }

    /// The polygons of one COCO mask.
    public static func trace(_ rle: RLE) -> MultiPolygon {
        trace(rle.spans)
    }
}
