public import MIFACore
public import Zarr

extension OMEZarrImage {
    /// Reads a region of a level in pixel coordinates (the whole level by default).
    /// - Parameters:
    ///   - level: the level, 0 for the highest resolution.
    ///   - region: one range per axis, in the level's own pixels.
    ///   - concurrency: the most chunks decoded at once; `nil` for the processor count.
    ///   - maxBytes: the largest result allocated (`ZarrArray.defaultMaxReadBytes`, 4 GiB, unless raised).
    /// - Throws: ``OMEZarrError`` `.missingLevel`, `.invalidRegion` for a region of the wrong rank or
    ///   outside the level, `.unsupported` for element types without an NDArray type (complex,
    ///   raw bits), `.storage` for store and chunk errors and for a result over `maxBytes`.
    public func read(level: Int = 0, region: Region? = nil, concurrency: Int? = nil,
                     maxBytes: Int = ZarrArray.defaultMaxReadBytes) throws -> AnyNDArray {
        let chosen = try self.level(level)
        let region = region ?? Region(shape: chosen.shape)
        try checkRegion(region, in: chosen)
        guard chosen.dataType != nil else {
            throw OMEZarrError(.unsupported, "level \(level) holds \(chosen.array.dataType), which has no NDArray element type", context: ErrorContext(file: group.file))
        }
        return try OMEZarrError.wrapping("cannot read level \(level) ('\(chosen.path)') region [\(region)]") {
            try chosen.array.read(region, concurrency: concurrency, maxBytes: maxBytes)
        }
    }

    /// Reads a region of a level as raw bytes (C order, native byte order) into `buffer`, which
    /// the caller owns (a mapped output file, say) and sized with ``checkRead(level:region:maxBytes:)``;
    /// chunks decode straight into it and every byte is written.
    /// - Throws: ``OMEZarrError`` as ``read(level:region:concurrency:maxBytes:)``; `.storage` when
    ///   `buffer` is not the region's size.
    public func read(level: Int = 0, region: Region, into buffer: UnsafeMutableRawBufferPointer, concurrency: Int? = nil) throws {
        let chosen = try checkRead(level: level, region: region, maxBytes: .max).level
        try OMEZarrError.wrapping("cannot read level \(level) ('\(chosen.path)') region [\(region)]") {
            try chosen.array.readBytes(region, into: buffer, concurrency: concurrency)
        }
    }

    /// Checks a read before the caller provides its destination: the level exists, `region` lies
    /// inside it, its pixels are numbers, and the result is at most `maxBytes` large.
    /// - Returns: the level and its element type.
    /// - Throws: ``OMEZarrError`` as ``read(level:region:concurrency:maxBytes:)``.
    @discardableResult
    public func checkRead(level: Int, region: Region, maxBytes: Int = ZarrArray.defaultMaxReadBytes) throws -> (level: OMEZarrLevel, dataType: DataType) {
        let chosen = try self.level(level)
        try checkRegion(region, in: chosen)
        guard let type = chosen.dataType else {
            throw OMEZarrError(.unsupported, "level \(level) holds \(chosen.array.dataType), which has no NDArray element type", context: ErrorContext(file: group.file))
        }
        try OMEZarrError.wrapping("cannot read level \(level) ('\(chosen.path)') region [\(region)]") {
            try chosen.array.checkRead(region, maxBytes: maxBytes)
        }
        return (chosen, type)
    }

    /// Reads a region of a level as a typed array.
    /// - Throws: ``OMEZarrError`` as ``read(level:region:concurrency:maxBytes:)``, and `.invalidArgument`
    ///   when `type` is not the level's element type.
    public func read<T: NDArrayElement>(_ type: T.Type, level: Int = 0, region: Region? = nil, concurrency: Int? = nil,
                                        maxBytes: Int = ZarrArray.defaultMaxReadBytes) throws -> NDArray<T> {
        let chosen = try self.level(level)
        let region = region ?? Region(shape: chosen.shape)
        try checkRegion(region, in: chosen)
        guard chosen.dataType == T.dataType else {
            throw OMEZarrError(.invalidArgument, "level \(level) holds \(chosen.array.dataType), not \(T.dataType.rawValue)", context: ErrorContext(file: group.file))
        }
        return try OMEZarrError.wrapping("cannot read level \(level) ('\(chosen.path)') region [\(region)]") {
            try chosen.array.read(T.self, region: region, concurrency: concurrency, maxBytes: maxBytes)
        }
    }

    /// Reads the pixels of a level that cover a box in physical coordinates (the units of the axes).
    ///
    /// The box is mapped into the level's pixel grid with the inverse of the level's transformation
    /// and widened to whole pixels (``PhysicalRegion/coveringPixels(clippedTo:)``), then clipped to the level.
    /// - Returns: the pixel region read and its pixels.
    /// - Throws: ``OMEZarrError`` `.invalidRegion` for a box of the wrong rank, with non-finite
    ///   corners, or outside the level; as ``read(level:region:concurrency:maxBytes:)``.
    public func read(level: Int = 0, physical box: PhysicalRegion, concurrency: Int? = nil) throws -> (region: Region, pixels: AnyNDArray) {
        let region = try pixelRegion(of: box, level: level)
        return (region, try read(level: level, region: region, concurrency: concurrency))
    }

    /// The pixel region of a level that covers a physical box, clipped to the level.
    /// - Throws: ``OMEZarrError`` `.invalidRegion` for a box of the wrong rank, with non-finite
    ///   corners, or that misses the level entirely; `.missingLevel`.
    public func pixelRegion(of box: PhysicalRegion, level: Int = 0) throws -> Region {
        let chosen = try self.level(level)
        guard box.rank == rank, (box.lower + box.upper).allSatisfy(\.isFinite) else {
            throw OMEZarrError(.invalidRegion, "a physical box needs \(rank) finite lower and upper coordinates (axes \(axes.map(\.name))), found \(box)",
                               context: ErrorContext(file: group.file))
        }
        let region = chosen.transform.inverse.apply(box).coveringPixels(clippedTo: chosen.shape)
        guard !region.isEmpty || chosen.shape.contains(0) else {
            throw OMEZarrError(.invalidRegion, "the physical box \(box) lies outside level \(level), which covers \(chosen.physicalExtent)",
                               context: ErrorContext(file: group.file, shape: chosen.shape))
        }
        return region
    }

    /// Checks that `region` lies inside `level`.
    func checkRegion(_ region: Region, in level: OMEZarrLevel) throws {
        guard region.rank == rank, Region(shape: level.shape).contains(region) else {
            throw OMEZarrError(.invalidRegion, "region [\(region)] does not lie inside level \(level.index) of shape \(level.shape) (axes \(axes.map(\.name)))",
                               context: ErrorContext(file: group.file, shape: level.shape))
        }
    }
}
