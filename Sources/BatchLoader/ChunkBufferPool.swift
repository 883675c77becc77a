import MIFACore
import Zarr

/// Decoded-chunk buffers of dropped chunks, kept for the next chunk of the same type and shape:
/// the next decode writes straight into one instead of a fresh, zero-filled allocation (whose
/// zeroing and page faults cost about as much as a fifth of a chunk's decode). Pooled buffers
/// stay counted in the budget; at most ``limit`` are kept, and ``dropOne()`` frees one when the
/// budget needs room.
///
/// Thread safety: all state lives in a ``LockedState``.
final class ChunkBufferPool: Sendable {
    private struct Key: Hashable {
        var dataType: DataType
        var shape: [Int]
    }

    private struct State {
        var free: [Key: [AnyNDArray]] = [:]
        var count = 0
    }

    /// The most buffers kept.
    let limit: Int
    let budget: MemoryBudget
    private let state = LockedState(State())

    /// A pool keeping at most `limit` buffers, accounted in `budget`.
    init(limit: Int, budget: MemoryBudget) {
        self.limit = limit
        self.budget = budget
    }

    /// A kept buffer of `dataType` and `shape` (already accounted), if any.
    func take(_ dataType: DataType, shape: [Int]) -> AnyNDArray? {
        state.withLock { s in
            guard let buffer = s.free[Key(dataType: dataType, shape: shape)]?.popLast() else { return nil }
            s.count -= 1
            return buffer
        }
    }

    /// Keeps `buffer` (holding `bytes` of the budget), or gives its bytes back when the pool is full.
    func recycle(_ buffer: AnyNDArray, bytes: Int) {
        let kept = state.withLock { s in
            guard s.count < limit else { return false }
            s.free[Key(dataType: buffer.dataType, shape: buffer.shape), default: []].append(buffer)
            s.count += 1
            return true
        }
        if kept { budget.signal() } else { budget.release(bytes) }
    }

    /// Frees one kept buffer; `false` when none is kept.
    func dropOne() -> Bool {
        let dropped: AnyNDArray? = state.withLock { s in
            guard let key = s.free.first(where: { !$0.value.isEmpty })?.key, let buffer = s.free[key]?.popLast() else { return nil }
            s.count -= 1
            return buffer
        }
        guard let dropped else { return false }
        budget.release(dropped.dataType.byteSize * dropped.shape.reduce(1, *))
        return true
    }

    deinit {
        for buffer in state.withLock({ $0.free.values.joined() }) {
            budget.release(buffer.dataType.byteSize * buffer.shape.reduce(1, *))
        }
    }
}

extension ZarrArray {
    /// Reads `region` into `buffer` (of the region's shape and the array's type), reusing its
    /// memory when nothing else holds it.
    /// - Throws: ``ZarrError`` as ``read(_:into:at:concurrency:)``.
    func read(_ region: Region, reusing buffer: consuming AnyNDArray) throws -> AnyNDArray {
        func fill<T: NDArrayElement>(_ a: consuming NDArray<T>) throws -> NDArray<T> {
            var a = a
            try read(region, into: &a, concurrency: 1)
            return a
        }
        switch consume buffer {
        case .bool(let a): return .bool(try fill(a))
        case .int8(let a): return .int8(try fill(a))
        case .int16(let a): return .int16(try fill(a))
        case .int32(let a): return .int32(try fill(a))
        case .int64(let a): return .int64(try fill(a))
        case .uint8(let a): return .uint8(try fill(a))
        case .uint16(let a): return .uint16(try fill(a))
        case .uint32(let a): return .uint32(try fill(a))
        case .uint64(let a): return .uint64(try fill(a))
        case .float16(let a): return .float16(try fill(a))
        case .float32(let a): return .float32(try fill(a))
        case .float64(let a): return .float64(try fill(a))
        }
    }
}
