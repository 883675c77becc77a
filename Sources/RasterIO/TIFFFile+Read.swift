import MIFACore

extension TIFFFile {
    /// Reads one page: axes `YX`, `YXS` (interleaved samples) or `SYX` (planar samples).
    ///
    /// - Parameter index: the 0-based page.
    /// - Returns: the page's pixels in native byte order, with physical pixel sizes when the
    ///   resolution tags or an ImageJ description give a unit.
    /// - Throws: ``RasterIOError``: `.invalidArgument` for a page that does not exist, `.unsupported`
    ///   for sample types or layouts RasterIO cannot read, `.tooLarge` over ``ReadLimits`` or beyond
    ///   what the compressed bytes can hold, `.truncated` when strips or tiles reach past the end of
    ///   the file, `.corrupt` when libtiff cannot decode them.
    public func readPage(_ index: Int) throws -> RasterImage {
        guard pages.indices.contains(index) else {
            throw RasterIOError(.invalidArgument, "page \(index) does not exist; the file has \(pages.count) page\(pages.count == 1 ? "" : "s") (0...\(pages.count - 1))", file: name)
        }
        let info = pages[index]
        let (dataType, plan) = try decodingPlan(for: info)
        let array = try dataType.visit(PageDecoder(file: self, pages: [(info, plan)], shape: info.shape))
        return RasterImage(checked: array, axes: info.axes, pixelSize: pixelSize(of: info, imageJ: index == 0 ? imageJ : nil))
    }

    /// The bytes page `index` decodes to, after checking from its tags alone that it can be read
    /// within ``limits`` (nothing is decoded or allocated).
    /// - Throws: ``RasterIOError`` as ``readPage(_:)`` before it decodes: `.invalidArgument`,
    ///   `.unsupported`, `.corrupt`, `.tooLarge`.
    public func decodedBytes(ofPage index: Int) throws -> Int {
        guard pages.indices.contains(index) else {
            throw RasterIOError(.invalidArgument, "page \(index) does not exist; the file has \(pages.count) page\(pages.count == 1 ? "" : "s")", file: name)
        }
        return try decodingPlan(for: pages[index]).1.pageBytes
    }

    /// The bytes a page or SubIFD decodes to, checked as ``decodedBytes(ofPage:)`` checks.
    /// - Throws: ``RasterIOError`` as ``decodedBytes(ofPage:)``.
    public func decodedBytes(of info: TIFFPageInfo) throws -> Int {
        try decodingPlan(for: info).1.pageBytes
    }

    /// The element type and chunk layout of a page, after checking that RasterIO can read it
    /// within ``limits``.
    /// - Throws: ``RasterIOError`` `.unsupported`, `.corrupt` or `.tooLarge`.
    func decodingPlan(for info: TIFFPageInfo) throws -> (DataType, TIFFChunkPlan) {
        let page = info.index
        guard info.width > 0, info.height > 0 else {
            throw RasterIOError(.corrupt, "the page is \(info.width)×\(info.height) pixels; both must be at least 1", file: name, page: page, key: info.width > 0 ? "ImageLength" : "ImageWidth", offset: info.offset)
        }
        guard info.samplesPerPixel >= 1 else {
            throw RasterIOError(.corrupt, "SamplesPerPixel is 0", file: name, page: page, key: "SamplesPerPixel", offset: info.offset)
        }
        guard let dataType = info.dataType else {
            throw RasterIOError(.unsupported, "\(info.bitsPerSample)-bit samples of format \(info.sampleFormatName) are not supported; RasterIO reads 8/16/32/64-bit integers and 16/32/64-bit floats", file: name, page: page, key: "BitsPerSample", offset: info.offset)
        }
        guard info.imageDepth == 1 else {
            throw RasterIOError(.unsupported, "ImageDepth is \(info.imageDepth) (an SGI volume); only 2-D pages are supported", file: name, page: page, key: "ImageDepth", offset: info.offset)
        }
        guard info.photometric != 6 else {
            throw RasterIOError(.unsupported, "YCbCr pages are not supported; convert the file to RGB first", file: name, page: page, key: "PhotometricInterpretation", offset: info.offset)
        }
        guard LibTIFF.isCodecConfigured(info.compression.rawValue) else {
            throw RasterIOError(.unsupported, "compression \(info.compression) (\(info.compression.rawValue)) is not available in this libtiff", file: name, page: page, key: "Compression", offset: info.offset)
        }
        let planes = info.isPlanar ? info.samplesPerPixel : 1
        let pixelBytes = (info.isPlanar ? 1 : info.samplesPerPixel) * dataType.byteSize
        let chunkWidth: Int, chunkHeight: Int
        if info.isTiled {
            guard let tw = info.tileWidth, let th = info.tileHeight, tw > 0, th > 0 else {
                throw RasterIOError(.corrupt, "a tiled page needs TileWidth and TileLength of at least 1", file: name, page: page, key: "TileWidth", offset: info.offset)
            }
            (chunkWidth, chunkHeight) = (tw, th)
        } else {
            (chunkWidth, chunkHeight) = (info.width, Swift.max(info.rowsPerStrip ?? info.height, 1))
        }
        try limits.check(claimedShape: info.shape, dataType: dataType, file: name, page: page, key: "ImageWidth")
        // Horizontal differencing is undone by RasterIO, in registers (libtiff's loop is a fifth of a deflate read).
        let differencing = info.predictor == 2 ? TIFFHorizontalDifferencing(sampleBytes: dataType.byteSize, samplesPerPixel: info.isPlanar ? 1 : info.samplesPerPixel) : nil
        guard let plan = TIFFChunkPlan(width: info.width, height: info.height, planes: planes, pixelBytes: pixelBytes, tiled: info.isTiled,
                                       chunkWidth: chunkWidth, chunkHeight: chunkHeight, differencing: differencing),
              plan.fullChunkBytes <= limits.maxBytes
        else {
            let tag = info.isTiled ? "TileWidth" : "RowsPerStrip"
            throw RasterIOError(.tooLarge, "\(name) claims \(info.isTiled ? "tiles" : "strips") of \(chunkWidth)×\(chunkHeight) pixels of \(pixelBytes) bytes, more than the limit of \(byteCountText(limits.maxBytes)) for one \(info.isTiled ? "tile" : "strip"); the header is damaged, or raise the limit (mifa: --max-memory; Swift: ReadLimits.maxBytes)", file: name, page: page, key: tag, offset: info.offset, shape: info.shape)
        }
        return (dataType, plan)
    }

    /// Makes `info`'s directory current and checks its strips or tiles against the file before
    /// anything is decoded.
    /// - Throws: ``RasterIOError`` `.corrupt`, `.truncated`, `.tooLarge` or `.unsupported`.
    func selectAndCheck(_ info: TIFFPageInfo, _ plan: TIFFChunkPlan) throws {
        let page = info.index
        handle.log.clear()
        guard handle.setDirectory(offset: UInt64(info.offset)) else {
            throw RasterIOError(.corrupt, "cannot re-read the page's directory: \(handle.log.takeErrors() ?? "unknown reason")", file: name, page: page, key: "IFD", offset: info.offset)
        }
        let chunkName = info.isTiled ? "tile" : "strip"
        let offsetsTag = info.isTiled ? "TileOffsets" : "StripOffsets"
        let countsTag = info.isTiled ? "TileByteCounts" : "StripByteCounts"
        guard handle.libraryChunkSize == Int64(plan.fullChunkBytes) else {
            throw RasterIOError(.unsupported, "libtiff decodes \(handle.libraryChunkSize) bytes per \(chunkName) but \(plan.fullChunkBytes) are expected for \(info.bitsPerSample)-bit samples; subsampled or packed pixel layouts are not supported", file: name, page: page, key: offsetsTag, offset: info.offset)
        }
        guard handle.chunkCount >= plan.chunkCount else {
            throw RasterIOError(.corrupt, "\(offsetsTag) lists \(handle.chunkCount) \(chunkName)s but the page needs \(plan.chunkCount)", file: name, page: page, key: offsetsTag, offset: info.offset)
        }
        let ratio = ReadLimits.maximumExpansion(forTIFFCompression: info.compression.rawValue)
        let uncompressed = info.compression == .none
        for index in 0..<plan.chunkCount {
            let offset = handle.chunkOffset(index)
            let count = handle.chunkByteCount(index)
            let needed = plan.decodedBytes(ofChunk: index)
            let key = "\(chunkName) \(index)"
            guard count > 0 else {
                throw RasterIOError(.corrupt, "\(chunkName) \(index) has no data (\(countsTag) is 0); the file is incomplete", file: name, page: page, key: key, offset: Int(clamping: offset))
            }
            guard offset <= UInt64(fileSize), count <= UInt64(fileSize) - offset else {
                throw RasterIOError(.truncated, "\(chunkName) \(index) spans bytes \(offset)..<\(offset &+ count) but the file ends at \(fileSize); the file is cut short", file: name, page: page, key: key, offset: Int(clamping: offset))
            }
            if uncompressed {
                guard count >= UInt64(needed) else {
                    throw RasterIOError(.corrupt, "uncompressed \(chunkName) \(index) holds \(count) bytes but needs \(needed)", file: name, page: page, key: key, offset: Int(offset))
                }
            } else {
                let (capacity, overflow) = Int(count).multipliedReportingOverflow(by: ratio)
                guard overflow || needed <= capacity + 4096 else {
                    throw RasterIOError(.tooLarge, "\(chunkName) \(index) claims \(needed) decoded bytes from \(count) \(info.compression) bytes, more than \(info.compression) can expand (at most \(ratio)×); the header is damaged", file: name, page: page, key: key, offset: Int(offset))
                }
            }
        }
    }

    /// Decodes the pages `pages` into one new array of `shape`, every page checked first
    /// (``selectAndCheck(_:_:)``) and nothing allocated before (``TIFFFile/decode(_:into:)``).
    struct PageDecoder: DataTypeVisitor {
        let file: TIFFFile
        let pages: [(TIFFPageInfo, TIFFChunkPlan)]
        let shape: [Int]

        func visit<E: NDArrayElement>(_ type: E.Type) throws -> AnyNDArray {
            for (info, plan) in pages { try file.selectAndCheck(info, plan) }
            return try FilledArray(shape: shape) { try file.decode(pages, into: .memory($0)) }.visit(type)
        }
    }

    /// A new array of `shape` whose bytes `fill` writes, every one of them (decoders do), so the
    /// array is not zero-filled first: a pass over memory and its page faults saved.
    struct FilledArray: DataTypeVisitor {
        let shape: [Int]
        let fill: (UnsafeMutableRawBufferPointer) throws -> Void

        func visit<E: NDArrayElement>(_ type: E.Type) throws -> AnyNDArray {
            AnyNDArray(try NDArray<E>(unsafeUninitializedShape: shape) { buffer in try fill(UnsafeMutableRawBufferPointer(buffer)) })
        }
    }

    /// The physical pixel size a page declares: x and y from the resolution tags when a unit is
    /// known (ImageJ's `unit`, or `ResolutionUnit` inch/centimeter), z and time from ImageJ.
    func pixelSize(of info: TIFFPageInfo, imageJ: ImageJMetadata?) -> PixelSize? {
        var size = PixelSize()
        let tagUnit: String? = info.resolutionUnit == 2 ? "inch" : (info.resolutionUnit == 3 ? "centimeter" : nil)
        if let unit = imageJ?.unit ?? (info.xResolution == nil ? nil : tagUnit) {
            size.unit = unit
            size.x = info.xResolution.map { 1 / $0 }
            size.y = info.yResolution.map { 1 / $0 }
        }
        size.z = imageJ?.spacing
        size.timeInterval = imageJ?.frameInterval
        size.timeUnit = imageJ?.timeUnit
        return size.isEmpty ? nil : size
    }
}
