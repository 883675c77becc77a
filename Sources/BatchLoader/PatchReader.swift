import MIFACore
import Zarr

/// Reads the box of a ``PatchRequest`` from one array into a destination, chunk by chunk through
/// the loader's cache, converting elements on the way. Runs on the loader's worker threads.
struct PatchReader: Sendable {
    let cache: ChunkCache
    let buffers: ChunkBufferPool
    let budget: MemoryBudget
    let counters: LoaderCounters
    let isCancelled: @Sendable () -> Bool
    /// The patch the reads are for, in the cache's schedule (`nil`: an unscheduled read).
    var use: ChunkUse?

    /// The decoded chunk `index` of `array` (number `arrayID`), from the cache or read and decoded now.
    func chunk(_ array: ZarrArray, arrayID: Int, index: [Int]) throws -> DecodedChunk {
        let id = ChunkID(array: arrayID, index: index)
        let load: ChunkLoad
        switch cache.lookup(id, for: use) {
        case .hit(let chunk): return chunk
        case .inFlight(let other): return try other.wait()
        case .miss(let mine): load = mine
        }
        let outcome = Result<DecodedChunk, any Error> { try decode(array, index: index) }
        cache.finish(id, load, outcome)
        return try outcome.get()
    }

    /// Reads and decodes chunk `index` of `array` under the budget, into a recycled buffer when
    /// one of the chunk's type and shape is free.
    private func decode(_ array: ZarrArray, index: [Int]) throws -> DecodedChunk {
        let chunkShape = array.readChunkShape
        let lower = zip(index, chunkShape).map(*)
        let upper = zip(zip(lower, chunkShape).map(+), array.shape).map { min($0, $1) }
        let region = Region(zip(lower, upper).map { $0..<$1 })
        guard let type = array.dataType.coreType else {
            throw BatchLoaderError(.unsupportedImage, "the array's type \(array.dataType) is not one the loader reads",
                                   context: ErrorContext(file: array.store.location + "/" + array.path))
        }
        let size = region.elementCount * type.byteSize
        // A free buffer of this shape (accounted already), or room for a new one; evicting a
        // cached chunk may free a buffer of this shape on the way.
        var buffer: AnyNDArray?
        while true {
            if let reused = buffers.take(type, shape: region.shape) { buffer = reused; break }
            if budget.tryAcquire(size) { break }
            if cache.evictOne() || buffers.dropOne() { continue }
            if isCancelled() { throw BatchLoaderError(.cancelled, "the loader was cancelled") }
            budget.waitBriefly()
        }
        let started = ThreadCPUClock.nanoseconds()
        let elements: AnyNDArray
        do {
            // A recycled buffer, or a fresh one the decode writes without a zero-filling pass first.
            if let buffer = buffer.take() {
                elements = try array.read(region, reusing: buffer)
            } else {
                elements = try array.read(region, concurrency: 1)
            }
        } catch {
            budget.release(size)
            throw BatchLoaderError(.chunkFailed, "chunk \(index) could not be read or decoded",
                                   context: ErrorContext(file: array.store.location + "/" + array.path, key: "\(array.chunkKey(index))"),
                                   underlying: error)
        }
        counters.chunksDecoded.add(1, ordering: .relaxed)
        return DecodedChunk(elements: elements, cost: Double(ThreadCPUClock.nanoseconds() - started), pool: buffers)
    }

    /// Copies the box of `request` (channel `channel`, if the array has a c axis) from `array` into
    /// `destination`, laid out `[z, y, x]` dense for the request's shape; the part of the box outside
    /// the array is left untouched (the caller zeroes it).
    func read(_ request: PatchRequest, channel: Int, array: ZarrArray, arrayID: Int, axes: SampleSource.AxisSlots,
              conversion: PixelConversion, outputSize: Int, into destination: UnsafeMutableRawPointer) throws {
        let rank = array.rank
        guard let (lower, upper, destStrides, requestOrigin) = Self.box(of: request, channel: channel, shape: array.shape, axes: axes) else { return }
        let chunkShape = array.readChunkShape
        let (first, last) = Self.chunkRange(lower: lower, upper: upper, chunkShape: chunkShape)
        let elementSize = array.dataType.byteSize
        try Self.forEachChunk(from: first, through: last) { index in
            let decoded = try chunk(array, arrayID: arrayID, index: index)
            let chunkOrigin = zip(index, chunkShape).map(*)
            let from = (0..<rank).map { max(lower[$0], chunkOrigin[$0]) }
            let to = (0..<rank).map { min(upper[$0], chunkOrigin[$0] + decoded.shape[$0]) }
            let extent = zip(to, from).map(-)
            guard !extent.contains(where: { $0 <= 0 }) else { return }
            let srcStrides = MemoryOrder.rowMajor.strides(for: decoded.shape)
            let sourceBase = (0..<rank).reduce(0) { $0 + (from[$1] - chunkOrigin[$1]) * srcStrides[$1] }
            let destinationBase = (0..<rank).reduce(0) { $0 + (from[$1] - requestOrigin[$1]) * destStrides[$1] }
            let plan = StridedCopy.Plan(extent: extent, first: destStrides, second: srcStrides)
            let dense = plan.innerFirst == 1 && plan.innerSecond == 1
            decoded.elements.withUnsafeBytes { raw in
                // Safety: `box` clipped the request to the array and `from..<to` to this chunk, so
                // every run lies inside the decoded chunk and the destination patch.
                let src = raw.baseAddress! + sourceBase * elementSize
                let dst = destination + destinationBase * outputSize
                plan.forEachRun { d, s, _ in
                    if dense {
                        conversion.copy(src + s * elementSize, dst + d * outputSize, plan.innerExtent)
                    } else {
                        for i in 0..<plan.innerExtent {
                            conversion.copy(src + (s + i * plan.innerSecond) * elementSize, dst + (d + i * plan.innerFirst) * outputSize, 1)
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with every grid index from `first` through `last` (inclusive), in C order.
    static func forEachChunk(from first: [Int], through last: [Int], _ body: ([Int]) throws -> Void) rethrows {
        var index = first
        while true {
            try body(index)
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] <= last[axis] { break }
                index[axis] = first[axis]
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// The box of `request` (channel `channel`) in the index space of an array of `shape`, clipped
    /// to the array: lower and upper bounds per axis, the destination stride of each axis (0 for t
    /// and c) and the request's origin per axis; `nil` when the box misses the array.
    static func box(of request: PatchRequest, channel: Int, shape: [Int], axes: SampleSource.AxisSlots)
        -> (lower: [Int], upper: [Int], destStrides: [Int], origin: [Int])? {
        let rank = shape.count
        var lower = [Int](repeating: 0, count: rank)
        var upper = [Int](repeating: 1, count: rank)
        var destStrides = [Int](repeating: 0, count: rank)
        var requestOrigin = [Int](repeating: 0, count: rank)
        let s = request.shape
        if let t = axes.t { lower[t] = request.t; upper[t] = request.t + 1 }
        if let c = axes.c { lower[c] = channel; upper[c] = channel + 1 }
        let spatial: [(Int?, Int, Int)] = [(axes.z, 0, s[1] * s[2]), (axes.y, 1, s[2]), (axes.x, 2, 1)]
        for (slot, k, stride) in spatial {
            guard let axis = slot else { continue }
            lower[axis] = max(0, request.origin[k])
            upper[axis] = min(shape[axis], request.origin[k] + s[k])
            guard upper[axis] > lower[axis] else { return nil }
            destStrides[axis] = stride
            requestOrigin[axis] = request.origin[k]
        }
        return (lower, upper, destStrides, requestOrigin)
    }

    /// The first and last grid index of the chunks of `chunkShape` that the box `lower..<upper` touches.
    static func chunkRange(lower: [Int], upper: [Int], chunkShape: [Int]) -> (first: [Int], last: [Int]) {
        (zip(lower, chunkShape).map { $0 / $1 }, zip(upper, chunkShape).map { ($0 - 1) / $1 })
    }
}
