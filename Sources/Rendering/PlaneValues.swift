import MIFACore

/// Reading the values of an array read from an image as `Double`s, whatever its element type.
enum PlaneValues {
    /// Calls `body` with the array's elements (row-major) converted to `Double`, in order.
    static func forEach(_ array: AnyNDArray, _ body: (Int, Double) -> Void) {
        func each<E: NDArrayElement>(_ a: NDArray<E>, _ convert: (E) -> Double) {
            let elements = a.order == .rowMajor ? a.elements : a.reordered(.rowMajor).elements
            elements.withUnsafeBufferPointer { buffer in
                for i in 0..<buffer.count { body(i, convert(buffer[i])) }
            }
        }
        switch array {
        case .bool(let a): each(a) { $0 ? 1 : 0 }
        case .int8(let a): each(a) { Double($0) }
        case .int16(let a): each(a) { Double($0) }
        case .int32(let a): each(a) { Double($0) }
        case .int64(let a): each(a) { Double($0) }
        case .uint8(let a): each(a) { Double($0) }
        case .uint16(let a): each(a) { Double($0) }
        case .uint32(let a): each(a) { Double($0) }
        case .uint64(let a): each(a) { Double($0) }
        case .float16(let a): each(a) { Double($0) }
        case .float32(let a): each(a) { Double($0) }
        case .float64(let a): each(a) { $0 }
        }
    }

    /// The array's elements (row-major) converted to `Double` (as ``forEach(_:_:)`` gives them).
    static func doubles(_ array: AnyNDArray) -> [Double] {
        let count = array.shape.reduce(1, *)
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            forEach(array) { i, value in buffer[i] = value }
            initialized = count
        }
    }

    /// Calls `body` with the array's elements (row-major) as label values; non-integer types give
    /// their values truncated (labels are integers; the label layer checks that first).
    static func forEachLabel(_ array: AnyNDArray, _ body: (Int, Int64) -> Void) {
        func each<E: NDArrayElement>(_ a: NDArray<E>, _ convert: (E) -> Int64) {
            let elements = a.order == .rowMajor ? a.elements : a.reordered(.rowMajor).elements
            elements.withUnsafeBufferPointer { buffer in
                for i in 0..<buffer.count { body(i, convert(buffer[i])) }
            }
        }
        switch array {
        case .bool(let a): each(a) { $0 ? 1 : 0 }
        case .int8(let a): each(a) { Int64($0) }
        case .int16(let a): each(a) { Int64($0) }
        case .int32(let a): each(a) { Int64($0) }
        case .int64(let a): each(a) { $0 }
        case .uint8(let a): each(a) { Int64($0) }
        case .uint16(let a): each(a) { Int64($0) }
        case .uint32(let a): each(a) { Int64($0) }
        case .uint64(let a): each(a) { Int64(truncatingIfNeeded: $0) }
        case .float16(let a): each(a) { $0.isFinite ? Int64($0) : 0 }
        case .float32(let a): each(a) { $0.isFinite && abs($0) < 9e18 ? Int64($0) : 0 }
        case .float64(let a): each(a) { $0.isFinite && abs($0) < 9e18 ? Int64($0) : 0 }
        }
    }

    /// The natural display range of an element type: the whole range of 8-bit types and bool;
    /// `nil` for wider types, whose values rarely fill their range.
    static func typeRange(_ dataType: DataType) -> (Double, Double)? {
        switch dataType {
        case .bool: (0, 1)
        case .uint8: (0, 255)
        case .int8: (-128, 127)
        default: nil
        }
    }
}
