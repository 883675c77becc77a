public import MIFACore

/// How ``TIFFFile/readStack()`` combines pages into one array.
public struct TIFFStackLayout: Sendable, Hashable {
    /// The pages used, in the order they fill the array.
    public var pages: [Int]
    /// The array's shape.
    public var shape: [Int]
    /// One letter per axis (see ``RasterImage``).
    public var axes: String
    /// The element type.
    public var dataType: DataType
    /// Whether the axes come from an ImageJ hyperstack description.
    public var isImageJ: Bool
    /// For an ImageJ stack stored as one directory followed by all images back to back (as ImageJ
    /// writes stacks over 4 GiB), the number of images; `nil` when every image has its own page.
    public var contiguousImages: Int?
}

extension TIFFFile {
    /// How the pages combine into one array, without reading pixels.
    ///
    /// Reduced-resolution pages (thumbnails, `NewSubfileType` bit 0) are left out. When the first
    /// page carries an ImageJ description, its `images` pages form a hyperstack with the axes it
    /// declares (`frames` → `T`, `slices` → `Z`, `channels` → `C`, singleton axes left out), in
    /// ImageJ's page order: channels fastest, then slices, then frames. Otherwise one page gives its
    /// own axes (`YX`, `YXS`, `SYX`) and several pages are stacked along a leading `Z`.
    /// - Throws: ``RasterIOError`` `.unsupported` when the pages differ in shape or type (read them
    ///   with ``readPage(_:)``) or a page's samples cannot be read; `.corrupt` when an ImageJ
    ///   description declares more images than the file has pages.
    public func stackLayout() throws -> TIFFStackLayout {
        var candidates = pages.filter { !$0.isReducedResolution }
        if candidates.isEmpty { candidates = pages }
        let first = candidates[0]
        guard let dataType = first.dataType else {
            throw RasterIOError(.unsupported, "\(first.bitsPerSample)-bit samples of format \(first.sampleFormatName) are not supported; RasterIO reads 8/16/32/64-bit integers and 16/32/64-bit floats", file: name, page: first.index, key: "BitsPerSample", offset: first.offset)
        }
        if let imageJ, first.index == 0, let images = imageJ.images, images > 1 {
            if images > candidates.count {
                guard candidates.count == 1, first.compression == .none else {
                    throw RasterIOError(.corrupt, "the ImageJ description declares \(images) images but the file has \(candidates.count) pages", file: name, page: 0, key: "ImageDescription", offset: first.offset)
                }
                let declared = imageJ.declaredAxes
                let hyperstack = !declared.isEmpty && declared.reduce(1, { $0 * $1.extent }) == images
                return TIFFStackLayout(pages: [first.index], shape: (hyperstack ? declared.map(\.extent) : [images]) + first.shape,
                                       axes: (hyperstack ? String(declared.map(\.axis)) : "Z") + first.axes, dataType: dataType,
                                       isImageJ: true, contiguousImages: images)
            }
            candidates = Array(candidates.prefix(images))
        }
        for page in candidates.dropFirst() where page.shape != first.shape || page.dataType != dataType {
            throw RasterIOError(.unsupported, "page \(page.index) is \(page.shape) \(page.dataType?.rawValue ?? "unsupported") but page \(first.index) is \(first.shape) \(dataType.rawValue), so the pages do not form one stack; read one page at a time (mifa raster convert --page N)", file: name, page: page.index, key: "ImageWidth", offset: page.offset)
        }
        let indices = candidates.map(\.index)
        guard candidates.count > 1 else {
            return TIFFStackLayout(pages: indices, shape: first.shape, axes: first.axes, dataType: dataType, isImageJ: imageJ != nil)
        }
        if let declared = imageJ?.declaredAxes, first.index == 0, !declared.isEmpty,
           declared.reduce(1, { $0 * $1.extent }) == candidates.count {
            return TIFFStackLayout(pages: indices, shape: declared.map(\.extent) + first.shape,
                                   axes: String(declared.map(\.axis)) + first.axes, dataType: dataType, isImageJ: true)
        }
        return TIFFStackLayout(pages: indices, shape: [candidates.count] + first.shape, axes: "Z" + first.axes, dataType: dataType, isImageJ: false)
    }

    /// The physical pixel size the first page declares (resolution tags with a unit, ImageJ's
    /// `unit`, `spacing`, `finterval`), or `nil`.
    public var pixelSize: PixelSize? {
        pages.first.flatMap { pixelSize(of: $0, imageJ: imageJ) }
    }

    /// Reads the pages as one array with the axes of ``stackLayout()``, e.g. `TZCYX` for an ImageJ
    /// hyperstack, `ZYX` for a plain stack, `YX` or `YXS` for a single page.
    ///
    /// Every page is checked before the array is allocated; its total size must stay within
    /// ``ReadLimits/maxBytes``.
    /// - Throws: ``RasterIOError`` as ``stackLayout()`` and ``readPage(_:)``, and `.tooLarge` when
    ///   the stack exceeds the limit.
    public func readStack() throws -> RasterImage {
        let layout = try stackLayout()
        let array = try layout.dataType.visit(FilledArray(shape: layout.shape, fill: try checkedFill(layout)))
        let first = pages[layout.pages[0]]
        return RasterImage(checked: array, axes: layout.axes, pixelSize: pixelSize(of: first, imageJ: first.index == 0 ? imageJ : nil))
    }

    /// Writes the stack (``readStack()``), or page `page` alone (``readPage(_:)``), to a C-order
    /// `.npy` at `path` with no array in memory: each thread decodes runs of strips or tiles into
    /// one reused buffer and writes them at their place in the file; pages whose strips (or rows
    /// of tiles) are over 8 MiB, and ImageJ's one-directory stacks, are decoded or read straight
    /// into a mapping of the file instead (``NPYFile/write(to:dataType:shape:durable:filling:)``).
    /// Every page is checked before the file is created.
    /// - Parameters:
    ///   - page: the page to write alone; `nil` writes the stack.
    ///   - path: the `.npy` to write, atomically.
    ///   - durable: sync the file to disk before returning.
    /// - Returns: what was written: the pages, shape, axes and element type.
    /// - Throws: ``RasterIOError`` as ``readStack()`` or ``readPage(_:)``, and `.io` when the file
    ///   cannot be written (the destination is then untouched).
    @discardableResult
    public func exportNPY(page: Int? = nil, to path: String, durable: Bool) throws -> TIFFStackLayout {
        let layout: TIFFStackLayout
        if let page {
            guard pages.indices.contains(page) else {
                throw RasterIOError(.invalidArgument, "page \(page) does not exist; the file has \(pages.count) page\(pages.count == 1 ? "" : "s") (0...\(pages.count - 1))", file: name)
            }
            let info = pages[page]
            let dataType = try decodingPlan(for: info).0
            layout = TIFFStackLayout(pages: [page], shape: info.shape, axes: info.axes, dataType: dataType, isImageJ: false)
        } else {
            layout = try stackLayout()
        }
        if layout.contiguousImages == nil {
            let plans = try checkedPlans(layout)
            if plans.allSatisfy({ $0.1.bandBytes <= Self.fileBandLimit }) {
                try NPYFile.write(to: path, dataType: layout.dataType, shape: layout.shape, durable: durable) { writer in
                    try self.decode(plans, into: .file(writer))
                }
                return layout
            }
        }
        let fill = try checkedFill(layout)
        try NPYFile.write(to: path, dataType: layout.dataType, shape: layout.shape, durable: durable, filling: fill)
        return layout
    }

    /// Checks every page of `layout` (and the whole against ``limits``) and returns what writes
    /// its pixels, in native byte order, into a buffer of the layout's size.
    /// - Throws: ``RasterIOError`` as ``readStack()``.
    private func checkedFill(_ layout: TIFFStackLayout) throws -> (UnsafeMutableRawBufferPointer) throws -> Void {
        if let images = layout.contiguousImages { return try contiguousFill(layout, images: images) }
        let plans = try checkedPlans(layout)
        return { buffer in try self.decode(plans, into: .memory(buffer)) }
    }

    /// Checks every page of `layout` (one directory per image) and the whole against ``limits``,
    /// and returns the pages with their plans.
    /// - Throws: ``RasterIOError`` as ``readStack()``.
    private func checkedPlans(_ layout: TIFFStackLayout) throws -> [(TIFFPageInfo, TIFFChunkPlan)] {
        try limits.check(claimedShape: layout.shape, dataType: layout.dataType, file: name, page: layout.pages.count > 1 ? nil : layout.pages[0], key: layout.pages.count > 1 ? "\(layout.pages.count) pages" : "ImageWidth")
        let plans = try layout.pages.map { index in (pages[index], try decodingPlan(for: pages[index]).1) }
        for (info, plan) in plans { try selectAndCheck(info, plan) }
        return plans
    }

    /// Checks an ImageJ stack stored as one directory whose uncompressed image is followed by the
    /// other images back to back, and returns what reads it straight into a buffer.
    private func contiguousFill(_ layout: TIFFStackLayout, images: Int) throws -> (UnsafeMutableRawBufferPointer) throws -> Void {
        let info = pages[layout.pages[0]]
        let (dataType, plan) = try decodingPlan(for: info)
        try selectAndCheck(info, plan)
        var expected = handle.chunkOffset(0)
        for index in 0..<plan.chunkCount {
            guard handle.chunkOffset(index) == expected else {
                throw RasterIOError(.unsupported, "the strips of the first image are not back to back, so the \(images) images the ImageJ description declares cannot be located", file: name, page: info.index, key: "strip \(index)", offset: Int(clamping: handle.chunkOffset(index)))
            }
            expected += UInt64(plan.decodedBytes(ofChunk: index))
        }
        let start = handle.chunkOffset(0)
        let total = try limits.check(claimedShape: layout.shape, dataType: dataType, file: name, page: info.index, key: "ImageDescription")
        guard start <= UInt64(fileSize), UInt64(total) <= UInt64(fileSize) - start else {
            throw RasterIOError(.truncated, "the ImageJ description declares \(images) images of \(plan.pageBytes) bytes from byte \(start) but the file ends at byte \(fileSize); it is cut short", file: name, page: info.index, key: "ImageDescription", offset: Int(clamping: start))
        }
        let (handle, name, swap) = (handle, name, byteOrder != .native ? dataType.byteSize : 1)
        return { buffer in
            try handle.readRaw(at: Int(start), into: buffer, name: name)
            if swap > 1 { ByteOrder.swapInPlace(buffer, elementSize: swap) }
        }
    }
}
