import MIFACore

extension LabelImage {
    /// Sets the pixels of `spans` to `label`.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when `label` does not fit the image's type or
    ///   the spans are for another size.
    public mutating func fill(_ spans: RowSpans, label: Int64) throws {
        guard spans.height == height, spans.width == width else {
            throw AnnotationError(.invalidArgument, "a \(spans.width)×\(spans.height) mask cannot be drawn into a \(width)×\(height) label image")
        }
        guard label >= LabelImage.minimumLabel(of: dataType), label <= LabelImage.maximumLabel(of: dataType) else {
            throw AnnotationError(.invalidArgument, "label \(label) does not fit a \(dataType.rawValue) label image; write a wider type")
        }
        let w = width
        func paint<E: NDArrayElement>(_ array: inout NDArray<E>, _ value: E) {
            let rowMajor = array.order == .rowMajor
            let h = height
            array.elements.withUnsafeMutableBufferPointer { buffer in
                spans.forEach { row, x0, x1 in
                    if rowMajor {
                        for x in x0..<x1 { buffer[row * w + x] = value }
                    } else {
                        for x in x0..<x1 { buffer[x * h + row] = value }
                    }
                }
            }
        }
        // Take the payload out so it is uniquely referenced and painted in place.
        let placeholder = AnyNDArray.bool(NDArray(shape: [0, 0]))
        switch array {
        case .bool(var a): array = placeholder; paint(&a, label != 0); array = .bool(a)
        case .int8(var a): array = placeholder; paint(&a, Int8(label)); array = .int8(a)
        case .int16(var a): array = placeholder; paint(&a, Int16(label)); array = .int16(a)
        case .int32(var a): array = placeholder; paint(&a, Int32(label)); array = .int32(a)
        case .int64(var a): array = placeholder; paint(&a, label); array = .int64(a)
        case .uint8(var a): array = placeholder; paint(&a, UInt8(label)); array = .uint8(a)
        case .uint16(var a): array = placeholder; paint(&a, UInt16(label)); array = .uint16(a)
        case .uint32(var a): array = placeholder; paint(&a, UInt32(label)); array = .uint32(a)
        case .uint64(var a): array = placeholder; paint(&a, UInt64(label)); array = .uint64(a)
        case .float16, .float32, .float64: break
        }
    }
}
