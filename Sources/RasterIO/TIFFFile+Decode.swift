import MIFACore

extension TIFFFile {
    /// Reads of fewer decoded bytes than this stay on the calling thread: below it, opening a
    /// second libtiff handle and waking a thread cost more than they save.
    static let parallelDecodeBytes = 2 << 20

    /// Bytes decoded per run when the pages go to a file: a run of strips or rows of tiles is
    /// decoded into one reused buffer that stays in cache and is then written with one call.
    static let fileRunBytes = 1 << 19

    /// The largest row of chunks (a strip, or a row of tiles across the image) decoded into a
    /// buffer for a file (``DecodeDestination/file(_:)``): every thread holds one, so pages with
    /// larger ones are decoded into a mapping of the file instead.
    static let fileBandLimit = 8 << 20

    /// Where decoded pages go, back to back in the order given.
    enum DecodeDestination {
        /// Memory the caller owns, written in place.
        case memory(UnsafeMutableRawBufferPointer)
        /// The data of a `.npy` being written: each run is decoded into the thread's reused buffer
        /// and written at its offset. Every page's rows of chunks must be at most
        /// ``TIFFFile/fileBandLimit`` bytes.
        case file(NPYDataWriter)

        /// Bytes the destination holds.
        var count: Int {
            switch self {
            case .memory(let buffer): buffer.count
            case .file(let writer): writer.count
            }
        }
    }

    /// One piece of decoding work: strips or tiles `chunks` of `pages[page]`, whose page starts
    /// `byteOffset` bytes into the destination.
    struct DecodeTask: Sendable {
        let page: Int
        let chunks: Range<Int>
        let byteOffset: Int
    }

    /// Decodes checked pages (``selectAndCheck(_:_:)``) back to back into `destination`.
    ///
    /// Large reads are cut into runs of strips or tiles decoded on several threads, as tifffile
    /// decodes a page's segments in a thread pool: each thread decodes through its own libtiff
    /// handle on the same file (libtiff handles are independent; a handle is not shared between
    /// threads), and each run writes only the rows of its own strips or tiles. For a file, runs
    /// are whole rows of chunks of about ``fileRunBytes``, so each is one contiguous block.
    /// - Returns: the number of threads the read was planned on (1 below ``parallelDecodeBytes``);
    ///   the calling thread takes over the tasks of a helper that has not started yet.
    /// - Throws: ``RasterIOError`` `.corrupt` naming the page and the strip or tile that failed;
    ///   `.io` when the file cannot be written.
    @discardableResult
    func decode(_ pages: [(TIFFPageInfo, TIFFChunkPlan)], into destination: DecodeDestination) throws -> Int {
        let totalBytes = pages.reduce(0) { $0 + $1.1.pageBytes }
        precondition(totalBytes <= destination.count, "pages larger than the destination")
        guard totalBytes > 0 else { return 0 }
        let totalChunks = pages.reduce(0) { $0 + $1.1.chunkCount }
        let workers = totalBytes >= Self.parallelDecodeBytes ? Swift.min(Parallel.defaultConcurrency, totalChunks) : 1
        var planned: [DecodeTask] = []
        var byteOffset = 0
        for (page, (_, plan)) in pages.enumerated() {
            let run: Int
            switch destination {
            case .memory:
                // About four runs per thread, so a thread that finishes early takes over the rest.
                run = Swift.max(1, totalChunks / Swift.max(1, workers * 4))
            case .file:
                precondition(plan.bandBytes <= Self.fileBandLimit, "a row of chunks larger than a file run's buffer")
                run = plan.chunksAcross * Swift.max(1, Self.fileRunBytes / plan.bandBytes)
            }
            for start in stride(from: 0, to: plan.chunkCount, by: run) {
                planned.append(DecodeTask(page: page, chunks: start..<Swift.min(start + run, plan.chunkCount), byteOffset: byteOffset))
            }
            byteOffset += plan.pageBytes
        }
        let tasks = planned
        let name = name
        let work: @Sendable (DecodeTask, LibTIFF, inout [UInt8]) throws -> Void
        switch destination {
        case .memory(let buffer):
            let destination = SharedBuffer(buffer)
            work = { task, handle, _ in
                try Self.decode(task, pages, handle: handle, into: destination.base!.advanced(by: task.byteOffset), firstByte: 0, name: name)
            }
        case .file(let writer):
            work = { task, handle, scratch in
                let bytes = pages[task.page].1.byteRange(ofChunks: task.chunks)
                Parallel.reserve(&scratch, bytes.count)
                try scratch.withUnsafeMutableBytes { run in
                    try Self.decode(task, pages, handle: handle, into: run.baseAddress!, firstByte: bytes.lowerBound, name: name)
                    try writer.write(UnsafeRawBufferPointer(rebasing: run[0..<bytes.count]), at: task.byteOffset + bytes.lowerBound)
                }
            }
        }
        if workers <= 1 {
            var scratch: [UInt8] = []
            for task in tasks { try work(task, handle, &scratch) }
            return 1
        }
        let handles = TIFFHandlePool(first: handle, name: name, maxAllocation: limits.maxBytes)
        try Parallel.forEach(tasks.count, concurrency: workers) { i, scratch in
            try handles.using { handle in try work(tasks[i], handle, &scratch) }
        }
        return workers
    }

    /// Decodes one task through `handle` into `destination`, which holds the task's page from
    /// byte `firstByte` on.
    private static func decode(
        _ task: DecodeTask, _ pages: [(TIFFPageInfo, TIFFChunkPlan)], handle: LibTIFF, into destination: UnsafeMutableRawPointer, firstByte: Int, name: String
    ) throws {
        let (info, plan) = pages[task.page]
        handle.log.clear()
        guard handle.setDirectory(offset: UInt64(info.offset)) else {
            throw RasterIOError(.corrupt, "cannot re-read the page's directory: \(handle.log.takeErrors() ?? "unknown reason")", file: name, page: info.index, key: "IFD", offset: info.offset)
        }
        do {
            try handle.decode(plan, chunks: task.chunks, into: destination, firstByte: firstByte)
        } catch let failure as LibTIFFFailure {
            let chunk = failure.chunk ?? task.chunks.lowerBound
            let chunkName = info.isTiled ? "tile" : "strip"
            throw RasterIOError(.corrupt, "cannot decode \(chunkName) \(chunk) (\(info.compression)): \(failure.message)", file: name, page: info.index, key: "\(chunkName) \(chunk)", offset: Int(clamping: handle.chunkOffset(chunk)))
        }
    }
}

/// The libtiff handles of one parallel read: the file's own handle and the siblings opened on
/// demand, each used by one thread at a time.
///
/// Safety (`@unchecked Sendable`): a handle is taken from `free` under its lock and given back
/// after use, so no two threads use one handle at once; siblings are opened under the same lock
/// from the first handle's immutable byte source.
final class TIFFHandlePool: @unchecked Sendable {
    private let free: LockedState<[LibTIFF]>
    private let first: LibTIFF
    private let name: String
    private let maxAllocation: Int

    init(first: LibTIFF, name: String, maxAllocation: Int) {
        self.first = first
        self.free = LockedState([first])
        self.name = name
        self.maxAllocation = maxAllocation
    }

    /// Runs `body` with a handle no other thread holds.
    /// - Throws: ``RasterIOError`` `.io` when no further handle can be opened; what `body` throws.
    func using(_ body: (LibTIFF) throws -> Void) throws {
        let handle: LibTIFF = try free.withLock { free in
            if let handle = free.popLast() { return handle }
            let (opened, log) = first.sibling(name: name, maxAllocation: maxAllocation)
            guard let opened else {
                throw RasterIOError(.io, "cannot open a second libtiff handle to decode in parallel: \(log.takeErrors() ?? "libtiff gave no reason")", file: name)
            }
            return opened
        }
        defer { free.withLock { $0.append(handle) } }
        try body(handle)
    }
}
