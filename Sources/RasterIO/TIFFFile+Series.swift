import MIFACore

extension TIFFFile {
    /// The file's images as tifffile's `TiffFile.series` finds them, with their pyramid levels.
    ///
    /// The first kind of metadata the first page carries decides, in tifffile's order: tifffile's
    /// JSON description (`shaped`: its `shape` and `axes`, one series per described run of pages),
    /// OME-XML (`ome`: one series per `Image`, `DimensionOrder` reversed, `S` for samples), an ImageJ
    /// description (`imagej`: `TZC` then the page axes, see ``stackLayout()``); otherwise a single
    /// page, or 8 or more pages that all look alike, form one `uniform` series (`I` + page axes),
    /// and other files are grouped by page shape and type (`generic`, `I` + page axes + `S`). Reduced-resolution copies become ``TIFFSeries/levels``:
    /// a page's `SubIFDs`, and for `shaped` and `generic` files the following series that are
    /// exactly 2, 3 or 4 times smaller in `Y` and `X` (tifffile's `pyramidize_series`).
    /// - Throws: ``RasterIOError`` `.unsupported` when no page has a sample type RasterIO reads.
    public func series() throws -> [TIFFSeries] {
        var found: [TIFFSeries]?
        let first = pages[0]
        if let description = first.imageDescription, description.hasPrefix("{"), description.contains("\"shape\":") {
            found = shapedSeries()
        }
        if found == nil, let xml = first.imageDescription, let images = OMEXMLImages(xml: xml) {
            found = omeSeries(images)
        }
        if found == nil, imageJ != nil, let layout = try? stackLayout() {
            let levels = [TIFFSeriesLevel(pages: layout.pages.map { pages[$0] }, axes: layout.axes, shape: layout.shape, dataType: layout.dataType)]
            found = [TIFFSeries(index: 0, kind: "imagej", name: "", levels: levels, pixelSize: nil)]
        }
        var result = found ?? genericSeries()
        guard !result.isEmpty else {
            throw RasterIOError(.unsupported, "no page has samples RasterIO reads (8/16/32/64-bit integers, 16/32/64-bit floats)", file: name, page: 0, key: "BitsPerSample")
        }
        for index in result.indices {
            result[index].index = index
            if result[index].kind != "ome", index == 0 { result[index].pixelSize = pixelSize }
        }
        return result
    }

    /// The series `index` (see ``series()``).
    /// - Throws: ``RasterIOError`` `.invalidArgument` naming the series there are.
    public func series(_ index: Int) throws -> TIFFSeries {
        let all = try series()
        guard all.indices.contains(index) else {
            let list = all.map { "\($0.index): \($0.squeezed.axes) \($0.squeezed.shape)" }.joined(separator: "; ")
            throw RasterIOError(.invalidArgument, "series \(index) does not exist; the file has \(all.count) series (\(list)); choose one with --series N", file: name)
        }
        return all[index]
    }

    /// Reads level `level` of series `index` as tifffile's `series[index].levels[level].asarray()`
    /// does: in the axes and shape of ``TIFFSeries/reported(level:)``, with the series' physical
    /// sizes scaled for the level (``TIFFSeries/pixelSize(level:)``).
    /// - Throws: ``RasterIOError`` `.invalidArgument` naming the series or the levels there are;
    ///   as ``read(_:)``.
    public func read(series index: Int, level: Int) throws -> RasterImage {
        let chosen = try series(index)
        guard chosen.levels.indices.contains(level) else {
            let list = chosen.levels.indices.map { "\($0): \(chosen.reported(level: $0).shape)" }.joined(separator: "; ")
            throw RasterIOError(.invalidArgument, "level \(level) does not exist; series \(index) has \(chosen.levels.count) level\(chosen.levels.count == 1 ? "" : "s") (\(list)); choose one with --level L", file: name)
        }
        var selected = chosen.levels[level]
        (selected.axes, selected.shape) = chosen.reported(level: level)
        var image = try read(selected)
        // The series' physical sizes, scaled for the level, travel with its pixels.
        if let size = chosen.pixelSize(level: level) { image.pixelSize = size }
        return image
    }

    /// Reads one resolution level of a series as one array of the level's shape and axes, every page
    /// checked first and the whole within ``limits``. A level given another shape of
    /// the same size (such as ``TIFFSeries/reported(level:)``) reads as the same elements in that shape.
    /// - Throws: ``RasterIOError`` as ``readStack()``.
    public func read(_ level: TIFFSeriesLevel) throws -> RasterImage {
        try limits.check(claimedShape: level.shape, dataType: level.dataType, file: name, page: level.pages.first?.index, key: "series")
        if let layout = try? stackLayout(), layout.contiguousImages != nil, level.pages.map(\.index) == layout.pages, level.pages.first?.subIFD == nil {
            // An ImageJ stack stored as one directory followed by all its images.
            let image = try readStack()
            guard image.shape != level.shape else { return RasterImage(checked: image.array, axes: level.axes, pixelSize: image.pixelSize) }
            let array = try image.array.withUnsafeBytes { try AnyNDArray(dataType: level.dataType, shape: level.shape, bytes: $0, endianness: .native) }
            return RasterImage(checked: array, axes: level.axes, pixelSize: image.pixelSize)
        }
        let plans = try level.pages.map { info in (info, try decodingPlan(for: info).1) }
        let array = try level.dataType.visit(PageDecoder(file: self, pages: plans, shape: level.shape))
        return RasterImage(checked: array, axes: level.axes, pixelSize: nil)
    }

    /// Reads one page or SubIFD, wherever it is in the file.
    /// - Throws: ``RasterIOError`` as ``readPage(_:)``.
    public func read(page info: TIFFPageInfo) throws -> RasterImage {
        let (dataType, plan) = try decodingPlan(for: info)
        let array = try dataType.visit(PageDecoder(file: self, pages: [(info, plan)], shape: info.shape))
        return RasterImage(checked: array, axes: info.axes, pixelSize: nil)
    }

    // MARK: Kinds

    /// tifffile's `_series_shaped`; `nil` when a run of pages lacks or contradicts its description.
    private func shapedSeries() -> [TIFFSeries]? {
        var result: [TIFFSeries] = []
        var index = 0
        while index < pages.count {
            let key = pages[index]
            guard let description = key.imageDescription, let meta = ShapedDescription(description), let dataType = key.dataType else { return nil }
            let size = meta.shape.reduce(1, *)
            let pageSize = key.shape.reduce(1, *)
            guard pageSize > 0, size % pageSize == 0 else { return nil }
            let count = size > 0 ? size / pageSize : 1
            let run = count > 1 && count <= pages.count - index ? Array(pages[index..<(index + count)]) : [key]
            guard run.allSatisfy({ $0.shape == key.shape && $0.dataType == dataType }) else { return nil }
            var axes = meta.axes.flatMap { $0.count == meta.shape.count ? $0 : nil } ?? key.axes
            var shape = meta.axes?.count == meta.shape.count ? meta.shape : key.shape
            if meta.axes?.count != meta.shape.count, run.count > 1 {
                axes = "Q" + axes
                shape = [run.count] + shape
            }
            var reshape = meta.shape
            if shape.reduce(1, *) != reshape.reduce(1, *) { reshape = shape }
            let levelAxes = reshapeAxes(axes, shape: shape, newShape: reshape) ?? axes
            let full = TIFFSeriesLevel(pages: run, axes: levelAxes, shape: shape.reduce(1, *) == reshape.reduce(1, *) ? reshape : shape, dataType: dataType)
            result.append(TIFFSeries(index: result.count, kind: "shaped", name: meta.name, levels: [full] + subIFDLevels(of: full), pixelSize: nil))
            index += Swift.max(count, 1)
        }
        return pyramidize(result, reducedOnly: true)
    }

    /// tifffile's `_series_ome` for one file: every `Image` whose `TiffData` lies in this file.
    private func omeSeries(_ images: OMEXMLImages) -> [TIFFSeries]? {
        var result: [TIFFSeries] = []
        var next = 0
        for image in images.images {
            let start = image.firstIFD ?? next
            let planes = image.sizeZ * image.sizeT * image.sizeC
            guard start >= 0, start < pages.count, let key = pages[start] as TIFFPageInfo?, let dataType = key.dataType,
                  key.width == image.sizeX, key.height == image.sizeY, image.sizeC % key.samplesPerPixel == 0 else { return nil }
            let pageCount = planes / key.samplesPerPixel
            guard pageCount >= 1, start + pageCount <= pages.count else { return nil }
            let run = Array(pages[start..<(start + pageCount)])
            guard run.allSatisfy({ $0.shape == key.shape && $0.dataType == dataType }) else { return nil }
            var axes = "", shape: [Int] = []
            for letter in image.dimensionOrder.dropFirst(2).reversed() {
                axes.append(letter)
                shape.append(letter == "Z" ? image.sizeZ : letter == "T" ? image.sizeT : image.sizeC / key.samplesPerPixel)
            }
            let full = TIFFSeriesLevel(pages: run, axes: axes + key.axes, shape: shape + key.shape, dataType: dataType)
            result.append(TIFFSeries(index: result.count, kind: "ome", name: image.name, levels: [full] + subIFDLevels(of: full),
                                     pixelSize: image.pixelSize, channelNames: image.channelNames))
            next = start + pageCount
        }
        return result.isEmpty ? nil : result
    }

    /// tifffile's `_series_uniform` and `_series_generic`: pages (and SubIFDs) grouped by shape
    /// and type, `I` + page axes, then reduced copies joined to the series they reduce.
    private func genericSeries() -> [TIFFSeries] {
        var groups: [(key: TIFFPageInfo, pages: [TIFFPageInfo])] = []
        var all: [TIFFPageInfo] = []
        for page in pages {
            all.append(page)
            all += subIFDPages[page.index] ?? []
        }
        for page in all where page.dataType != nil {
            if let at = groups.firstIndex(where: { Self.samePageLayout($0.key, page) }) {
                groups[at].pages.append(page)
            } else {
                groups.append((page, [page]))
            }
        }
        // tifffile's `is_uniform` compares pages 1, 7 and the last with page 0: a file of 2 to 7
        // pages is left to the generic grouping.
        let uniform = groups.count == 1 && subIFDPages.isEmpty && (pages.count == 1 || pages.count >= 8)
        let series = groups.map { group -> TIFFSeries in
            let key = group.key
            var axes = key.axes, shape = key.shape
            if !uniform || group.pages.count > 1 {
                axes = "I" + axes
                shape = [group.pages.count] + shape
            }
            if !uniform, !axes.contains("S") {
                axes += "S"
                shape += [1]
            }
            let level = TIFFSeriesLevel(pages: group.pages, axes: axes, shape: shape, dataType: key.dataType ?? .uint8)
            return TIFFSeries(index: 0, kind: uniform ? "uniform" : "generic", name: "", levels: [level], pixelSize: nil)
        }
        return pyramidize(series, reducedOnly: false)
    }

    // MARK: Levels

    /// The levels a series' pages hold in their `SubIFDs`: level `i` is every page's SubIFD `i`,
    /// with the series' axes and the reduced `Y` and `X` (and samples) of those pages.
    private func subIFDLevels(of full: TIFFSeriesLevel) -> [TIFFSeriesLevel] {
        guard let count = full.pages.map({ subIFDPages[$0.index]?.count ?? 0 }).min(), count > 0 else { return [] }
        var levels: [TIFFSeriesLevel] = []
        for number in 0..<count {
            let reduced = full.pages.compactMap { subIFDPages[$0.index]?[number] }
            guard let key = reduced.first, let dataType = key.dataType, dataType == full.dataType,
                  reduced.allSatisfy({ $0.shape == key.shape && $0.dataType == dataType }),
                  let shape = Self.replacingPage(of: full, with: key) else { break }
            levels.append(TIFFSeriesLevel(pages: reduced, axes: full.axes, shape: shape, dataType: dataType))
        }
        return levels
    }

    /// `full`'s shape with its trailing page axes replaced by `page`'s, when they have the same axes.
    private static func replacingPage(of full: TIFFSeriesLevel, with page: TIFFPageInfo) -> [Int]? {
        guard let first = full.pages.first, first.axes == page.axes else { return nil }
        let pageSize = first.shape.reduce(1, *)
        var split = full.shape.count
        var product = 1
        while split > 0, product < pageSize {
            split -= 1
            product *= full.shape[split]
        }
        guard product == pageSize, Array(full.shape[split...]).filter({ $0 != 1 }) == first.shape.filter({ $0 != 1 }),
              full.shape.count - split == first.shape.count else { return nil }
        return Array(full.shape[..<split]) + page.shape
    }

    /// tifffile's `pyramidize_series`: a later series that is one step of 2, 3 or 4 smaller in `Y`
    /// and `X` than the last level of an earlier one (and otherwise alike) becomes its next level.
    private func pyramidize(_ series: [TIFFSeries], reducedOnly: Bool) -> [TIFFSeries] {
        var series = series
        var i = 0
        while i < series.count {
            if series[i].levels[0].pages.first?.subIFD != nil {
                i += 1
                continue
            }
            var factor: Int?
            var j = i + 1
            while j < series.count {
                let candidate = series[j]
                if reducedOnly, !(candidate.levels[0].pages.first?.isReducedResolution ?? false) {
                    j += 1
                    continue
                }
                let last = series[i].levels[series[i].levels.count - 1]
                if let known = factor {
                    guard Self.isOneStep(from: last, to: candidate.levels[0], factor: known) else { j += 1; continue }
                } else if let f = [2, 3, 4].first(where: { Self.isOneStep(from: last, to: candidate.levels[0], factor: $0) }) {
                    factor = f
                } else {
                    j += 1
                    continue
                }
                series[i].levels.append(candidate.levels[0])
                series.remove(at: j)
            }
            i += 1
        }
        return series
    }

    /// Whether `b` is `a` reduced once by `factor` in `Y` and `X` (rounding either way) and alike otherwise.
    private static func isOneStep(from a: TIFFSeriesLevel, to b: TIFFSeriesLevel, factor: Int) -> Bool {
        guard a.axes == b.axes, a.dataType == b.dataType, a.shape.count == b.shape.count else { return false }
        var reduced = false
        for (letter, (i, j)) in zip(a.axes, zip(a.shape, b.shape)) {
            if letter == "Y" || letter == "X" {
                guard j == i / factor || j == (i + factor - 1) / factor, j < i else { return false }
                reduced = true
            } else if i != j {
                return false
            }
        }
        return reduced
    }

    /// Whether two pages would share one tifffile series: same shape, samples layout and type.
    private static func samePageLayout(_ a: TIFFPageInfo, _ b: TIFFPageInfo) -> Bool {
        a.shape == b.shape && a.axes == b.axes && a.dataType == b.dataType && a.isReducedResolution == b.isReducedResolution
    }
}
