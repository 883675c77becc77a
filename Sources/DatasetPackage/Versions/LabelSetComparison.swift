public import MIFACore
public import OMEZarr

/// Compares two versions of a label image (raster annotations, `images/<id>/labels/<set>/`) object
/// by object, an object being the pixels of one label value (0 is background).
///
/// A value found in one version only is added or removed; a value in both is changed when its pixel
/// set differs, which is decided exactly by comparing the two arrays pixel by pixel: any pixel whose
/// value differs changes both the old and the new value. Arrays of different shapes change every
/// value they share. Objects are named `<image_id>:<value>`.
///
/// Label images are compared region by region (`compare(old:new:imageID:)` over images, one
/// chunk of level 0 at a time), so memory is bounded by a chunk, not by the image: a
/// `Tally` gathers the values and the differing pixels of each region, and the result is the
/// same as comparing the whole arrays at once.
public enum LabelSetComparison {
    /// The changes from `old` to `new` full-resolution label arrays of image `imageID` (either may
    /// be absent: a label image added or removed).
    /// - Throws: ``PackageError`` `.invalidInput` when an array does not hold integers.
    public static func compare(old: AnyNDArray?, new: AnyNDArray?, imageID: String) throws -> ObjectChanges {
        var tally = Tally()
        if let old, let new, old.shape == new.shape {
            try tally.add(old: old, new: new)
        } else {
            if let old { try tally.add(old: old, new: nil) }
            if let new { try tally.add(old: nil, new: new) }
            tally.shapesDiffer = true
        }
        return tally.changes(imageID: imageID)
    }

    /// The changes from `old` to `new` label images of image `imageID` (either may be absent),
    /// compared on level 0 one chunk at a time (the chunk grid of `old`'s level 0, else `new`'s):
    /// the same result as `compare(old:new:imageID:)` over their whole level-0 arrays, reading a
    /// region of each at a time.
    /// - Throws: ``PackageError`` `.invalidInput` when a level does not hold integers; `OMEZarrError`
    ///   when a region cannot be read.
    public static func compare(old: OMEZarrImage?, new: OMEZarrImage?, imageID: String) throws -> ObjectChanges {
        var tally = Tally()
        let oldLevel = try old?.level(0), newLevel = try new?.level(0)
        if let old, let new, let oldLevel, let newLevel, oldLevel.shape == newLevel.shape {
            try forEachRegion(shape: oldLevel.shape, chunk: oldLevel.chunkShape) { region in
                try tally.add(old: old.read(level: 0, region: region, concurrency: 1), new: new.read(level: 0, region: region, concurrency: 1))
            }
        } else {
            for (image, level, isOld) in [(old, oldLevel, true), (new, newLevel, false)] {
                guard let image, let level else { continue }
                try forEachRegion(shape: level.shape, chunk: level.chunkShape) { region in
                    let pixels = try image.read(level: 0, region: region, concurrency: 1)
                    if isOld { try tally.add(old: pixels, new: nil) } else { try tally.add(old: nil, new: pixels) }
                }
            }
            tally.shapesDiffer = true
        }
        return tally.changes(imageID: imageID)
    }

    /// Calls `body` with each region of the grid of `chunk`-shaped cells that covers `shape`,
    /// row-major (the last axis fastest), one at a time (the grid is never held whole); none for
    /// an empty shape.
    /// - Throws: what `body` throws.
    static func forEachRegion(shape: [Int], chunk: [Int], _ body: (Region) throws -> Void) rethrows {
        guard !shape.contains(0) else { return }
        let step = zip(shape, chunk).map { max(1, min($0, $1)) }
        var origin = [Int](repeating: 0, count: shape.count)
        while true {
            try body(Region(origin.indices.map { origin[$0]..<min(origin[$0] + step[$0], shape[$0]) }))
            var axis = shape.count - 1
            while axis >= 0 {
                origin[axis] += step[axis]
                if origin[axis] < shape[axis] { break }
                origin[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// What the regions of two label images compared so far hold: the non-zero values of each
    /// version and the values of the pixels that differ.
    struct Tally: Sendable {
        /// The non-zero values of the older version.
        private(set) var oldValues = Set<Int64>()
        /// The non-zero values of the newer version.
        private(set) var newValues = Set<Int64>()
        /// The values (old and new) of the pixels whose value differs.
        private(set) var touched = Set<Int64>()
        /// Whether the two images differ in shape (or one is absent): every shared value changed.
        var shapesDiffer = false

        /// Nothing compared yet.
        init() {}

        /// Adds one region: `old` and `new` hold the same region of both versions (the same
        /// shape), or one of them is `nil` where that version has no label image or the shapes differ.
        /// - Throws: ``PackageError`` `.invalidInput` when an array does not hold integers.
        mutating func add(old: AnyNDArray?, new: AnyNDArray?) throws {
            let before = try old.map(LabelSetComparison.values) ?? []
            let after = try new.map(LabelSetComparison.values) ?? []
            Self.insertNonZero(before, into: &oldValues)
            Self.insertNonZero(after, into: &newValues)
            guard old != nil, new != nil, before.count == after.count else { return }
            for index in before.indices where before[index] != after[index] {
                touched.insert(before[index])
                touched.insert(after[index])
            }
        }

        /// Inserts the non-zero values of `values`, skipping runs of one value (label images are mostly runs).
        private static func insertNonZero(_ values: ContiguousArray<Int64>, into set: inout Set<Int64>) {
            var last: Int64 = 0
            for value in values where value != last {
                last = value
                if value != 0 { set.insert(value) }
            }
        }

        /// The changes the regions added so far imply, objects named `<imageID>:<value>`.
        func changes(imageID: String) -> ObjectChanges {
            let changedValues = shapesDiffer ? oldValues.union(newValues) : touched
            func names(_ values: Set<Int64>) -> [String] { values.filter { $0 != 0 }.sorted().map { "\(imageID):\($0)" } }
            return ObjectChanges(
                added: names(newValues.subtracting(oldValues)), removed: names(oldValues.subtracting(newValues)),
                changed: names(changedValues.intersection(oldValues).intersection(newValues)))
        }
    }

    /// The array's values, row-major, widened to 64 bits.
    /// - Throws: ``PackageError`` `.invalidInput` when the array does not hold integers.
    public static func values(_ array: AnyNDArray) throws -> ContiguousArray<Int64> {
        guard array.dataType.isInteger else {
            throw PackageError(.invalidInput, "a label image holds \(array.dataType.rawValue) pixels; label images hold integers (uint8...int64)")
        }
        return array.visit(Widen())
    }

    private struct Widen: NDArrayVisitor {
        func visit<E: NDArrayElement>(_ array: NDArray<E>) -> ContiguousArray<Int64> {
            ContiguousArray(array.reordered(.rowMajor).elements.lazy.map { $0.labelValue })
        }
    }
}
