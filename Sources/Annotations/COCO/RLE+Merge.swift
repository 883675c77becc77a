extension RLE {
    /// The union (or, with `intersect`, the intersection) of masks of one size, exactly as
    /// pycocotools' `rleMerge` computes it (including its zero-length runs).
    ///
    /// - Parameters:
    ///   - masks: the masks; none gives an empty 0×0 mask, one gives itself.
    ///   - intersect: `true` for the intersection, `false` (COCO's use) for the union.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when the masks differ in size (pycocotools
    ///   returns an empty 0×0 mask then).
    public static func merge(_ masks: [RLE], intersect: Bool = false) throws -> RLE {
        guard let first = masks.first else { return RLE(unchecked: 0, width: 0, counts: []) }
        if masks.count == 1 { return first }
        var cnts = first.counts.isEmpty ? [0] : first.counts
        for (position, other) in masks.enumerated().dropFirst() {
            guard other.height == first.height, other.width == first.width else {
                throw AnnotationError(.invalidArgument, "mask \(position) is \(other.height)×\(other.width) but mask 0 is \(first.height)×\(first.width); only masks of one size can be merged")
            }
            let b = other.counts.isEmpty ? [0] : other.counts
            cnts = mergePair(cnts, b, intersect: intersect)
        }
        return RLE(unchecked: first.height, width: first.width, counts: cnts)
    }

    /// One step of `rleMerge`: the union or intersection of two run lists of the same total.
    static func mergePair(_ first: [UInt32], _ second: [UInt32], intersect: Bool) -> [UInt32] {
        first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                [UInt32](unsafeUninitializedCapacity: a.count + b.count + 1) { out, written in
                    var m = 0
                    var cc: UInt32 = 0
                    walk(a, b) { c, before, after, last in
                        cc &+= c
                        let (vp, v) = intersect ? (before.0 && before.1, after.0 && after.1) : (before.0 || before.1, after.0 || after.1)
                        if v != vp || last {
                            out[m] = cc
                            m += 1
                            cc = 0
                        }
                    }
                    written = m
                }
            }
        }
    }

    /// Intersection over union of every detection with every ground-truth mask, exactly as
    /// pycocotools' `iou` (`rleIou`) computes it: boxes are compared first and masks only where
    /// the boxes overlap; against a crowd region the union is the detection's area.
    ///
    /// - Parameters:
    ///   - detections: `m` masks.
    ///   - groundTruth: `n` masks.
    ///   - crowd: one flag per ground-truth mask (COCO `iscrowd`); empty means none is a crowd.
    /// - Returns: `m` rows of `n` values (`result[d][g]`); `-1` where the sizes differ, as pycocotools.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when `crowd` is neither empty nor `n` long.
    public static func iou(_ detections: [RLE], _ groundTruth: [RLE], crowd: [Bool] = []) throws -> [[Double]] {
        guard crowd.isEmpty || crowd.count == groundTruth.count else {
            throw AnnotationError(.invalidArgument, "\(crowd.count) crowd flags for \(groundTruth.count) ground-truth masks; give one per mask")
        }
        var result = BoundingBox.iou(detections.map(\.boundingBox), groundTruth.map(\.boundingBox), crowd: crowd)
        for g in groundTruth.indices {
            let isCrowd = !crowd.isEmpty && crowd[g]
            for d in detections.indices where result[d][g] > 0 {
                let dt = detections[d], gt = groundTruth[g]
                if dt.height != gt.height || dt.width != gt.width {
                    result[d][g] = -1
                    continue
                }
                let a = dt.counts.isEmpty ? [0] : dt.counts
                let b = gt.counts.isEmpty ? [0] : gt.counts
                var intersection: UInt32 = 0, union: UInt32 = 0
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        walk(a, b) { c, inside, _, _ in
                            if inside.0 || inside.1 { union &+= c }
                            if inside.0 && inside.1 { intersection &+= c }
                        }
                    }
                }
                if intersection == 0 {
                    union = 1
                } else if isCrowd {
                    union = UInt32(truncatingIfNeeded: dt.area)
                }
                result[d][g] = Double(intersection) / Double(union)
            }
        }
        return result
    }

    /// The loop of pycocotools' `rleMerge` and `rleIou` over two run lists of the same total: `body`
    /// gets each stretch in which neither mask changes: its length, whether it lies inside each
    /// mask, the same for the stretch after it, and whether it is the last.
    @inline(__always)
    private static func walk(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>,
                             _ body: (UInt32, (Bool, Bool), (Bool, Bool), Bool) -> Void) {
        var ca = a[0], cb = b[0]
        var va = false, vb = false
        var ia = 1, ib = 1
        var ct: UInt32 = 1
        while ct > 0 {
            let c = Swift.min(ca, cb), before = (va, vb)
            ca &-= c
            if ca == 0 && ia < a.count {
                ca = a[ia]
                ia += 1
                va.toggle()
            }
            cb &-= c
            if cb == 0 && ib < b.count {
                cb = b[ib]
                ib += 1
                vb.toggle()
            }
            ct = ca &+ cb
            body(c, before, (va, vb), ct == 0)
        }
    }
}
