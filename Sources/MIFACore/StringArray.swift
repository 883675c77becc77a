/// An N-dimensional array of strings in C order: what a Zarr `string` array (v3 `string`, v2 `|O`
/// with `vlen-utf8`) reads into.
///
/// Strings are not numbers or pixels, so this is a value type of its own rather than an element
/// type of ``NDArray``: pixel paths never meet it.
public struct StringArray: Sendable, Hashable {
    /// Extent per axis.
    public let shape: [Int]
    /// The strings, C order.
    public let elements: [String]

    /// An array from its shape and its strings in C order.
    /// - Throws: ``CoreError`` `.shapeMismatch` when the count differs from the shape's element count.
    public init(shape: [Int], elements: [String]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == elements.count else {
            throw CoreError(.shapeMismatch, "\(elements.count) strings do not fill an array of shape \(shape)")
        }
        self.shape = shape
        self.elements = elements
    }

    /// The width NumPy gives these strings as a fixed-width `<U` array: the longest string in
    /// Unicode code points, at least 1 (as `numpy.asarray(list_of_str)` chooses).
    public var numpyWidth: Int {
        elements.reduce(1) { Swift.max($0, $1.unicodeScalars.count) }
    }

    /// Writes the strings as NumPy's `<U{width}` elements: each string's code points as
    /// little-endian UTF-32, padded with zeros to `width`. `buffer` must hold
    /// `elements.count * width * 4` bytes.
    public func writeUTF32(width: Int, into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count == elements.count * width * 4, "the buffer does not fit the strings")
        _ = buffer.initializeMemory(as: UInt8.self, repeating: 0)
        for (i, text) in elements.enumerated() {
            var offset = i * width * 4
            for scalar in text.unicodeScalars {
                buffer.storeBytes(of: scalar.value.littleEndian, toByteOffset: offset, as: UInt32.self)
                offset += 4
            }
        }
    }
}
