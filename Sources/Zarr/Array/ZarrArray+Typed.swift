public import MIFACore
import Foundation

extension ZarrArray {
    /// Reads `region` (the whole array by default) as a typed array in the given memory order.
    ///
    /// - Parameters:
    ///   - type: the element type; it must match the array's data type.
    ///   - region: the part to read; `nil` for everything.
    ///   - order: the memory order of the result.
    ///   - concurrency: the most chunks decoded at once; `nil` for the active processor count.
    ///   - maxBytes: the largest result allocated; ``defaultMaxReadBytes`` unless raised.
    /// - Throws: ``ZarrError`` `.invalidRegion` for a region outside the array or a type mismatch;
    ///   `.tooLarge` for a result over `maxBytes`; `.corruptChunk`, `.checksumMismatch` naming the
    ///   chunk key; store errors.
    public func read<T: NDArrayElement>(_ type: T.Type, region: Region? = nil, order: MemoryOrder = .rowMajor,
                                        concurrency: Int? = nil, maxBytes: Int = defaultMaxReadBytes) throws -> NDArray<T> {
        let region = region ?? Region(shape: shape)
        try checkType(T.self)
        try checkRegion(region)
        try checkAllocation(region, elementSize: MemoryLayout<T>.stride, maxBytes: maxBytes)
        // No filling pass: readRaw writes every element of the region (decoded or fill value), and
        // the pages are first touched by the decoding workers in parallel.
        let strides = order.strides(for: region.shape)
        return try ZarrError.locating(file: nil, key: nil) {
            try NDArray<T>(unsafeUninitializedShape: region.shape, order: order) { buffer in
                HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
                try readRaw(region, into: SharedBuffer(UnsafeMutableRawBufferPointer(buffer)), strides: strides, concurrency: concurrency)
            }
        }
    }

    /// Reads `region` (the whole array by default) as an `AnyNDArray` of the array's type; the
    /// result may be at most `maxBytes` large.
    /// - Throws: ``ZarrError`` as ``read(_:region:order:concurrency:maxBytes:)``; `.unsupportedExtension`
    ///   for complex and raw types (read those with ``readBytes(_:concurrency:maxBytes:)``).
    public func read(_ region: Region? = nil, order: MemoryOrder = .rowMajor, concurrency: Int? = nil,
                     maxBytes: Int = defaultMaxReadBytes) throws -> AnyNDArray {
        try numericType().visit(TypedRead(array: self, region: region, order: order, concurrency: concurrency, maxBytes: maxBytes))
    }

    private struct TypedRead: DataTypeVisitor {
        let array: ZarrArray, region: Region?, order: MemoryOrder, concurrency: Int?, maxBytes: Int
        func visit<E: NDArrayElement>(_: E.Type) throws -> AnyNDArray {
            AnyNDArray(try array.read(E.self, region: region, order: order, concurrency: concurrency, maxBytes: maxBytes))
        }
    }

    /// The array's element type as a MIFACore `DataType`, for reads as numbers.
    /// - Throws: ``ZarrError`` `.unsupportedExtension` for complex and raw types (read
    ///   those with ``readBytes(_:concurrency:maxBytes:)``) and strings (``readStrings(_:maxBytes:)``).
    public func numericType() throws -> DataType {
        try checkFixedSize()
        guard let type = dataType.coreType else {
            throw ZarrError(.unsupportedExtension, "\(dataType) arrays cannot be read as numbers by MIFAKit (it reads bool, integer and float arrays); `mifa zarr info` still describes the array; read its values with zarr-python (zarr.open_array(path)[...]) or write a copy of a supported type there",
                            context: ErrorContext(file: store.location, key: path))
        }
        return type
    }

    /// Reads `region` into `array` so that the region's origin lands at `origin` (zeros by default);
    /// `array` keeps its memory order and is reused, so a loader can read batch after batch
    /// without allocating. `array` may have more axes than the region (a batch axis in front):
    /// the region fills its last axes.
    /// - Throws: ``ZarrError`` `.invalidRegion` when the region does not fit the array or `array`,
    ///   or the element type differs; errors of ``read(_:region:order:concurrency:maxBytes:)``.
    public func read<T: NDArrayElement>(_ region: Region, into array: inout NDArray<T>, at origin: [Int]? = nil,
                                        concurrency: Int? = nil) throws {
        try checkType(T.self)
        try checkRegion(region)
        let origin = origin ?? [Int](repeating: 0, count: array.rank)
        let extra = array.rank - region.rank
        guard extra >= 0, origin.count == array.rank,
              Region(shape: array.shape).contains(Region(origin: origin, shape: [Int](repeating: 1, count: extra) + region.shape)) else {
            throw ZarrError(.invalidRegion, "a region of shape \(region.shape) at \(origin) does not fit a destination of shape \(array.shape)")
        }
        let strides = array.strides
        let size = MemoryLayout<T>.stride
        try array.withUnsafeMutableBytes { buffer in
            let start = GridIndex.offset(origin, strides) * size
            let shared = SharedBuffer(UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
            try readRaw(region, into: shared, strides: Array(strides.suffix(region.rank)), concurrency: concurrency)
        }
    }

    /// Reads `region` as raw bytes: C order, native byte order; works for every data type. The
    /// result may be at most `maxBytes` large.
    /// - Throws: ``ZarrError`` as ``read(_:region:order:concurrency:maxBytes:)``.
    public func readBytes(_ region: Region? = nil, concurrency: Int? = nil, maxBytes: Int = defaultMaxReadBytes) throws -> [UInt8] {
        let region = region ?? Region(shape: shape)
        try checkFixedSize()
        try checkRegion(region)
        try checkAllocation(region, elementSize: dataType.byteSize, maxBytes: maxBytes)
        let count = region.elementCount * dataType.byteSize
        let strides = MemoryOrder.rowMajor.strides(for: region.shape)
        guard count > 0 else { return [] }  // never write the count of the shared empty storage
        // No filling pass: readRaw writes every byte of the region.
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
            try readRaw(region, into: SharedBuffer(UnsafeMutableRawBufferPointer(buffer)), strides: strides, concurrency: concurrency)
            initialized = count
        }
    }

    /// Reads `region` as raw bytes (C order, native byte order) into `buffer`, which the caller
    /// owns (a mapped output file, say): chunks decode straight into it, and every byte of the
    /// region is written (decoded or the fill value), so `buffer` may start uninitialized.
    /// - Throws: ``ZarrError`` `.invalidRegion` when `buffer` is not exactly the region's size;
    ///   as ``read(_:order:concurrency:maxBytes:)``.
    public func readBytes(_ region: Region, into buffer: UnsafeMutableRawBufferPointer, concurrency: Int? = nil) throws {
        try checkFixedSize()
        try checkRegion(region)
        let (count, overflow) = region.elementCount.multipliedReportingOverflow(by: dataType.byteSize)
        guard !overflow, buffer.count == count else {
            throw ZarrError(.invalidRegion, "a region of shape \(region.shape) of \(dataType) needs \(overflow ? "more than \(Int.max)" : String(count)) bytes; the buffer has \(buffer.count)")
        }
        guard count > 0 else { return }
        try ZarrError.locating(file: nil, key: nil) {
            try readRaw(region, into: SharedBuffer(buffer), strides: MemoryOrder.rowMajor.strides(for: region.shape), concurrency: concurrency)
        }
    }

    /// Checks, before a read, that `region` lies inside the array and that its result is at most
    /// `maxBytes` large; for callers that provide the destination themselves
    /// (``readBytes(_:into:concurrency:)``) but keep the read limit.
    /// - Throws: ``ZarrError`` `.invalidRegion`, `.tooLarge` as ``read(_:order:concurrency:maxBytes:)``.
    public func checkRead(_ region: Region, maxBytes: Int = defaultMaxReadBytes) throws {
        try checkFixedSize()
        try checkRegion(region)
        try checkAllocation(region, elementSize: dataType.byteSize, maxBytes: maxBytes)
    }

    /// Writes `array` into the Zarr array with its first element at `origin` (zeros by default).
    /// - Throws: ``ZarrError`` `.invalidRegion` when it does not fit or the element type differs;
    ///   `.readOnly` and store errors; `.corruptChunk` when a partly overwritten chunk cannot be read.
    public func write<T: NDArrayElement>(_ array: NDArray<T>, at origin: [Int]? = nil, concurrency: Int? = nil) throws {
        try checkType(T.self)
        let region = try Self.region(origin: origin, shape: array.shape)
        let strides = array.strides
        try array.withUnsafeBytes { buffer in
            try writeRaw(region, from: SharedSource(buffer), strides: strides, concurrency: concurrency)
        }
    }

    /// Writes an `AnyNDArray` whose type matches the array's.
    /// - Throws: as ``write(_:at:concurrency:)-(AnyNDArray,_,_)``.
    public func write(_ array: AnyNDArray, at origin: [Int]? = nil, concurrency: Int? = nil) throws {
        try array.visit(TypedWrite(array: self, origin: origin, concurrency: concurrency))
    }

    private struct TypedWrite: NDArrayVisitor {
        let array: ZarrArray, origin: [Int]?, concurrency: Int?
        func visit<E: NDArrayElement>(_ typed: NDArray<E>) throws { try array.write(typed, at: origin, concurrency: concurrency) }
    }

    /// Writes raw bytes (C order, native byte order) of the given shape at `origin`; works for
    /// every data type.
    /// - Throws: ``ZarrError`` `.invalidRegion` when the byte count does not match the shape; as
    ///   ``write(_:at:concurrency:)-(AnyNDArray,_,_)``.
    public func writeBytes(_ bytes: [UInt8], shape regionShape: [Int], at origin: [Int]? = nil, concurrency: Int? = nil) throws {
        let region = try Self.region(origin: origin, shape: regionShape)
        try checkFixedSize()
        guard bytes.count == region.elementCount * dataType.byteSize else {
            throw ZarrError(.invalidRegion, "\(bytes.count) bytes given for a region of shape \(regionShape) of \(dataType)")
        }
        try bytes.withUnsafeBytes { buffer in
            try writeRaw(region, from: SharedSource(buffer), strides: MemoryOrder.rowMajor.strides(for: regionShape), concurrency: concurrency)
        }
    }

    /// The largest result a read allocates unless the caller raises it: 4 GiB. A `zarr.json` of a
    /// few hundred bytes can declare any shape; this bounds what such a header can make a
    /// whole-array read allocate.
    public static let defaultMaxReadBytes = 4 << 30

    /// Refuses results larger than `maxBytes`, so that an array whose metadata declares an
    /// enormous shape cannot make a read allocate what the header claims.
    /// - Throws: ``ZarrError`` `.tooLarge` naming the metadata file, the shape and the size.
    func checkAllocation(_ region: Region, elementSize: Int, maxBytes: Int) throws {
        let (bytes, overflow) = region.elementCount.multipliedReportingOverflow(by: elementSize)
        guard overflow || bytes > maxBytes else { return }
        let file = "\(store.location)/\(Self.metadataKey(path: path, format: metadata.format))"
        throw ZarrError(.tooLarge, "reading a region of shape \(region.shape) of \(dataType) needs \(overflow ? "more than \(Int.max)" : String(bytes)) bytes, more than the limit of \(maxBytes) bytes; read a smaller region (mifa: --region), or raise the limit if the machine has the memory (maxBytes; mifa: --max-memory)",
                        context: ErrorContext(file: file, shape: region.shape))
    }

    /// The region of `shape` at `origin`, checking ranks and extents first.
    static func region(origin: [Int]?, shape: [Int]) throws -> Region {
        let origin = origin ?? [Int](repeating: 0, count: shape.count)
        guard origin.count == shape.count, shape.allSatisfy({ $0 >= 0 }), origin.allSatisfy({ $0 >= 0 }),
              !zip(origin, shape).contains(where: { $0.addingReportingOverflow($1).overflow }) else {
            throw ZarrError(.invalidRegion, "origin \(origin) and shape \(shape) do not describe a region")
        }
        return Region(origin: origin, shape: shape)
    }

    private func checkType<T: NDArrayElement>(_: T.Type) throws {
        try checkFixedSize()
        guard dataType.coreType == T.dataType else {
            throw ZarrError(.invalidRegion, "the array holds \(dataType), not \(T.dataType.rawValue)",
                            context: ErrorContext(file: store.location, key: path))
        }
    }
}
