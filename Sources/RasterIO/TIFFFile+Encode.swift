import MIFACore

extension TIFFFile {
    /// Pixels encoded by one task: about 4 MiB, a run of whole strips or tiles of one page. Each
    /// task opens its own encoder (libtiff makes a codec context per handle: zstd's tables at
    /// level 9 are megabytes, zeroed when made), so smaller tasks spend their time making contexts.
    static let encodeTaskBytes = 4 << 20

    /// One piece of encoding work: strips or tiles `chunks` of written page `page`.
    struct EncodeTask: Sendable {
        let page: Int
        let chunks: Range<Int>
    }

    /// Encodes the pages `sourcePages` of `source` (page `n` of the file is source page
    /// `sourcePages[n]`, ``TIFFChunkPlan/pageBytes`` each) and writes them, in file order, into the
    /// directories at `directories`, already written with their chunk arrays deferred.
    ///
    /// Writes stream: runs of strips or tiles are encoded on several threads, each through its
    /// own libtiff handle on an in-memory stream with the page's tags (libtiff's own codecs,
    /// predictors and byte order, so the bytes are those libtiff writes on one thread), a window
    /// of two runs per thread at a time; the calling thread then writes the window's encoded
    /// chunks in order with `TIFFWriteRawStrip`/`TIFFWriteRawTile`. Memory stays bounded by the
    /// window, whatever the image's size. Uncompressed strips in native byte order are the pixels
    /// themselves, written straight from `source` with no encoder.
    /// - Throws: ``LibTIFFFailure`` naming the chunk libtiff could not encode or write.
    static func encodePages(_ sourcePages: [Int], from source: UnsafeRawBufferPointer, tags: PageTags, mode: String, directories: [Int],
                            into handle: LibTIFF, name: String) throws {
        let plan = tags.plan
        if tags.options.compression == .none, !plan.tiled, tags.options.byteOrder == .native {
            // The stored bytes are the pixels themselves: written straight from the source.
            for (page, sourcePage) in sourcePages.enumerated() {
                try handle.selectWrittenDirectory(offset: directories[page])
                for index in 0..<plan.chunkCount {
                    let place = plan.placement(ofChunk: index)
                    let start = sourcePage * plan.pageBytes + place.plane * plan.planeBytes + place.y * plan.rowBytes
                    try handle.writeEncoded(UnsafeRawBufferPointer(rebasing: source[start..<(start + place.rows * plan.rowBytes)]), chunk: index, tiled: false)
                }
                try handle.flush()
            }
            return
        }
        let run = Swift.max(1, encodeTaskBytes / plan.fullChunkBytes)
        var planned: [EncodeTask] = []
        for page in sourcePages.indices {
            for start in stride(from: 0, to: plan.chunkCount, by: run) {
                planned.append(EncodeTask(page: page, chunks: start..<Swift.min(start + run, plan.chunkCount)))
            }
        }
        let tasks = planned
        let (total, overflow) = plan.pageBytes.multipliedReportingOverflow(by: sourcePages.count)
        let workers = overflow || total >= parallelDecodeBytes ? Swift.min(Parallel.defaultConcurrency, tasks.count) : 1
        let window = workers * 2
        let shared = SharedSource(source)
        var selected: Int? = nil
        for first in stride(from: 0, to: tasks.count, by: window) {
            let batch = Array(tasks[first..<Swift.min(first + window, tasks.count)])
            let encoded = LockedState([[[UInt8]]](repeating: [], count: batch.count))
            try Parallel.forEach(batch.count, concurrency: workers) { i, scratch in
                let task = batch[i]
                let page = shared.base!.advanced(by: sourcePages[task.page] * plan.pageBytes)
                Parallel.reserve(&scratch, plan.fullChunkBytes)
                let chunks = try scratch.withUnsafeMutableBytes { buffer in
                    try encode(task.chunks, of: page, tags: tags, mode: mode, scratch: buffer.baseAddress!, name: name)
                }
                encoded.withLock { $0[i] = chunks }
            }
            let results = encoded.withLock { $0 }
            for (task, chunks) in zip(batch, results) {
                if selected != task.page {
                    if selected != nil { try handle.flush() }
                    try handle.selectWrittenDirectory(offset: directories[task.page])
                    selected = task.page
                }
                for (index, bytes) in zip(task.chunks, chunks) {
                    try bytes.withUnsafeBytes { try handle.writeEncoded($0, chunk: index, tiled: plan.tiled) }
                }
            }
        }
        if selected != nil { try handle.flush() }
    }

    /// Encodes chunks `chunks` of the page at `page` through a new handle on an in-memory stream
    /// whose directory has `tags`, and returns their encoded bytes.
    private static func encode(_ chunks: Range<Int>, of page: UnsafeRawPointer, tags: PageTags, mode: String, scratch: UnsafeMutableRawPointer,
                               name: String) throws -> [[UInt8]] {
        let (opened, log) = LibTIFF.open(TIFFStream(.output), name: name, mode: mode, maxAllocation: Int.max)
        guard let encoder = opened else { throw LibTIFFFailure(chunk: chunks.lowerBound, message: log.takeErrors() ?? "libtiff cannot open an encoder") }
        defer { _ = encoder.finish() }
        guard tags.apply(to: encoder, description: nil) else {
            throw LibTIFFFailure(chunk: chunks.lowerBound, message: encoder.log.takeErrors() ?? "libtiff refused the page's tags")
        }
        return try chunks.map { index in
            try encoder.encode(tags.plan, chunk: index, from: page, scratch: scratch)
            return encoder.storedChunk(index)
        }
    }
}
