public import MIFACore

extension TIFFFile {
    /// Writes an image as a TIFF, atomically: the file appears complete or not at all.
    ///
    /// The axes must end with `YX` (gray), `YXS` (interleaved samples; 3 or 4 `uint8`/`uint16`
    /// samples are written as RGB/RGBA) or `SYX` (planar samples). Leading `T`, `Z`, `C` axes, in any
    /// order, become pages in ImageJ's order (channels fastest, then slices, then frames) and are
    /// declared in an ImageJ description (see ``TIFFWriteOptions/imageJ``), so ``readStack()``
    /// returns them as `TZCYX` with the absent axes left out. Physical sizes are written as
    /// `XResolution`/`YResolution` and ImageJ's `unit`, `spacing`, `finterval`.
    /// - Throws: ``RasterIOError`` `.invalidArgument` for arrays or options TIFF cannot hold
    ///   (`bool` elements, axes not ending in `YX`, an empty axis, tiles not a multiple of 16),
    ///   `.io` when the file cannot be written.
    ///
    /// The pages stream into a temporary next to `path` (renamed onto it at the end, synced to
    /// disk first when `durable`): runs of strips or tiles are encoded on every core, a few at a
    /// time, and written in order as they are done, so writing holds no copy of the file in memory.
    public static func write(_ image: RasterImage, to path: String, options: TIFFWriteOptions = TIFFWriteOptions(), durable: Bool = true) throws {
        let output = try RasterIOError.translatingIO(path) { try AtomicFileWriter(path: path) }
        let stream = TIFFStream(.outputFile(output))
        do {
            _ = try encode(image, options: options, name: path, into: stream)
        } catch {
            // A failed write (disk full, I/O error) reaches libtiff as -1 only: say why, naming the file.
            if let failure = stream.writeError { throw RasterIOError(.io, failure.message, file: path) }
            throw error
        }
        try RasterIOError.translatingIO(path) { try output.commit(durable: durable) }
    }

    /// Writes a bare array as a TIFF with the axes ``RasterImage/defaultAxes(shape:dataType:)`` guesses.
    /// - Throws: ``RasterIOError`` as ``write(_:to:options:durable:)``.
    public static func write(_ array: AnyNDArray, to path: String, options: TIFFWriteOptions = TIFFWriteOptions()) throws {
        try write(RasterImage(array: array), to: path, options: options)
    }

    /// The bytes of a TIFF holding `image`, as ``write(_:to:options:durable:)`` would write them.
    /// - Throws: ``RasterIOError`` `.invalidArgument` as ``write(_:to:options:durable:)``.
    public static func encode(_ image: RasterImage, options: TIFFWriteOptions = TIFFWriteOptions(), name: String = "<memory>") throws -> [UInt8] {
        try encode(image, options: options, name: name, into: TIFFStream(.output))
    }

    /// Encodes `image` into `stream`; returns the bytes of an in-memory stream (empty for a file).
    private static func encode(_ image: RasterImage, options: TIFFWriteOptions, name: String, into stream: TIFFStream) throws -> [UInt8] {
        let array = image.array.rowMajor
        let dataType = array.dataType
        let shape = array.shape
        func invalid(_ message: String) -> RasterIOError { RasterIOError(.invalidArgument, message, file: name, shape: shape) }
        guard dataType != .bool else { throw invalid("TIFF has no boolean samples; convert the array to uint8 first") }
        try RasterImage.validate(axes: image.axes, shape: shape)
        let axes = Array(image.axes)
        let tail = ["YXS", "SYX", "YX"].first { image.axes.hasSuffix($0) }
        guard let tail, axes.dropLast(tail.count).allSatisfy({ "TZC".contains($0) }) else {
            throw invalid("axes '\(image.axes)' must be T, Z, C axes followed by YX, YXS or SYX")
        }
        let planar = tail == "SYX"
        let extent = { (letter: Character) -> Int in image.extent(of: letter) ?? 1 }
        let (height, width, samples) = (extent("Y"), extent("X"), extent("S"))
        guard shape.allSatisfy({ $0 > 0 }) else { throw invalid("an image with an empty axis (shape \(shape)) cannot be written as TIFF") }
        guard height <= Int(UInt32.max), width <= Int(UInt32.max), samples <= Int(UInt16.max) else {
            throw invalid("a TIFF page holds at most 4294967295×4294967295 pixels of 65535 samples")
        }

        // Pages: the leading axes, visited in ImageJ's order t, z, c.
        let leading = Array(axes.dropLast(tail.count))
        var strides: [Character: Int] = [:]
        var step = 1
        for letter in leading.reversed() {
            strides[letter] = step
            step *= extent(letter)
        }
        var sourcePages: [Int] = []
        for t in 0..<extent("T") {
            for z in 0..<extent("Z") {
                for c in 0..<extent("C") {
                    sourcePages.append(t * (strides["T"] ?? 0) + z * (strides["Z"] ?? 0) + c * (strides["C"] ?? 0))
                }
            }
        }

        let plan = try chunkPlan(width: width, height: height, samples: samples, planar: planar, dataType: dataType, layout: options.layout, name: name, shape: shape)
        let total = plan.pageBytes.multipliedReportingOverflow(by: sourcePages.count)
        let bigTIFF = options.bigTIFF || total.overflow || total.partialValue > (1 << 32) - (1 << 26)
        guard LibTIFF.isCodecConfigured(options.compression.tagValue) else {
            throw invalid("this libtiff cannot write \(options.compression.rawValue) compression")
        }
        if options.predictor, ![.lzw, .deflate, .zstd].contains(options.compression) {
            throw invalid("a predictor needs lzw, deflate or zstd compression, not \(options.compression.rawValue)")
        }
        if options.predictor, dataType.isFloatingPoint, options.byteOrder == .big {
            // libtiff 4.5 swaps the samples before its floating-point predictor and so writes them wrongly.
            throw invalid("the floating-point predictor cannot be written to a big-endian TIFF (libtiff 4.5 writes it wrongly); write little-endian or without a predictor")
        }

        let mode = "w" + (bigTIFF ? "8" : "") + (options.byteOrder == .big ? "b" : "l")
        let (opened, log) = LibTIFF.open(stream, name: name, mode: mode, maxAllocation: Int.max)
        guard let handle = opened else { throw RasterIOError(.io, "libtiff cannot start a TIFF: \(log.takeErrors() ?? "unknown reason")", file: name) }

        let rgb = (samples == 3 || samples == 4) && (dataType == .uint8 || dataType == .uint16)
        let description: String? = options.imageJ && (sourcePages.count > 1 || image.pixelSize?.unit != nil)
            ? ImageJMetadata.description(images: sourcePages.count, channels: extent("C"), slices: extent("Z"), frames: extent("T"), isRGB: rgb && samples == 3, pixelSize: image.pixelSize)
            : nil
        let tags = PageTags(width: width, height: height, samples: samples, dataType: dataType, planar: planar, rgb: rgb, options: options, plan: plan, pixelSize: image.pixelSize)
        // All directories first, then all pixel data in page order: the layout ImageJ writes and
        // that ImageJ and tifffile expect of ImageJ hyperstacks (they read uncompressed ones as one
        // contiguous block). libtiff's deferred strile arrays make it possible.
        do {
            for pageNumber in sourcePages.indices {
                guard tags.apply(to: handle, description: pageNumber == 0 ? description : nil) else {
                    throw RasterIOError(.invalidArgument, "libtiff refused the tags of page \(pageNumber): \(handle.log.takeErrors() ?? "unknown reason")", file: name, page: pageNumber)
                }
                try handle.deferChunkArrays(tiled: plan.tiled)
                try handle.writeDirectory()
            }
            // Directories are revisited by offset: by number, libtiff walks the chain each time.
            let offsets = directoryOffsets(handle.writtenBytes, bigTIFF: bigTIFF, bigEndian: options.byteOrder == .big)
            guard offsets.count == sourcePages.count else {
                throw LibTIFFFailure(chunk: nil, message: "wrote \(offsets.count) directories instead of \(sourcePages.count)")
            }
            for offset in offsets {
                try handle.selectWrittenDirectory(offset: offset)
                try handle.forceChunkArrays()
            }
            try array.withUnsafeBytes { raw in
                try encodePages(sourcePages, from: raw, tags: tags, mode: mode, directories: offsets, into: handle, name: name)
            }
        } catch let failure as LibTIFFFailure {
            throw RasterIOError(.io, "libtiff cannot write the file: \(failure.message)", file: name)
        }
        handle.log.clear()
        let bytes = handle.finish()
        if let problem = handle.log.takeErrors() {
            throw RasterIOError(.io, "libtiff cannot finish the file: \(problem)", file: name)
        }
        return bytes
    }

    private static func chunkPlan(width: Int, height: Int, samples: Int, planar: Bool, dataType: DataType, layout: TIFFWriteOptions.Layout, name: String, shape: [Int]) throws -> TIFFChunkPlan {
        let pixelBytes = (planar ? 1 : samples) * dataType.byteSize
        let plan: TIFFChunkPlan?
        switch layout {
        case .striped(let rows):
            let rowBytes = width.multipliedReportingOverflow(by: pixelBytes)
            let automatic = rowBytes.overflow ? 1 : Swift.max(1, (64 << 10) / Swift.max(rowBytes.partialValue, 1))
            let rowsPerStrip = rows ?? automatic
            guard rowsPerStrip >= 1 else {
                throw RasterIOError(.invalidArgument, "rows per strip must be at least 1, not \(rowsPerStrip)", file: name, shape: shape)
            }
            plan = TIFFChunkPlan(width: width, height: height, planes: planar ? samples : 1, pixelBytes: pixelBytes, tiled: false, chunkWidth: width, chunkHeight: Swift.min(rowsPerStrip, height))
        case .tiled(let tileWidth, let tileHeight):
            guard tileWidth > 0, tileHeight > 0, tileWidth % 16 == 0, tileHeight % 16 == 0 else {
                throw RasterIOError(.invalidArgument, "tiles must be positive multiples of 16 pixels on both sides (TIFF 6.0), not \(tileWidth)×\(tileHeight)", file: name, shape: shape)
            }
            plan = TIFFChunkPlan(width: width, height: height, planes: planar ? samples : 1, pixelBytes: pixelBytes, tiled: true, chunkWidth: tileWidth, chunkHeight: tileHeight)
        }
        guard let plan else {
            throw RasterIOError(.invalidArgument, "a page of \(width)×\(height)×\(samples) \(dataType.rawValue) is too large to address", file: name, shape: shape)
        }
        return plan
    }

    /// The offsets of the chain of image file directories in a TIFF's bytes (stops at a loop or
    /// at bytes outside the buffer; only used on files libtiff just wrote).
    private static func directoryOffsets(_ bytes: [UInt8], bigTIFF: Bool, bigEndian: Bool) -> [Int] {
        func value(_ at: Int, _ count: Int) -> Int? {
            guard at >= 0, count <= bytes.count, at <= bytes.count - count else { return nil }
            var result = 0
            for i in 0..<count { result = result << 8 | Int(bytes[at + (bigEndian ? i : count - 1 - i)]) }
            return result
        }
        let (countSize, entrySize, offsetSize) = bigTIFF ? (8, 20, 8) : (2, 12, 4)
        var offsets: [Int] = []
        var seen = Set<Int>()
        var next = value(bigTIFF ? 8 : 4, offsetSize) ?? 0
        while next != 0, seen.insert(next).inserted, let count = value(next, countSize) {
            offsets.append(next)
            guard let following = value(next + countSize + count * entrySize, offsetSize) else { break }
            next = following
        }
        return offsets
    }

    /// Writes `bytes` to `path` atomically (a temporary renamed into place), without copying them.
    /// - Throws: ``RasterIOError`` `.io`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, durable: Bool) throws {
        try RasterIOError.translatingIO(path) { try AtomicFile.write(bytes, to: path, durable: durable) }
    }
}

/// The tags every page of one written TIFF shares.
struct PageTags: Sendable {
    let width: Int, height: Int, samples: Int
    let dataType: DataType
    let planar: Bool, rgb: Bool
    let options: TIFFWriteOptions
    let plan: TIFFChunkPlan
    let pixelSize: PixelSize?

    /// Sets the compression level, a codec setting that is not stored in the file (the encoders'
    /// handles set it with the other tags).
    private func applyCodecLevel(to handle: LibTIFF) -> Bool {
        guard let level = options.level else { return true }
        switch options.compression {
        case .deflate: return handle.setField(TIFFTag.zipQuality, Int32(clamping: level))
        case .zstd: return handle.setField(TIFFTag.zstdLevel, Int32(clamping: level))
        default: return true
        }
    }

    /// Sets the tags of the current directory; `false` when libtiff refuses one.
    func apply(to handle: LibTIFF, description: String?) -> Bool {
        var ok = true
        ok = ok && handle.setField(TIFFTag.imageWidth, UInt32(width))
        ok = ok && handle.setField(TIFFTag.imageLength, UInt32(height))
        ok = ok && handle.setField(TIFFTag.bitsPerSample, Int32(dataType.byteSize * 8))
        ok = ok && handle.setField(TIFFTag.samplesPerPixel, Int32(samples))
        let format: Int32 = dataType.isFloatingPoint ? 3 : (dataType.isSignedInteger ? 2 : 1)
        ok = ok && handle.setField(TIFFTag.sampleFormat, format)
        ok = ok && handle.setField(TIFFTag.photometric, Int32(rgb ? 2 : 1))
        ok = ok && handle.setField(TIFFTag.planarConfig, Int32(planar ? 2 : 1))
        ok = ok && handle.setField(TIFFTag.compression, Int32(options.compression.tagValue))
        if options.predictor { ok = ok && handle.setField(TIFFTag.predictor, Int32(dataType.isFloatingPoint ? 3 : 2)) }
        ok = ok && applyCodecLevel(to: handle)
        if plan.tiled {
            ok = ok && handle.setField(TIFFTag.tileWidth, UInt32(plan.chunkWidth))
            ok = ok && handle.setField(TIFFTag.tileLength, UInt32(plan.chunkHeight))
        } else {
            ok = ok && handle.setField(TIFFTag.rowsPerStrip, UInt32(plan.chunkHeight))
        }
        if samples > 1 {
            let extra: [UInt16] = rgb ? (samples == 4 ? [2] : []) : Array(repeating: 0, count: samples - 1)
            if !extra.isEmpty { ok = ok && handle.setExtraSamples(extra) }
        }
        ok = ok && handle.setField(TIFFTag.software, string: "MIFAKit")
        if let description { ok = ok && handle.setField(TIFFTag.imageDescription, string: description) }
        if let x = pixelSize?.x, x > 0, x.isFinite {
            let y = pixelSize?.y.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? x
            let unit: Int32
            switch pixelSize?.unit {
            case "inch"?: unit = 2
            case "centimeter"?, "cm"?: unit = 3
            default: unit = 1
            }
            ok = ok && handle.setField(TIFFTag.xResolution, 1 / x)
            ok = ok && handle.setField(TIFFTag.yResolution, 1 / y)
            ok = ok && handle.setField(TIFFTag.resolutionUnit, unit)
        }
        return ok
    }
}
