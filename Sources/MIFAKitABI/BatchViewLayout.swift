import MIFACore

/// The C layout of `mifa_batch_view` (include/mifakit.h), which `mifa_loader_next` fills so that a
/// caller learns everything it needs about a batch in the call that delivers it: two `mifa_tensor`
/// (a data pointer, `MIFA_MAX_DIMS` 64-bit extents, a 32-bit axis count, a 32-bit element type),
/// the images' then the masks', then the 64-bit epoch and batch number. Offsets are spelled here
/// once (Swift does not import the header); Tests/Python/test_abi.py checks them against a C
/// compiler's.
enum BatchViewLayout {
    /// `MIFA_MAX_DIMS`: room for [B, C, Z, Y, X] and more.
    static let maxDims = 8
    /// The size of one `mifa_tensor`.
    static let tensorSize = 8 + 8 * maxDims + 4 + 4
    /// Where the images' tensor starts.
    static let imageOffset = 0
    /// Where the masks' tensor starts.
    static let maskOffset = tensorSize
    /// Where the epoch is.
    static let epochOffset = 2 * tensorSize
    /// Where the batch's number in the epoch is.
    static let indexOffset = epochOffset + 8
    /// The size of the whole `mifa_batch_view`.
    static let size = indexOffset + 8

    /// Sets every field to zero: no tensors (NULL data, no axes, type 0), epoch and number 0.
    static func clear(_ view: UnsafeMutableRawPointer) {
        view.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    }

    /// Writes one `mifa_tensor` at `tensor`. The loader's tensors have at most five axes.
    static func write(address: UnsafeRawPointer?, shape: [Int], type: DataType, to tensor: UnsafeMutableRawPointer) {
        precondition(shape.count <= maxDims, "a batch tensor has at most \(maxDims) axes")
        tensor.storeBytes(of: address, toByteOffset: 0, as: UnsafeRawPointer?.self)
        for (axis, extent) in shape.enumerated() {
            tensor.storeBytes(of: Int64(extent), toByteOffset: 8 + 8 * axis, as: Int64.self)
        }
        tensor.storeBytes(of: Int32(shape.count), toByteOffset: 8 + 8 * maxDims, as: Int32.self)
        tensor.storeBytes(of: ABIDataType.codes[type] ?? 0, toByteOffset: 8 + 8 * maxDims + 4, as: Int32.self)
    }
}
