public import MIFACore

/// A pooled, fixed-size buffer a batch is assembled in. Written by workers (each patch to its own
/// slot) before the batch is published, read-only afterwards; returned to the pool when the last
/// ``Batch`` holding it goes. Hence `@unchecked Sendable`.
final class BatchStorage: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    private let pool: BufferPool

    init(buffer: UnsafeMutableRawBufferPointer, pool: BufferPool) {
        self.buffer = buffer
        self.pool = pool
    }

    deinit { pool.recycle(buffer) }
}

/// Batch buffers of one size, reused; every live or pooled buffer counts against the budget. At
/// most ``capacity`` buffers exist, so that batch buffers never take the memory the workers need
/// for one chunk each: whatever the consumer holds, the workers can always finish a batch.
///
/// Thread safety: the free list and the count are in a ``LockedState``; pointers in it are owned
/// by nobody else.
final class BufferPool: Sendable {
    private struct Free: @unchecked Sendable {
        var buffers: [UnsafeMutableRawBufferPointer] = []
        var live = 0
        var starving = 0
    }
    let bytes: Int
    let capacity: Int
    let budget: MemoryBudget
    private let free = LockedState(Free())

    init(bytes: Int, capacity: Int, budget: MemoryBudget) {
        self.bytes = bytes
        self.capacity = capacity
        self.budget = budget
    }

    /// A buffer: a pooled one, or a new one once the budget has room (calling `reclaim`, which
    /// frees something such as a cached chunk and says whether it did).
    /// `starving` is called once if the caller has to wait because all ``capacity`` buffers are
    /// out (held by batches).
    /// - Throws: ``BatchLoaderError`` `.cancelled` when cancelled while waiting.
    func take(reclaim: () -> Bool, isCancelled: () -> Bool, starving: () -> Void) throws -> BatchStorage {
        var waiting = false
        defer { if waiting { free.withLock { $0.starving -= 1 } } }
        while true {
            // A pooled buffer, a slot for a new one (reserved under the lock), or a wait; the
            // starving count changes in the same critical section, so ``isStalled`` is exact.
            let (pooled, slot, startedWaiting) = free.withLock { f -> (UnsafeMutableRawBufferPointer?, Bool, Bool) in
                if let buffer = f.buffers.popLast() {
                    if waiting { f.starving -= 1 }
                    return (buffer, false, false)
                }
                if f.live < capacity {
                    if waiting { f.starving -= 1 }
                    f.live += 1
                    return (nil, true, false)
                }
                if !waiting { f.starving += 1 }
                return (nil, false, !waiting)
            }
            if pooled != nil || slot { waiting = false }
            if let pooled { return BatchStorage(buffer: pooled, pool: self) }
            if slot {
                if budget.tryAcquire(bytes) {
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
                    return BatchStorage(buffer: buffer, pool: self)
                }
                free.withLock { $0.live -= 1 }
                if reclaim() { continue }
            } else if startedWaiting {
                waiting = true
                starving()
            }
            if isCancelled() { throw BatchLoaderError(.cancelled, "the loader was cancelled") }
            budget.waitBriefly()
        }
    }

    /// Whether a caller of ``take(reclaim:isCancelled:starving:)`` waits while every buffer is out
    /// (none pooled, no room for another): only a batch being dropped can give one back.
    var isStalled: Bool { free.withLock { $0.starving > 0 && $0.buffers.isEmpty && $0.live >= capacity } }

    func recycle(_ buffer: UnsafeMutableRawBufferPointer) {
        free.withLock { $0.buffers.append(buffer) }
        budget.signal()
    }

    deinit {
        for buffer in free.withLock({ $0.buffers }) {
            buffer.deallocate()
            budget.release(bytes)
        }
    }
}

/// One mini-batch: images `[B, C, (Z,) Y, X]` and, when the sources have labels, masks
/// `[B, (Z,) Y, X]` in the label type, both contiguous C-order tensors in a pooled buffer; plus
/// what each sample is and its random stream for augmentations.
public struct Batch: Sendable {
    /// The epoch.
    public let epoch: Int
    /// The batch's number in the epoch (on this rank).
    public let index: Int
    /// The epoch's sample numbers of the batch's samples.
    public let samples: [Int]
    /// What each sample read.
    public let requests: [PatchRequest]
    /// Each sample's own random stream (a pure function of seed, epoch and sample).
    public let randoms: [SampleRandom]
    /// The annotations of each sample, in patch coordinates, clipped and augmented.
    public let annotations: [[PatchAnnotation]]
    /// The augmentation each sample got.
    public let augmentations: [PatchAugmentation]
    /// The shape of ``withImageBytes(_:)``.
    public let imageShape: [Int]
    /// The element type of the images.
    public let imageType: DataType
    /// The shape of the masks, if any.
    public let maskShape: [Int]?
    /// The element type of the masks, if any.
    public let maskType: DataType?
    let storage: BatchStorage
    let patchDigests: [UInt64]?
    let imageByteCount: Int
    let maskByteCount: Int
    let maskOffset: Int

    /// Calls `body` with the image tensor's bytes (native byte order).
    public func withImageBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage.buffer[0..<imageByteCount]))
    }

    /// Calls `body` with the mask tensor's bytes (empty without labels).
    public func withMaskBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage.buffer[maskOffset..<(maskOffset + maskByteCount)]))
    }

    /// A copy of the images as an array.
    /// - Throws: `CoreError` when `T` is not ``imageType``.
    public func images<T: NDArrayElement>(_ type: T.Type = T.self) throws -> NDArray<T> {
        try Self.copy(T.self, shape: imageShape, dataType: imageType) { try withImageBytes($0) }
    }

    /// A copy of the masks as an array, if any.
    /// - Throws: `CoreError` when `T` is not ``maskType``.
    public func masks<T: NDArrayElement>(_ type: T.Type = T.self) throws -> NDArray<T>? {
        guard let maskShape, let maskType else { return nil }
        return try Self.copy(T.self, shape: maskShape, dataType: maskType) { try withMaskBytes($0) }
    }

    private static func copy<T: NDArrayElement>(_: T.Type, shape: [Int], dataType: DataType,
                                                _ bytes: ((UnsafeRawBufferPointer) throws -> NDArray<T>) throws -> NDArray<T>) throws -> NDArray<T> {
        guard T.dataType == dataType else {
            throw CoreError(.shapeMismatch, "the tensor holds \(dataType.rawValue), not \(T.dataType.rawValue)")
        }
        return try bytes { raw in
            try NDArray(shape: shape, elements: raw.bindMemory(to: T.self))
        }
    }

    /// A 64-bit hash of the batch: its number, requests, annotations, and each patch's image and
    /// mask. With ``BatchLoaderConfiguration/digests`` the workers hashed the patches already, and
    /// this is cheap; the value is the same either way.
    public var digest: UInt64 {
        var hash = BatchDigest()
        hash.add(UInt64(epoch))
        hash.add(UInt64(index))
        for r in requests {
            for v in [r.source, r.t] + r.origin + r.shape { hash.add(UInt64(bitPattern: Int64(v))) }
        }
        for list in annotations {
            hash.add(UInt64(list.count))
            for a in list { hash.add(UInt64(truncatingIfNeeded: a.hashValueStable)) }
        }
        let b = samples.count
        for slot in 0..<b {
            if let patchDigests {
                hash.add(patchDigests[slot])
            } else {
                let image = imageByteCount / b, mask = maskByteCount / b
                let buffer = UnsafeRawBufferPointer(storage.buffer)
                hash.add(Self.patchDigest(image: UnsafeRawBufferPointer(rebasing: buffer[(slot * image)..<((slot + 1) * image)]),
                                          mask: UnsafeRawBufferPointer(rebasing: buffer[(maskOffset + slot * mask)..<(maskOffset + (slot + 1) * mask)])))
            }
        }
        return hash.value
    }

    /// The hash of one patch's image and mask bytes.
    static func patchDigest(image: UnsafeRawBufferPointer, mask: UnsafeRawBufferPointer) -> UInt64 {
        var hash = BatchDigest()
        hash.add(image)
        hash.add(mask)
        return hash.value
    }
}

/// A fast 64-bit hash of byte strings (8 bytes at a time through SplitMix64's mixer); not
/// cryptographic, meant to compare two runs.
public struct BatchDigest: Sendable, Hashable {
    /// The hash so far.
    public private(set) var value: UInt64 = 0x243F_6A88_85A3_08D3

    /// An empty hash.
    public init() {}

    /// Adds one value.
    public mutating func add(_ word: UInt64) {
        value = SampleRandom.mix(value ^ word) &+ 0x9E37_79B9
    }

    /// Adds bytes.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 8
        var h0 = value, h1 = value ^ 0xA5A5, h2 = value ^ 0x5A5A, h3 = value ^ 0xFFFF
        var i = 0
        while i + 4 <= words {
            h0 = (h0 ^ bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h1 = (h1 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 8, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h2 = (h2 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 16, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
            h3 = (h3 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 24, as: UInt64.self)) &* 0xD6E8_FEB8_6659_FD93
            h0 = h0 ^ (h0 >> 29); h1 = h1 ^ (h1 >> 31); h2 = h2 ^ (h2 >> 27); h3 = h3 ^ (h3 >> 33)
            i += 4
        }
        add(h0); add(h1); add(h2); add(h3)
        for k in stride(from: i * 8, to: bytes.count, by: 1) { add(UInt64(bytes[k])) }
        add(UInt64(bytes.count))
    }
}

extension PatchAnnotation {
    /// A hash of the annotation that is the same in every process (unlike `hashValue`).
    var hashValueStable: UInt64 {
        var h = BatchDigest()
        h.add(UInt64(annotation))
        h.add(UInt64(bitPattern: trackID ?? -1))
        switch shape {
        case .box(let b): for v in [b.x, b.y, b.width, b.height] { h.add(v.bitPattern) }
        case .point(let p): h.add(p.x.bitPattern); h.add(p.y.bitPattern)
        case .polygon(let rings): for ring in rings { h.add(UInt64(ring.count)); for v in ring { h.add(v.x.bitPattern); h.add(v.y.bitPattern) } }
        }
        return h.value
    }
}
