import CTIFF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MIFACore

// The one file of RasterIO that calls libtiff. Everything here is a thin, checked translation of
// libtiff's C API; the TIFF logic (what to read, what to check, what to throw) lives in TIFFFile.

/// A failure of one libtiff call while decoding or encoding a page.
struct LibTIFFFailure: Error {
    /// The strip or tile concerned, if any.
    var chunk: Int?
    /// libtiff's messages, or ours.
    var message: String
}

/// TIFF tag numbers used by RasterIO (TIFF 6.0 and libtiff pseudo-tags).
enum TIFFTag {
    static let subfileType: UInt32 = 254
    static let imageWidth: UInt32 = 256
    static let imageLength: UInt32 = 257
    static let bitsPerSample: UInt32 = 258
    static let compression: UInt32 = 259
    static let photometric: UInt32 = 262
    static let imageDescription: UInt32 = 270
    static let samplesPerPixel: UInt32 = 277
    static let rowsPerStrip: UInt32 = 278
    static let xResolution: UInt32 = 282
    static let yResolution: UInt32 = 283
    static let planarConfig: UInt32 = 284
    static let resolutionUnit: UInt32 = 296
    static let software: UInt32 = 305
    static let predictor: UInt32 = 317
    static let subIFDs: UInt32 = 330
    static let tileWidth: UInt32 = 322
    static let tileLength: UInt32 = 323
    static let extraSamples: UInt32 = 338
    static let sampleFormat: UInt32 = 339
    static let imageDepth: UInt32 = 32997
    static let zipQuality: UInt32 = 65557
    static let zstdLevel: UInt32 = 65564
}

/// One open libtiff handle, closed when released.
final class LibTIFF {
    private let tif: OpaquePointer
    private let stream: TIFFStream
    let log: TIFFMessageLog
    private var closed = false

    private init(tif: OpaquePointer, stream: TIFFStream, log: TIFFMessageLog) {
        self.tif = tif
        self.stream = stream
        self.log = log
    }

    deinit {
        if !closed { TIFFClose(tif) }
    }

    /// Opens a handle on `stream` with libtiff mode `mode` ("r", "w", "w8b", ...); on failure returns
    /// `nil` and libtiff's messages.
    static func open(_ stream: TIFFStream, name: String, mode: String, maxAllocation: Int) -> (LibTIFF?, TIFFMessageLog) {
        let log = TIFFMessageLog()
        guard let options = TIFFOpenOptionsAlloc() else { return (nil, log) }
        defer { TIFFOpenOptionsFree(options) }
        TIFFOpenOptionsSetMaxSingleMemAlloc(options, Int64(clamping: maxAllocation))
        let logPointer = Unmanaged.passUnretained(log).toOpaque()
        TIFFOpenOptionsSetErrorHandlerExtR(options, { _, user, module, format, arguments in
            guard let user, let format, let arguments else { return 1 }
            Unmanaged<TIFFMessageLog>.fromOpaque(user).takeUnretainedValue().record(LibTIFF.formatMessage(module, format, arguments), isError: true)
            return 1
        }, logPointer)
        TIFFOpenOptionsSetWarningHandlerExtR(options, { _, user, module, format, arguments in
            guard let user, let format, let arguments else { return 1 }
            Unmanaged<TIFFMessageLog>.fromOpaque(user).takeUnretainedValue().record(LibTIFF.formatMessage(module, format, arguments), isError: false)
            return 1
        }, logPointer)
        let client = Unmanaged.passUnretained(stream).toOpaque()
        let tif = TIFFClientOpenExt(
            name, mode, client,
            { handle, buffer, count in
                guard let handle, let buffer, count >= 0 else { return -1 }
                let raw = UnsafeMutableRawBufferPointer(start: buffer, count: Int(count))
                return Unmanaged<TIFFStream>.fromOpaque(handle).takeUnretainedValue().read(into: raw)
            },
            { handle, buffer, count in
                guard let handle, let buffer, count >= 0 else { return -1 }
                let raw = UnsafeRawBufferPointer(start: buffer, count: Int(count))
                return Unmanaged<TIFFStream>.fromOpaque(handle).takeUnretainedValue().write(raw)
            },
            { handle, offset, whence in
                guard let handle else { return UInt64.max }
                return Unmanaged<TIFFStream>.fromOpaque(handle).takeUnretainedValue().seek(offset, whence: whence)
            },
            { _ in 0 },
            { handle in
                guard let handle else { return 0 }
                return Unmanaged<TIFFStream>.fromOpaque(handle).takeUnretainedValue().size
            },
            { _, _, _ in 0 },
            { _, _, _ in },
            options)
        guard let tif else { return (nil, log) }
        return (LibTIFF(tif: tif, stream: stream, log: log), log)
    }

    private static func formatMessage(_ module: UnsafePointer<CChar>?, _ format: UnsafePointer<CChar>, _ arguments: CVaListPointer) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard let module else { return text }
        return "\(String(cString: module)): \(text)"
    }

    // MARK: Directories

    /// Whether the file is BigTIFF.
    var isBigTIFF: Bool { TIFFIsBigTIFF(tif) != 0 }
    /// Whether the file's byte order is big-endian.
    var isBigEndian: Bool { TIFFIsBigEndian(tif) != 0 }
    /// Whether the current page is tiled.
    var isTiled: Bool { TIFFIsTiled(tif) != 0 }
    /// The file offset of the current directory.
    var currentDirectoryOffset: UInt64 { TIFFCurrentDirOffset(tif) }
    /// Strips or tiles of the current page, as its offsets array holds them.
    var chunkCount: Int { Int(isTiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif)) }
    /// Bytes libtiff decodes for one full strip (striped pages) or tile (tiled pages).
    var libraryChunkSize: Int64 { isTiled ? Int64(bitPattern: TIFFTileSize64(tif)) : Int64(bitPattern: TIFFStripSize64(tif)) }

    /// Reads the next directory in the chain; `false` at the end or on an error (see ``log``).
    func readNextDirectory() -> Bool { TIFFReadDirectory(tif) == 1 }

    /// Makes the directory at `offset` current.
    func setDirectory(offset: UInt64) -> Bool {
        if currentDirectoryOffset == offset { return true }
        return TIFFSetSubDirectory(tif, offset) == 1 && currentDirectoryOffset == offset
    }

    /// Whether libtiff was built with the codec for a compression scheme.
    static func isCodecConfigured(_ scheme: Int) -> Bool {
        guard let value = UInt16(exactly: scheme) else { return false }
        return TIFFIsCODECConfigured(value) == 1
    }

    /// File offset of strip or tile `index` of the current page.
    func chunkOffset(_ index: Int) -> UInt64 { TIFFGetStrileOffset(tif, UInt32(index)) }
    /// Stored (compressed) byte count of strip or tile `index` of the current page.
    func chunkByteCount(_ index: Int) -> UInt64 { TIFFGetStrileByteCount(tif, UInt32(index)) }

    // MARK: Fields

    private func getField(_ tag: UInt32, defaulted: Bool, _ arguments: [any CVarArg]) -> Bool {
        withVaList(arguments) { list in
            (defaulted ? TIFFVGetFieldDefaulted(tif, tag, list) : TIFFVGetField(tif, tag, list)) == 1
        }
    }

    /// A 16-bit field of the current page; `defaulted` applies the TIFF default when it is absent.
    func uint16(_ tag: UInt32, defaulted: Bool = false) -> UInt16? {
        var value: UInt16 = 0
        let found = withUnsafeMutablePointer(to: &value) { getField(tag, defaulted: defaulted, [$0]) }
        return found ? value : nil
    }

    /// A 32-bit field of the current page.
    func uint32(_ tag: UInt32, defaulted: Bool = false) -> UInt32? {
        var value: UInt32 = 0
        let found = withUnsafeMutablePointer(to: &value) { getField(tag, defaulted: defaulted, [$0]) }
        return found ? value : nil
    }

    /// A rational field (libtiff hands these out as `float`).
    func float(_ tag: UInt32) -> Double? {
        var value: Float = 0
        let found = withUnsafeMutablePointer(to: &value) { getField(tag, defaulted: false, [$0]) }
        return found ? Double(value) : nil
    }

    /// An ASCII field.
    func string(_ tag: UInt32) -> String? {
        var value: UnsafeMutablePointer<CChar>? = nil
        let found = withUnsafeMutablePointer(to: &value) { getField(tag, defaulted: false, [$0]) }
        guard found, let value else { return nil }
        return String(cString: value)
    }

    /// The ExtraSamples values of the current page.
    func extraSamples() -> [UInt16] {
        var count: UInt16 = 0
        var values: UnsafeMutablePointer<UInt16>? = nil
        let found = withUnsafeMutablePointer(to: &count) { c in
            withUnsafeMutablePointer(to: &values) { v in getField(TIFFTag.extraSamples, defaulted: true, [c, v]) }
        }
        guard found, let values else { return [] }
        return Array(UnsafeBufferPointer(start: values, count: Int(count)))
    }

    /// The `SubIFDs` offsets of the current page (reduced-resolution levels, as Bio-Formats,
    /// bfconvert and tifffile's `subifds=` write them); empty when there are none.
    func subIFDOffsets() -> [UInt64] {
        var count: UInt16 = 0
        var values: UnsafeMutablePointer<UInt64>? = nil
        let found = withUnsafeMutablePointer(to: &count) { c in
            withUnsafeMutablePointer(to: &values) { v in getField(TIFFTag.subIFDs, defaulted: false, [c, v]) }
        }
        guard found, let values else { return [] }
        return Array(UnsafeBufferPointer(start: values, count: Int(count)))
    }

    /// Sets a field from integer or floating-point arguments, as `TIFFSetField` takes them.
    @discardableResult
    func setField(_ tag: UInt32, _ arguments: any CVarArg...) -> Bool {
        withVaList(arguments) { TIFFVSetField(tif, tag, $0) == 1 }
    }

    /// Sets an ASCII field.
    @discardableResult
    func setField(_ tag: UInt32, string: String) -> Bool {
        string.withCString { text in withVaList([text]) { TIFFVSetField(tif, tag, $0) == 1 } }
    }

    /// Sets ExtraSamples.
    @discardableResult
    func setExtraSamples(_ values: [UInt16]) -> Bool {
        values.withUnsafeBufferPointer { buffer in
            withVaList([Int32(values.count), buffer.baseAddress!]) { TIFFVSetField(tif, TIFFTag.extraSamples, $0) == 1 }
        }
    }

    // MARK: Pixels

    /// Decodes strips or tiles `chunks` of the current page into `destination`, which holds the
    /// page's bytes from byte `firstByte` on (the whole page from 0, or a buffer for a run of them).
    ///
    /// Strips decode straight into the destination; tiles decode into one scratch tile and are copied
    /// row by row, clipped at the image's edges. libtiff swaps bytes for files of the other order.
    /// Only the bytes of `chunks` are written, so handles on one file can fill one page together.
    ///
    /// With ``TIFFChunkPlan/differencing`` the page's `Predictor` is set to 1 on this handle
    /// before libtiff decodes (so it sets its codec up without its own predictor and swaps bytes
    /// into native order), and each strip or tile is summed up here once it is in the page. Every
    /// decode of a page on a read handle comes through here, so a codec that libtiff set up for
    /// the current directory was set up with this same `Predictor`.
    /// - Throws: ``LibTIFFFailure`` naming the chunk libtiff could not decode.
    func decode(_ plan: TIFFChunkPlan, chunks: Range<Int>, into destination: UnsafeMutableRawPointer, firstByte: Int) throws {
        precondition(chunks.lowerBound >= 0 && chunks.upperBound <= plan.chunkCount, "chunks outside the page")
        if plan.differencing != nil, uint16(TIFFTag.predictor) != 1 {
            log.clear()
            guard setField(TIFFTag.predictor, Int32(1)) else {
                throw LibTIFFFailure(chunk: chunks.lowerBound, message: log.takeErrors() ?? "libtiff cannot read the page without its predictor")
            }
        }
        let scratch = plan.tiled ? UnsafeMutableRawPointer.allocate(byteCount: plan.fullChunkBytes, alignment: 16) : nil
        defer { scratch?.deallocate() }
        for index in chunks {
            let place = plan.placement(ofChunk: index)
            // Where the chunk's plane starts relative to `destination` (negative for a run that starts inside the plane).
            let plane = place.plane * plan.planeBytes - firstByte
            log.clear()
            if let scratch {
                let n = TIFFReadEncodedTile(tif, UInt32(index), scratch, Int64(plan.fullChunkBytes))
                guard n == Int64(plan.fullChunkBytes) else { throw failure(index, got: n, expected: plan.fullChunkBytes) }
                let tileRowBytes = plan.chunkWidth * plan.pixelBytes
                for row in 0..<place.rows {
                    let target = destination.advanced(by: plane + (place.y + row) * plan.rowBytes + place.x * plan.pixelBytes)
                    target.copyMemory(from: scratch.advanced(by: row * tileRowBytes), byteCount: place.columns * plan.pixelBytes)
                }
            } else {
                let expected = place.rows * plan.rowBytes
                let n = TIFFReadEncodedStrip(tif, UInt32(index), destination.advanced(by: plane + place.y * plan.rowBytes), Int64(expected))
                guard n == Int64(expected) else { throw failure(index, got: n, expected: expected) }
            }
            // The chunk's rows in the page, summed while they are in cache (a tile's from its own left edge).
            plan.differencing?.undo(destination.advanced(by: plane + place.y * plan.rowBytes + place.x * plan.pixelBytes),
                                    rows: place.rows, pixels: place.columns, rowBytes: plan.rowBytes)
        }
    }

    /// A second handle on the same bytes, for reading on another thread (files are read with
    /// `pread`, buffers are shared read-only); `nil` with libtiff's messages when it cannot open.
    func sibling(name: String, maxAllocation: Int) -> (LibTIFF?, TIFFMessageLog) {
        LibTIFF.open(TIFFStream(stream.source), name: name, mode: "rm", maxAllocation: maxAllocation)
    }

    /// Encodes chunk `index` of the page whose dense bytes start at `page` (see ``TIFFChunkPlan``)
    /// as the current directory's strip or tile, through `scratch` (``TIFFChunkPlan/fullChunkBytes``
    /// bytes); tiles at the edges are padded with zeros.
    ///
    /// The chunk is copied to `scratch` first: libtiff swaps bytes and applies predictors in
    /// place, and the caller's array must not change.
    /// - Throws: ``LibTIFFFailure`` with libtiff's message.
    func encode(_ plan: TIFFChunkPlan, chunk index: Int, from page: UnsafeRawPointer, scratch: UnsafeMutableRawPointer) throws {
        let place = plan.placement(ofChunk: index)
        let planeStart = page.advanced(by: place.plane * plan.planeBytes)
        log.clear()
        let written: Int64
        if plan.tiled {
            scratch.initializeMemory(as: UInt8.self, repeating: 0, count: plan.fullChunkBytes)
            let tileRowBytes = plan.chunkWidth * plan.pixelBytes
            for row in 0..<place.rows {
                let from = planeStart.advanced(by: (place.y + row) * plan.rowBytes + place.x * plan.pixelBytes)
                scratch.advanced(by: row * tileRowBytes).copyMemory(from: from, byteCount: place.columns * plan.pixelBytes)
            }
            written = TIFFWriteEncodedTile(tif, UInt32(index), scratch, Int64(plan.fullChunkBytes))
        } else {
            let count = place.rows * plan.rowBytes
            scratch.copyMemory(from: planeStart.advanced(by: place.y * plan.rowBytes), byteCount: count)
            written = TIFFWriteEncodedStrip(tif, UInt32(index), scratch, Int64(count))
        }
        guard written >= 0 else { throw LibTIFFFailure(chunk: index, message: log.takeErrors() ?? "libtiff could not encode it") }
    }

    /// The stored (encoded) bytes of chunk `index` of the current directory, for handles on an
    /// in-memory output stream that have just encoded it.
    func storedChunk(_ index: Int) -> [UInt8] {
        stream.peek(at: Int(clamping: chunkOffset(index)), count: Int(clamping: chunkByteCount(index)))
    }

    /// Appends `bytes`, already encoded (``storedChunk(_:)`` of a handle with the same tags, or
    /// the pixels themselves when the page is stored uncompressed in native order), as strip or
    /// tile `index` of the current directory.
    /// - Throws: ``LibTIFFFailure`` with libtiff's message.
    func writeEncoded(_ bytes: UnsafeRawBufferPointer, chunk index: Int, tiled: Bool) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { throw LibTIFFFailure(chunk: index, message: "libtiff encoded it to no bytes") }
        log.clear()
        // libtiff takes a mutable pointer but only reads the data of a raw write.
        let data = UnsafeMutableRawPointer(mutating: base)
        let written = tiled ? TIFFWriteRawTile(tif, UInt32(index), data, Int64(bytes.count)) : TIFFWriteRawStrip(tif, UInt32(index), data, Int64(bytes.count))
        guard written == Int64(bytes.count) else { throw LibTIFFFailure(chunk: index, message: log.takeErrors() ?? "libtiff could not write it") }
    }

    /// Prepares the current directory for the contiguous layout: its strip or tile arrays are
    /// written later (``forceChunkArrays()``), so all directories can precede all pixel data.
    /// - Throws: ``LibTIFFFailure`` with libtiff's message.
    func deferChunkArrays(tiled: Bool) throws {
        log.clear()
        guard TIFFDeferStrileArrayWriting(tif) == 1, TIFFWriteCheck(tif, tiled ? 1 : 0, "MIFAKit") == 1 else {
            throw LibTIFFFailure(chunk: nil, message: log.takeErrors() ?? "libtiff cannot prepare the directory")
        }
    }

    /// Makes the written directory at byte `offset` current again, to write its arrays or pixels.
    /// - Throws: ``LibTIFFFailure`` with libtiff's message.
    func selectWrittenDirectory(offset: Int) throws {
        log.clear()
        guard TIFFSetSubDirectory(tif, UInt64(offset)) == 1 else {
            throw LibTIFFFailure(chunk: nil, message: log.takeErrors() ?? "libtiff cannot return to the directory at byte \(offset)")
        }
    }

    /// Reads `buffer.count` bytes stored raw at `offset` straight into `buffer` (the caller has
    /// checked the range against the limits and the file).
    /// - Throws: ``RasterIOError`` `.truncated` or `.io` naming `name`.
    func readRaw(at offset: Int, into buffer: UnsafeMutableRawBufferPointer, name: String) throws {
        try stream.readRaw(at: offset, into: buffer, name: name)
    }

    /// The bytes written so far (output handles; only read while they are small: directories).
    var writtenBytes: [UInt8] { stream.peek(at: 0, count: Int(stream.size)) }

    /// Writes the deferred strip or tile arrays of the current directory (placeholders until the
    /// pixels are written, then updated in place).
    /// - Throws: ``LibTIFFFailure`` with libtiff's message.
    func forceChunkArrays() throws {
        log.clear()
        guard TIFFForceStrileArrayWriting(tif) == 1 else {
            throw LibTIFFFailure(chunk: nil, message: log.takeErrors() ?? "libtiff cannot write the strip arrays")
        }
    }

    /// Flushes pending data and updated strip arrays of the current directory.
    /// - Throws: ``LibTIFFFailure`` with libtiff's message.
    func flush() throws {
        log.clear()
        guard TIFFFlush(tif) == 1 else {
            throw LibTIFFFailure(chunk: nil, message: log.takeErrors() ?? "libtiff cannot flush the file")
        }
    }

    /// Writes the current directory and starts a new one.
    /// - Throws: ``LibTIFFFailure`` with libtiff's message.
    func writeDirectory() throws {
        log.clear()
        guard TIFFWriteDirectory(tif) == 1 else {
            throw LibTIFFFailure(chunk: nil, message: log.takeErrors() ?? "libtiff could not write the image file directory")
        }
    }

    /// Closes the handle and returns the bytes written (for handles opened on an in-memory output
    /// stream; empty for a file, whose bytes are already there).
    func finish() -> [UInt8] {
        if !closed {
            TIFFClose(tif)
            closed = true
        }
        return stream.output
    }

    private func failure(_ index: Int, got: Int64, expected: Int) -> LibTIFFFailure {
        let detail = log.takeErrors() ?? (got < 0 ? "libtiff could not decode it" : "decoded \(got) bytes, expected \(expected)")
        return LibTIFFFailure(chunk: index, message: detail)
    }
}
