public import MIFACore

/// Reads and writes NumPy `.npy` files.
///
/// Reads format versions 1.0, 2.0 and 3.0, little- and big-endian, C and Fortran order, with
/// `bool`, signed and unsigned 8–64-bit integers, `float32` and `float64`; arrays keep the file's
/// memory order and are returned in native byte order. Writes version 1.0 (2.0 when the header
/// needs it). See https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html.
public enum NPYFile {
    /// Reads the array in the `.npy` file at `path`, straight into the array's storage.
    /// - Throws: ``RasterIOError``: `.io`, `.wrongFormat`, `.truncated` (fewer data bytes than the
    ///   shape needs), `.corrupt` (a bad header), `.unsupported` (other element types), `.tooLarge`
    ///   (over ``ReadLimits/maxBytes``).
    public static func read(path: String, limits: ReadLimits = .default) throws -> AnyNDArray {
        let file = try POSIXFile(path: path)
        let header = try readHeader(file)
        try check(header, limits: limits, name: path)
        return try file.readArray(dataType: header.dataType, shape: header.shape, order: header.fortranOrder ? .columnMajor : .rowMajor,
                                  endianness: header.endianness, at: header.dataOffset)
    }

    /// The header of the `.npy` file at `path`, without reading the data.
    /// - Throws: ``RasterIOError`` as ``read(path:limits:)``.
    public static func readHeader(path: String) throws -> NPYHeader {
        try readHeader(POSIXFile(path: path))
    }

    private static func readHeader(_ file: POSIXFile) throws -> NPYHeader {
        var wanted = 128
        while true {
            let prefix = try file.read(at: 0, count: Swift.min(wanted, file.size))
            do {
                return try NPYHeader.parse(prefix, fileSize: file.size, name: file.path)
            } catch let more as NPYHeader.NeedMore {
                guard more.count > prefix.count else { throw RasterIOError(.corrupt, "cannot parse the header", file: file.path) }
                wanted = more.count
            }
        }
    }

    /// Decodes a `.npy` held in memory; `name` is used in error messages.
    /// - Throws: ``RasterIOError`` as ``read(path:limits:)``.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>", limits: ReadLimits = .default) throws -> AnyNDArray {
        let header: NPYHeader
        do {
            header = try NPYHeader.parse(bytes, fileSize: bytes.count, name: name)
        } catch is NPYHeader.NeedMore {
            throw RasterIOError(.truncated, "the file ends inside the .npy header", file: name, offset: bytes.count)
        }
        let needed = try check(header, limits: limits, name: name)
        guard bytes.count - header.dataOffset >= needed else {
            throw RasterIOError(.truncated, "the data of shape \(header.shape) needs \(needed) bytes from byte \(header.dataOffset) but the file ends at byte \(bytes.count); it is cut short", file: name, offset: bytes.count, shape: header.shape)
        }
        return try AnyNDArray.decoding(bytes[header.dataOffset..<(header.dataOffset + needed)], dataType: header.dataType, shape: header.shape,
                                       order: header.fortranOrder ? .columnMajor : .rowMajor, endianness: header.endianness)
    }

    /// Checks the data size against the limits and returns it.
    @discardableResult
    private static func check(_ header: NPYHeader, limits: ReadLimits, name: String) throws -> Int {
        let count: Int
        do { count = try NDArray<UInt8>.elementCount(of: header.shape) } catch {
            throw RasterIOError(.corrupt, "shape \(header.shape) has more elements than can be addressed", file: name, key: "shape", shape: header.shape)
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: header.dataType.byteSize)
        guard !overflow, bytes <= limits.maxBytes else {
            throw RasterIOError(.tooLarge, "an array of shape \(header.shape) \(header.dataType.rawValue) is larger than the limit of \(limits.maxBytes) bytes; raise ReadLimits.maxBytes to read it", file: name, key: "shape", shape: header.shape)
        }
        return bytes
    }

    /// The bytes of a `.npy` file holding `array` in its own memory order (`fortran_order` for
    /// column-major arrays) and the given byte order.
    public static func encode(_ array: AnyNDArray, endianness: Endianness = .little) -> [UInt8] {
        NPYHeader.encode(dataType: array.dataType, endianness: endianness, fortranOrder: array.order == .columnMajor && array.shape.count > 1, shape: array.shape)
            + array.bytes(endianness: endianness)
    }

    /// Writes `array` as a `.npy` file, atomically.
    /// - Throws: ``RasterIOError`` `.io` when the file cannot be written.
    public static func write(_ array: AnyNDArray, to path: String, endianness: Endianness = .little) throws {
        try TIFFFile.writeAtomically(encode(array, endianness: endianness), to: path)
    }
}
