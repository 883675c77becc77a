extension NDArray {
    /// An array whose elements are decoded from raw bytes in the given byte order.
    ///
    /// `bytes` holds the elements densely in `order`; multi-byte elements are swapped when
    /// `endianness` is not the machine's.
    /// - Throws: ``CoreError`` `.shapeMismatch` when the byte count is not what the shape needs.
    public init(shape: [Int], bytes: UnsafeRawBufferPointer, endianness: Endianness = .little, order: MemoryOrder = .rowMajor) throws {
        let count = try Self.elementCount(of: shape)
        let size = MemoryLayout<Element>.stride
        guard bytes.count == count * size else {
            throw CoreError(.shapeMismatch, "\(bytes.count) bytes given for shape \(shape) of \(Element.dataType.rawValue), which needs \(count * size)",
                            context: ErrorContext(shape: shape))
        }
        try self.init(unsafeUninitializedShape: shape, order: order) { buffer in
            let destination = UnsafeMutableRawBufferPointer(buffer)
            if count > 0 { destination.copyMemory(from: bytes) }
            if endianness != .native { ByteOrder.swapInPlace(destination, elementSize: size) }
        }
    }

    /// The elements as bytes in ``order`` and the given byte order.
    public func bytes(endianness: Endianness = .little) -> [UInt8] {
        var result = elements.withUnsafeBytes { [UInt8]($0) }
        if endianness != .native {
            result.withUnsafeMutableBytes { ByteOrder.swapInPlace($0, elementSize: MemoryLayout<Element>.stride) }
        }
        return result
    }

    /// Calls `body` with the elements' bytes in native byte order, without copying.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try elements.withUnsafeBytes(body)
    }

    /// Calls `body` with the elements' mutable bytes in native byte order, without copying.
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try elements.withUnsafeMutableBytes(body)
    }
}

/// Byte swapping of densely packed multi-byte values.
public enum ByteOrder {
    /// Reverses the bytes of every `elementSize`-byte value in `buffer` (sizes 1, 2, 4 and 8).
    public static func swapInPlace(_ buffer: UnsafeMutableRawBufferPointer, elementSize: Int) {
        let count = buffer.count / Swift.max(elementSize, 1)
        switch elementSize {
        case 2:
            for i in 0..<count {
                let v = buffer.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                buffer.storeBytes(of: v.byteSwapped, toByteOffset: i * 2, as: UInt16.self)
            }
        case 4:
            for i in 0..<count {
                let v = buffer.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                buffer.storeBytes(of: v.byteSwapped, toByteOffset: i * 4, as: UInt32.self)
            }
        case 8:
            for i in 0..<count {
                let v = buffer.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                buffer.storeBytes(of: v.byteSwapped, toByteOffset: i * 8, as: UInt64.self)
            }
        default:
            break
        }
    }
}
