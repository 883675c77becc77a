public import MIFACore

/// A TIFF file opened for reading: every page's tags up front, pixels on demand.
///
/// Reads classic TIFF and BigTIFF in either byte order through libtiff: 8/16/32/64-bit unsigned and
/// signed integers and 16/32/64-bit floats, gray or multi-sample (RGB, RGBA, ...), interleaved or
/// planar, striped or tiled, uncompressed or compressed with any codec libtiff has (LZW, Deflate,
/// Zstandard, PackBits, LZMA, ...). ``readPage(_:)`` returns one page, ``readStack()`` the
/// pages as one array, with ImageJ hyperstack axes when the file declares them
/// (see ``stackLayout()``).
///
/// Opening walks the whole chain of pages, so a damaged page anywhere is reported at once. Before
/// any pixels are allocated the reader checks the page's size against ``limits``, that every strip
/// or tile lies inside the file, and that the compressed bytes could really expand to the size the
/// header claims (``ReadLimits/maximumExpansion(forTIFFCompression:)``).
///
/// A `TIFFFile` owns one libtiff handle and is not thread-safe: use it from one thread at a time,
/// or open one per thread. A large read decodes on several threads itself, each through a second
/// handle on the same file that lives for that read.
public final class TIFFFile {
    /// The path, or the name given to in-memory bytes; errors name it.
    public let name: String
    /// The file's size in bytes.
    public let fileSize: Int
    /// Whether the file is BigTIFF (64-bit offsets) rather than classic TIFF.
    public let isBigTIFF: Bool
    /// The byte order of the file (`II` little, `MM` big); pixels are returned in native order.
    public let byteOrder: Endianness
    /// Every page, in file order.
    public let pages: [TIFFPageInfo]
    /// The limits reads are held to.
    public let limits: ReadLimits
    /// The pages held in each page's `SubIFDs` (reduced-resolution levels), by parent page index.
    public let subIFDPages: [Int: [TIFFPageInfo]]
    let handle: LibTIFF

    /// Opens the TIFF file at `path` and reads the tags of all its pages.
    /// - Throws: ``RasterIOError``: `.io` when the file cannot be read, `.wrongFormat` when it is not
    ///   a TIFF, `.truncated` or `.corrupt` when a header or page directory is damaged, `.tooLarge`
    ///   when it has more than ``ReadLimits/maxPages`` pages.
    public convenience init(path: String, limits: ReadLimits = .default) throws {
        let file = try POSIXFile(path: path)
        try self.init(stream: TIFFStream(.file(file)), name: path, limits: limits)
    }

    /// Opens a TIFF held in memory; `name` is used in error messages.
    /// - Throws: ``RasterIOError`` as ``init(path:limits:)``.
    public convenience init(bytes: [UInt8], name: String = "<memory>", limits: ReadLimits = .default) throws {
        try self.init(stream: TIFFStream(.memory(bytes)), name: name, limits: limits)
    }

    private init(stream: TIFFStream, name: String, limits: ReadLimits) throws {
        let size = Int(stream.size)
        let firstIFD = try Self.checkHeader(stream.peek(at: 0, count: 16), size: size, name: name)
        let (opened, log) = LibTIFF.open(stream, name: name, mode: "rm", maxAllocation: limits.maxBytes)
        guard let handle = opened else {
            let detail = log.takeErrors() ?? "libtiff gave no reason"
            throw RasterIOError(.corrupt, "cannot read the first image file directory: \(detail); the file is damaged or not a TIFF libtiff can read", file: name, page: 0, key: "IFD", offset: firstIFD)
        }
        var pages: [TIFFPageInfo] = []
        while true {
            if let warning = handle.log.unreadableTagWarning {
                throw RasterIOError(.truncated, "a tag of the page's directory cannot be read: \(warning); the file is cut short or damaged", file: name, page: pages.count, key: "IFD", offset: Int(clamping: handle.currentDirectoryOffset))
            }
            pages.append(Self.pageInfo(handle, index: pages.count))
            handle.log.clear()
            if handle.readNextDirectory() {
                guard pages.count < limits.maxPages else {
                    throw RasterIOError(.tooLarge, "the file has more than \(limits.maxPages) pages, more than are read (ReadLimits.maxPages); a chain of pages this long is most likely damaged, so check the file with tifffile or re-export it", file: name, page: pages.count, key: "IFD")
                }
                continue
            }
            if let detail = handle.log.takeErrors() {
                throw RasterIOError(.corrupt, "cannot read the image file directory of page \(pages.count): \(detail); the chain of pages is damaged after page \(pages.count - 1)", file: name, page: pages.count, key: "IFD")
            }
            break
        }
        // The pages' SubIFDs (pyramid levels), read by offset after the main chain; they count
        // towards maxPages, and an offset outside the file or one that libtiff cannot read is
        // reported with its parent page.
        var subIFDPages: [Int: [TIFFPageInfo]] = [:]
        var total = pages.count
        for page in pages where !page.subIFDOffsets.isEmpty {
            var levels: [TIFFPageInfo] = []
            for (number, offset) in page.subIFDOffsets.enumerated() {
                total += 1
                guard total <= limits.maxPages else {
                    throw RasterIOError(.tooLarge, "the file has more than \(limits.maxPages) pages and SubIFDs, more than are read (ReadLimits.maxPages); a file with this many is most likely damaged, so check it with tifffile or re-export it", file: name, page: page.index, key: "SubIFDs")
                }
                handle.log.clear()
                guard offset >= 8, offset < size, handle.setDirectory(offset: UInt64(offset)) else {
                    throw RasterIOError(.corrupt, "SubIFD \(number) at byte \(offset) cannot be read: \(handle.log.takeErrors() ?? "it lies outside the file"); the file is damaged", file: name, page: page.index, key: "SubIFDs", offset: page.offset)
                }
                var info = Self.pageInfo(handle, index: page.index)
                info.subIFD = number
                info.subIFDOffsets = []
                levels.append(info)
            }
            subIFDPages[page.index] = levels
        }
        self.subIFDPages = subIFDPages
        self.name = name
        self.fileSize = size
        self.isBigTIFF = handle.isBigTIFF
        self.byteOrder = handle.isBigEndian ? .big : .little
        self.pages = pages
        self.limits = limits
        self.handle = handle
    }

    /// Number of pages.
    public var pageCount: Int { pages.count }

    /// The ImageJ metadata of the first page's description, when the file was written by ImageJ
    /// or in ImageJ style (tifffile's `imagej=True`).
    public var imageJ: ImageJMetadata? {
        pages.first?.imageDescription.flatMap { ImageJMetadata(description: $0) }
    }

    /// Checks the 8- or 16-byte header and returns the first directory's offset.
    private static func checkHeader(_ header: [UInt8], size: Int, name: String) throws -> Int {
        guard header.count >= 8 else {
            throw RasterIOError(.truncated, "the file has \(size) bytes but a TIFF header needs 8; the file is empty or cut short", file: name, offset: 0)
        }
        let little = header[0] == 0x49 && header[1] == 0x49
        guard little || (header[0] == 0x4D && header[1] == 0x4D) else {
            throw RasterIOError(.wrongFormat, "not a TIFF file: it starts with bytes \(hex(header.prefix(4))), a TIFF starts with 49 49 (II) or 4D 4D (MM)", file: name, offset: 0)
        }
        func value(_ at: Int, _ count: Int) -> UInt64 {
            var result: UInt64 = 0
            for i in 0..<count {
                let byte = UInt64(header[at + (little ? count - 1 - i : i)])
                result = result << 8 | byte
            }
            return result
        }
        let version = value(2, 2)
        let offset: UInt64
        switch version {
        case 42:
            offset = value(4, 4)
        case 43:
            guard header.count >= 16 else {
                throw RasterIOError(.truncated, "the file has \(size) bytes but a BigTIFF header needs 16", file: name, offset: 0)
            }
            guard value(4, 2) == 8, value(6, 2) == 0 else {
                throw RasterIOError(.corrupt, "BigTIFF header declares offsets of \(value(4, 2)) bytes; only 8 is valid", file: name, offset: 4)
            }
            offset = value(8, 8)
        default:
            throw RasterIOError(.wrongFormat, "not a TIFF file: version number \(version) at byte 2, expected 42 (TIFF) or 43 (BigTIFF)", file: name, offset: 2)
        }
        guard offset >= 8, offset < UInt64(size) else {
            let kind: RasterIOError.Code = offset >= UInt64(size) ? .truncated : .corrupt
            throw RasterIOError(kind, "the first image file directory is at byte \(offset), outside the file of \(size) bytes; the file is cut short or damaged", file: name, page: 0, key: "IFD", offset: version == 42 ? 4 : 8)
        }
        return Int(offset)
    }

    private static func hex(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }

    /// The tags of the current directory of `handle`.
    private static func pageInfo(_ handle: LibTIFF, index: Int) -> TIFFPageInfo {
        let height = Int(handle.uint32(TIFFTag.imageLength) ?? 0)
        let compression = Int(handle.uint16(TIFFTag.compression, defaulted: true) ?? 1)
        let tiled = handle.isTiled
        // Only codecs with a predictor register the tag; asking others could misread their state.
        let predictorCodecs: Set<Int> = [5, 8, 32946, 34925, 50000]
        let predictor = predictorCodecs.contains(compression) && LibTIFF.isCodecConfigured(compression)
            ? Int(handle.uint16(TIFFTag.predictor) ?? 1) : 1
        func positive(_ value: Double?) -> Double? {
            guard let value, value.isFinite, value > 0 else { return nil }
            return value
        }
        return TIFFPageInfo(
            index: index,
            offset: Int(clamping: handle.currentDirectoryOffset),
            width: Int(handle.uint32(TIFFTag.imageWidth) ?? 0),
            height: height,
            samplesPerPixel: Int(handle.uint16(TIFFTag.samplesPerPixel, defaulted: true) ?? 1),
            bitsPerSample: Int(handle.uint16(TIFFTag.bitsPerSample, defaulted: true) ?? 1),
            sampleFormat: Int(handle.uint16(TIFFTag.sampleFormat, defaulted: true) ?? 1),
            compression: TIFFCompression(rawValue: compression),
            photometric: handle.uint16(TIFFTag.photometric).map(Int.init),
            isPlanar: handle.uint16(TIFFTag.planarConfig, defaulted: true) == 2,
            isTiled: tiled,
            tileWidth: tiled ? handle.uint32(TIFFTag.tileWidth).map(Int.init) : nil,
            tileHeight: tiled ? handle.uint32(TIFFTag.tileLength).map(Int.init) : nil,
            rowsPerStrip: tiled ? nil : Swift.min(Int(handle.uint32(TIFFTag.rowsPerStrip, defaulted: true) ?? UInt32.max), Swift.max(height, 1)),
            predictor: predictor,
            extraSamples: handle.extraSamples().map(Int.init),
            imageDescription: handle.string(TIFFTag.imageDescription),
            xResolution: positive(handle.float(TIFFTag.xResolution)),
            yResolution: positive(handle.float(TIFFTag.yResolution)),
            resolutionUnit: Int(handle.uint16(TIFFTag.resolutionUnit, defaulted: true) ?? 2),
            subfileType: Int(handle.uint32(TIFFTag.subfileType, defaulted: true) ?? 0),
            imageDepth: Int(handle.uint32(TIFFTag.imageDepth, defaulted: true) ?? 1),
            subIFDOffsets: handle.subIFDOffsets().map { Int(clamping: $0) })
    }
}
