public import Annotations

/// Compares two versions of one vector annotation set object by object.
///
/// Objects are paired in three steps:
/// 1. by annotation id: an id in both versions is one object (changed when anything about it
///    differs: shape, class, image, properties; the image is the object's own or, in a version of the
///    set with one image, that image); an id in one version only is added or removed;
/// 2. objects without an id that are identical in both versions are the same, unchanged object;
/// 3. the remaining objects without an id are paired by intersection over union >= 0.5, on the same
///    image. Shapes (polygons, rectangles, ellipses, boxes, masks) are rasterised with the
///    pixel-centre rule onto the image's canvas (its size from `mifa:images`, else the extent of the
///    shapes) and their IoU computed exactly on the run-length masks. Pairing is greedy, as COCO
///    evaluation matches: the candidate pairs are taken in order of decreasing IoU (ties: older
///    index, then newer index), each object at most once. Objects without area (points, lines,
///    counts, labels) pair only when identical.
///
/// Objects with ids are named by their id; objects without are named `#<index>`, their position in
/// the older version's feature list for removed objects and in the newer one's otherwise.
/// `matched_by_iou` counts every pair of objects without ids, identical ones (IoU 1) included.
public enum VectorSetComparison {
    /// The IoU from which two objects without ids are taken to be one object.
    public static let iouThreshold = 0.5

    /// The changes from `old` to `new` (either may be absent: a set added or removed), objects
    /// named by id or `#<index>`.
    /// - Throws: `AnnotationError` when a shape cannot be rasterised (non-finite or far-out coordinates).
    public static func compare(old: AnnotationDocument?, new: AnnotationDocument?) throws -> ObjectChanges {
        let pairing = try pair(old: old, new: new)
        let before = old?.annotations ?? []
        let after = new?.annotations ?? []
        func name(_ annotations: [Annotation], _ index: Int) -> String { annotations[index].id?.description ?? "#\(index)" }
        return ObjectChanges(
            added: pairing.added.map { name(after, $0) }, removed: pairing.removed.map { name(before, $0) },
            changed: pairing.changed.map { name(after, $0.new) }, matchedByIoU: pairing.matchedByIoU)
    }

    /// The objects of `old` and `new` paired as ``compare(old:new:)`` pairs them, by their
    /// positions in the two feature lists (what a viewer needs to draw an object's old and new shape).
    /// - Throws: `AnnotationError` when a shape cannot be rasterised (non-finite or far-out coordinates).
    public static func pair(old: AnnotationDocument?, new: AnnotationDocument?) throws -> VectorSetPairing {
        // Objects compared on their resolved image: one that a single-image version leaves
        // implicit is the same object as one naming that image.
        func resolved(_ document: AnnotationDocument?) -> [Annotation] {
            let image = imageResolver(document)
            return (document?.annotations ?? []).map { annotation in
                var annotation = annotation
                annotation.imageID = image(annotation)
                return annotation
            }
        }
        let before = resolved(old)
        let after = resolved(new)
        var removed: [Int] = []
        var added: [Int] = []
        var changed: [VectorSetPairing.Pair] = []

        // 1. By id.
        var newByID: [Identifier: Int] = [:]
        for (index, annotation) in after.enumerated() { if let id = annotation.id { newByID[id] = index } }
        var oldIDs = Set<Identifier>()
        for (index, annotation) in before.enumerated() {
            guard let id = annotation.id else { continue }
            oldIDs.insert(id)
            if let match = newByID[id] {
                if after[match] != annotation { changed.append(.init(old: index, new: match)) }
            } else {
                removed.append(index)
            }
        }
        for (index, annotation) in after.enumerated() {
            if let id = annotation.id, !oldIDs.contains(id) { added.append(index) }
        }

        // 2. Identical objects without ids.
        var freeNew: [Annotation: [Int]] = [:]
        for (index, annotation) in after.enumerated() where annotation.id == nil { freeNew[annotation, default: []].append(index) }
        var unpairedOld: [Int] = []
        var paired = 0
        for (index, annotation) in before.enumerated() where annotation.id == nil {
            if var indices = freeNew[annotation], !indices.isEmpty {
                indices.removeFirst()
                freeNew[annotation] = indices
                paired += 1
            } else {
                unpairedOld.append(index)
            }
        }
        let unpairedNew = freeNew.values.flatMap { $0 }.sorted()

        // 3. The rest by IoU.
        let pairs = try iouPairs(old: before, unpairedOld, oldDocument: old, new: after, unpairedNew, newDocument: new)
        paired += pairs.count
        let pairedOld = Set(pairs.map(\.old))
        let pairedNew = Set(pairs.map(\.new))
        for pair in pairs where before[pair.old] != after[pair.new] { changed.append(.init(old: pair.old, new: pair.new)) }
        for index in unpairedOld where !pairedOld.contains(index) { removed.append(index) }
        for index in unpairedNew where !pairedNew.contains(index) { added.append(index) }
        return VectorSetPairing(added: added.sorted(), removed: removed.sorted(), changed: changed.sorted { $0.new < $1.new }, matchedByIoU: paired)
    }

    /// Greedy pairs of areal objects on the same image with IoU >= ``iouThreshold``.
    static func iouPairs(
        old: [Annotation], _ oldIndices: [Int], oldDocument: AnnotationDocument?, new: [Annotation], _ newIndices: [Int], newDocument: AnnotationDocument?
    ) throws -> [(old: Int, new: Int)] {
        guard !oldIndices.isEmpty, !newIndices.isEmpty else { return [] }
        let oldImage = imageResolver(oldDocument)
        let newImage = imageResolver(newDocument)
        struct Shape { let index: Int; let image: Identifier?; let box: BoundingBox; let value: AnnotationValue }
        func shapes(_ annotations: [Annotation], _ indices: [Int], image: (Annotation) -> Identifier?) -> [Shape] {
            indices.compactMap { index in
                let annotation = annotations[index]
                guard annotation.value.isAreal, let box = annotation.value.boundingBox else { return nil }
                return Shape(index: index, image: image(annotation), box: box, value: annotation.value)
            }
        }
        let before = shapes(old, oldIndices, image: oldImage)
        let after = shapes(new, newIndices, image: newImage)
        // One canvas per image: its declared size, else the extent of every shape on it.
        var canvas: [Identifier?: (height: Int, width: Int)] = [:]
        var declared: [Identifier: (height: Int, width: Int)?] = [:]
        for image in (newDocument?.images ?? []) + (oldDocument?.images ?? []) where declared[image.id] == nil {
            declared[image.id] = .some(image.size)
        }
        for shape in before + after {
            if let image = shape.image, let size = declared[image] ?? nil {
                canvas[shape.image] = size
                continue
            }
            let current = canvas[shape.image] ?? (1, 1)
            canvas[shape.image] = (
                max(current.height, Int((shape.box.y + shape.box.height).rounded(.up))), max(current.width, Int((shape.box.x + shape.box.width).rounded(.up)))
            )
        }
        var masks: [Int: RLE] = [:]
        func mask(_ shape: Shape, key: Int) throws -> RLE? {
            if let cached = masks[key] { return cached }
            guard let size = canvas[shape.image] else { return nil }
            let rle = try shape.value.rle(height: max(size.height, 1), width: max(size.width, 1), drawing: MaskDrawing(rule: .pixelCenter, fillBoxes: true))
            masks[key] = rle
            return rle
        }
        // Only pairs whose boxes overlap can reach the threshold: a grid per image finds them
        // without testing every pair; the pairs are visited in the same order as a full double loop.
        var afterOnImage: [Identifier?: [Int]] = [:]
        for (position, shape) in after.enumerated() { afterOnImage[shape.image, default: []].append(position) }
        let grids = afterOnImage.mapValues { positions in ShapeGrid(positions.map { after[$0].box }) }
        var candidates: [(iou: Double, old: Int, new: Int)] = []
        for a in before {
            guard let positions = afterOnImage[a.image], let grid = grids[a.image] else { continue }
            for found in grid.candidates(for: a.box) {
                let b = after[positions[found]]
                guard overlaps(a.box, b.box) else { continue }
                guard let maskA = try mask(a, key: -1 - a.index), let maskB = try mask(b, key: b.index) else { continue }
                guard mayReachThreshold(maskA, maskB) else { continue }
                let iou = try RLE.iou([maskA], [maskB])[0][0]
                if iou >= iouThreshold { candidates.append((iou, a.index, b.index)) }
            }
        }
        candidates.sort { ($0.iou, -$0.old, -$0.new) > ($1.iou, -$1.old, -$1.new) }
        var usedOld = Set<Int>(), usedNew = Set<Int>()
        var result: [(old: Int, new: Int)] = []
        for candidate in candidates where !usedOld.contains(candidate.old) && !usedNew.contains(candidate.new) {
            usedOld.insert(candidate.old)
            usedNew.insert(candidate.new)
            result.append((candidate.old, candidate.new))
        }
        return result
    }

    /// The image of an annotation: its own, or the document's only image.
    public static func imageResolver(_ document: AnnotationDocument?) -> (Annotation) -> Identifier? {
        let only = document?.images.count == 1 ? document?.images.first?.id : nil
        return { $0.imageID ?? only }
    }

    /// Whether two masks of one canvas can have an IoU of at least ``iouThreshold`` (0.5), from their
    /// areas and pixel boxes alone: the intersection is at most the smaller area and the overlap of
    /// the boxes, and IoU = I / (|A| + |B| − I) >= 1/2 exactly when 3 I >= |A| + |B|. A `false` is
    /// certain (the exact IoU, as ``RLE/iou(_:_:crowd:)`` computes it, is below 0.5); a `true` is
    /// settled by computing the IoU.
    static func mayReachThreshold(_ a: RLE, _ b: RLE) -> Bool {
        guard a.height == b.height, a.width == b.width else { return true }
        let boxA = a.boundingBox, boxB = b.boundingBox
        let overlapWidth = max(0, min(boxA.x + boxA.width, boxB.x + boxB.width) - max(boxA.x, boxB.x))
        let overlapHeight = max(0, min(boxA.y + boxA.height, boxB.y + boxB.height) - max(boxA.y, boxB.y))
        let boxOverlap = overlapWidth * overlapHeight
        guard boxOverlap.isFinite else { return true }
        let most = min(a.area, b.area, Int(boxOverlap))
        return 3 * most >= a.area + b.area
    }

    static func overlaps(_ a: BoundingBox, _ b: BoundingBox) -> Bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }
}

/// Two versions of a vector set's objects paired (``VectorSetComparison/pair(old:new:)``): the
/// positions of the added, removed and changed objects in the older and newer feature lists.
public struct VectorSetPairing: Sendable, Hashable {
    /// One object in both versions: its position in the older list and in the newer one.
    public struct Pair: Sendable, Hashable {
        /// The position in the older version's feature list.
        public var old: Int
        /// The position in the newer version's feature list.
        public var new: Int
    }

    /// Positions in the newer list of objects only it has, ascending.
    public var added: [Int]
    /// Positions in the older list of objects only it has, ascending.
    public var removed: [Int]
    /// Objects in both that differ, by ascending position in the newer list.
    public var changed: [Pair]
    /// How many objects were paired by IoU because they had no ids (identical ones included).
    public var matchedByIoU: Int

    /// Whether no object was added, removed or changed.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}

/// One vector set in two versions (``AnnotationChanges/vectorSets(_:_:)``): each version's
/// document, `nil` where that version has no such set, and their objects paired.
public struct VectorSetChange: Sendable {
    /// The set in the older version.
    public let old: AnnotationDocument?
    /// The set in the newer version.
    public let new: AnnotationDocument?
    /// The objects of the two paired.
    public let pairing: VectorSetPairing
}
