public import MIFACore

/// Compares two versions of a label image (raster annotations, `images/<id>/labels/<set>/`) object
/// by object, an object being the pixels of one label value (0 is background).
///
/// A value found in one version only is added or removed; a value in both is changed when its pixel
/// set differs, which is decided exactly by comparing the two arrays pixel by pixel: any pixel whose
/// value differs changes both the old and the new value. Arrays of different shapes change every
/// value they share. Objects are named `<image_id>:<value>`.
public enum LabelSetComparison {
    /// The changes from `old` to `new` full-resolution label arrays of image `imageID` (either may
    /// be absent: a label image added or removed).
    /// - Throws: ``PackageError`` `.invalidInput` when an array does not hold integers.
    public static func compare(old: AnyNDArray?, new: AnyNDArray?, imageID: String) throws -> ObjectChanges {
        let before = try old.map(values) ?? []
        let after = try new.map(values) ?? []
        var oldValues = Set<Int64>(), newValues = Set<Int64>(), touched = Set<Int64>()
        for value in before where value != 0 { oldValues.insert(value) }
        for value in after where value != 0 { newValues.insert(value) }
        if old != nil, new != nil, old!.shape == new!.shape {
            for index in before.indices where before[index] != after[index] {
                touched.insert(before[index])
                touched.insert(after[index])
            }
        } else {
            touched = oldValues.union(newValues)
        }
        func names(_ values: Set<Int64>) -> [String] { values.filter { $0 != 0 }.sorted().map { "\(imageID):\($0)" } }
        return ObjectChanges(
            added: names(newValues.subtracting(oldValues)), removed: names(oldValues.subtracting(newValues)),
            changed: names(touched.intersection(oldValues).intersection(newValues)))
    }

    /// The array's values, row-major, widened to 64 bits.
    static func values(_ array: AnyNDArray) throws -> ContiguousArray<Int64> {
        func widen<T: NDArrayElement & BinaryInteger>(_ typed: NDArray<T>) -> ContiguousArray<Int64> {
            ContiguousArray(typed.reordered(.rowMajor).elements.lazy.map { Int64(truncatingIfNeeded: $0) })
        }
        switch array {
        case .int8(let a): return widen(a)
        case .int16(let a): return widen(a)
        case .int32(let a): return widen(a)
        case .int64(let a): return widen(a)
        case .uint8(let a): return widen(a)
        case .uint16(let a): return widen(a)
        case .uint32(let a): return widen(a)
        case .uint64(let a): return widen(a)
        case .bool, .float16, .float32, .float64:
            throw PackageError(.invalidInput, "a label image holds \(array.dataType.rawValue) pixels; label images hold integers (uint8...int64)")
        }
    }
}
