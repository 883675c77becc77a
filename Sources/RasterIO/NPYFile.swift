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
        try limits.check(claimedShape: header.shape, dataType: header.dataType, file: name, key: "shape")
    }

    /// The bytes of a `.npy` file holding `array` in its own memory order (`fortran_order` for
    /// column-major arrays) and the given byte order.
    public static func encode(_ array: AnyNDArray, endianness: Endianness = .little) -> [UInt8] {
        NPYHeader.encode(dataType: array.dataType, endianness: endianness, fortranOrder: array.order == .columnMajor && array.shape.count > 1, shape: array.shape)
            + array.bytes(endianness: endianness)
    }

    /// Writes `array` as a `.npy` file, atomically.
    ///
    /// The header and then the array's storage go straight to a temporary next to `path` (in
    /// blocks of 4 MiB when bytes must be swapped), so writing holds no copy of the array; with
    /// `durable` the file is synced to disk before returning.
    /// - Throws: ``RasterIOError`` `.io` when the file cannot be written.
    public static func write(_ array: AnyNDArray, to path: String, endianness: Endianness = .little, durable: Bool = true) throws {
        let output = try RasterIOError.translatingIO(path) { try AtomicFileWriter(path: path) }
        let header = NPYHeader.encode(dataType: array.dataType, endianness: endianness, fortranOrder: array.order == .columnMajor && array.shape.count > 1, shape: array.shape)
        let size = array.dataType.byteSize
        try RasterIOError.translatingIO(output.temporaryPath) {
            try header.withUnsafeBytes { try output.append($0) }
            try array.withUnsafeBytes { raw in
                guard endianness != .native, size > 1 else { return try output.append(raw) }
                let block = (4 << 20) / size * size
                var scratch = [UInt8](repeating: 0, count: Swift.min(block, raw.count))
                var start = 0
                while start < raw.count {
                    let count = Swift.min(block, raw.count - start)
                    try scratch.withUnsafeMutableBytes { buffer in
                        let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                        part.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + count)]))
                        ByteOrder.swapInPlace(part, elementSize: size)
                        try output.append(UnsafeRawBufferPointer(part))
                    }
                    start += count
                }
            }
        }
        try RasterIOError.translatingIO(path) { try output.commit(durable: durable) }
    }

    /// Writes a C-order `.npy` file of the given type and shape whose data `fill` writes in place,
    /// atomically.
    ///
    /// The file is created under a temporary name at its final size, the header is written, and
    /// the data bytes are mapped and handed to `fill` (C order, native byte order, uninitialized:
    /// `fill` must write every byte), so a reader can decode straight into the file with no
    /// buffer and no copy. Then the temporary is renamed onto `path`. If `fill` throws, the
    /// temporary is removed and `path` is untouched.
    /// - Parameters:
    ///   - path: the destination.
    ///   - dataType: the element type.
    ///   - shape: the array's shape; its byte count must be addressable (callers check it against
    ///     their memory limit first).
    ///   - durable: sync the file and its folder before returning (a plain export need not).
    ///   - fill: writes the data.
    /// - Throws: ``RasterIOError`` `.io` when the file cannot be created, sized or mapped; what
    ///   `fill` throws.
    public static func write(to path: String, dataType: DataType, shape: [Int], durable: Bool,
                             filling fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        try write(to: path, typeString: dataType.numpyTypeString(.native), elementSize: dataType.byteSize, shape: shape, durable: durable, filling: fill)
    }

    /// Writes a C-order `.npy` of any fixed-size NumPy type, given by its type string (`<f2` for
    /// float16, `<c8` for complex64, ...), as ``write(to:dataType:shape:durable:filling:)`` does.
    /// - Throws: as ``write(to:dataType:shape:durable:filling:)``.
    public static func write(to path: String, typeString: String, elementSize: Int, shape: [Int], durable: Bool,
                             filling fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        let (header, total) = try sizes(path, typeString: typeString, elementSize: elementSize, shape: shape)
        let output = try RasterIOError.translatingIO(path) { try AtomicFileWriter(path: path) }
        let file = try RasterIOError.translatingIO(path) { try output.mapForWriting(size: header.count + total) }
        header.withUnsafeBytes { file.copyMemory(from: $0) }
        try fill(UnsafeMutableRawBufferPointer(rebasing: file[header.count...]))
        try RasterIOError.translatingIO(path) { try output.commit(durable: durable) }
    }

    /// Writes a C-order `.npy` file of the given type and shape whose data `write` writes in
    /// blocks at their offsets, from any number of threads at once, atomically.
    ///
    /// For writers that make the data block by block in small reused buffers (a decoder's runs of
    /// strips): written blocks go into the page cache as they are, at half the CPU of first stores
    /// to a fresh mapping (MIFACore's `AtomicFileWriter.positionalWriter(size:)`). `write` must
    /// write every byte (C order, native byte order). If it throws, the temporary is removed and
    /// `path` is untouched.
    /// - Throws: as ``write(to:dataType:shape:durable:filling:)``.
    public static func write(to path: String, dataType: DataType, shape: [Int], durable: Bool,
                             writing write: (NPYDataWriter) throws -> Void) throws {
        try self.write(to: path, typeString: dataType.numpyTypeString(.native), elementSize: dataType.byteSize, shape: shape, durable: durable, writing: write)
    }

    /// Writes a C-order `.npy` of any fixed-size NumPy type, given by its type string, in blocks
    /// at their offsets, as ``write(to:dataType:shape:durable:writing:)`` does.
    /// - Throws: as ``write(to:dataType:shape:durable:filling:)``.
    public static func write(to path: String, typeString: String, elementSize: Int, shape: [Int], durable: Bool,
                             writing write: (NPYDataWriter) throws -> Void) throws {
        let (header, total) = try sizes(path, typeString: typeString, elementSize: elementSize, shape: shape)
        let output = try RasterIOError.translatingIO(path) { try AtomicFileWriter(path: path) }
        try RasterIOError.translatingIO(output.temporaryPath) { try header.withUnsafeBytes { try output.append($0) } }
        try write(NPYDataWriter(file: try RasterIOError.translatingIO(path) { try output.positionalWriter(size: header.count + total) }, dataOffset: header.count))
        try RasterIOError.translatingIO(path) { try output.commit(durable: durable) }
    }

    /// The header of a C-order `.npy` of `shape` and its data's byte count.
    /// - Throws: ``RasterIOError`` `.tooLarge` when the file could not be addressed.
    private static func sizes(_ path: String, typeString: String, elementSize: Int, shape: [Int]) throws -> ([UInt8], Int) {
        let header = NPYHeader.encode(typeString: typeString, fortranOrder: false, shape: shape)
        var total = elementSize
        var overflow = false
        for extent in shape where !overflow {
            (total, overflow) = total.multipliedReportingOverflow(by: extent)
        }
        guard !overflow, total <= Int.max - header.count else {
            throw RasterIOError(.tooLarge, "an array of shape \(shape) of \(typeString) is more bytes than a file can hold", file: path, shape: shape)
        }
        return (header, total)
    }

    /// Writes strings as a C-order NumPy `<U{width}` array (little-endian UTF-32, `width` the
    /// longest string in code points), atomically, as ``write(to:dataType:shape:durable:filling:)`` does.
    ///
    /// NumPy drops trailing U+0000 code points of fixed-width strings when it reads them, so
    /// strings ending in U+0000 are refused rather than written changed.
    /// - Throws: ``RasterIOError`` `.unsupported` naming the first string that ends in U+0000;
    ///   as ``write(to:dataType:shape:durable:filling:)``.
    public static func write(_ strings: StringArray, to path: String, durable: Bool) throws {
        if let index = strings.elements.firstIndex(where: { $0.unicodeScalars.last?.value == 0 }) {
            throw RasterIOError(.unsupported, "string \(index) (C order) ends in U+0000, which a NumPy string array cannot keep (NumPy drops trailing zeros); read this array with zarr-python instead",
                                file: path, shape: strings.shape)
        }
        let width = strings.numpyWidth
        let (size, overflow) = width.multipliedReportingOverflow(by: 4)
        guard !overflow else {
            throw RasterIOError(.tooLarge, "a string of \(width) code points is more bytes than a file can hold", file: path, shape: strings.shape)
        }
        try write(to: path, typeString: "<U\(width)", elementSize: size, shape: strings.shape, durable: durable) { buffer in
            strings.writeUTF32(width: width, into: buffer)
        }
    }
}
