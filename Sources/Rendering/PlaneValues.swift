import MIFACore

/// Reading the values of an array read from an image as `Double`s, whatever its element type.
enum PlaneValues {
    /// Calls `body` with the array's elements (row-major) converted to `Double`, in order.
    static func forEach(_ array: AnyNDArray, _ body: (Int, Double) -> Void) {
        withoutActuallyEscaping(body) { array.visit(EachDouble(body: $0)) }
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
        withoutActuallyEscaping(body) { array.visit(EachLabel(body: $0)) }
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

    private struct EachDouble: NDArrayVisitor {
        let body: (Int, Double) -> Void
        func visit<E: NDArrayElement>(_ array: NDArray<E>) {
            array.reordered(.rowMajor).elements.withUnsafeBufferPointer { for i in 0..<$0.count { body(i, $0[i].doubleValue) } }
        }
    }

    private struct EachLabel: NDArrayVisitor {
        let body: (Int, Int64) -> Void
        func visit<E: NDArrayElement>(_ array: NDArray<E>) {
            array.reordered(.rowMajor).elements.withUnsafeBufferPointer { for i in 0..<$0.count { body(i, $0[i].labelValue) } }
        }
    }
}
