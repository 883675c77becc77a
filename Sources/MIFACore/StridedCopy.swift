/// Copies and fills boxes of elements between strided buffers: the one loop behind every chunk
/// to array, array to chunk and chunk to shard copy.
///
/// Axes of extent 1 are dropped, axes are ordered by destination stride, neighbouring axes that are
/// dense on both sides are merged, and the innermost run is one `memcpy` when it is contiguous on
/// both sides. Strides are in elements; pointers point at the box's first element.
///
/// Safety: every function takes raw pointers; the caller guarantees that the box described by
/// `extent` and the strides lies inside both buffers (the callers check regions against shapes
/// before they copy).
public enum StridedCopy {
    /// Destinations of at least this many bytes count as cold (larger than the caches): copies
    /// into them prefetch the destination rows ahead (``CacheHints``).
    public static let coldDestinationBytes = 8 << 20

    /// How many runs ahead a copy into a cold destination prefetches.
    public static let prefetchDistance = 4

    /// Copies a box of `extent` elements of `elementSize` bytes; with `coldDestination`, contiguous
    /// runs prefetch the destination run `prefetchDistance` runs ahead.
    public static func copy(from source: UnsafeRawPointer, sourceStrides: [Int], to destination: UnsafeMutableRawPointer,
                     destinationStrides: [Int], extent: [Int], elementSize: Int, coldDestination: Bool = false) {
        guard !extent.contains(0) else { return }
        let plan = Plan(extent: extent, first: destinationStrides, second: sourceStrides)
        let size = elementSize
        let runBytes = plan.innerExtent * size
        let contiguous = plan.innerFirst == 1 && plan.innerSecond == 1
        let sourceStep = plan.innerSecond * size
        let destinationStep = plan.innerFirst * size
        let prefetchStep = coldDestination ? (plan.outerFirst.last ?? 0) * Self.prefetchDistance * size : 0
        plan.forEachRun { destinationOffset, sourceOffset, following in
            let d = destination + destinationOffset * size
            let s = source + sourceOffset * size
            if contiguous {
                if prefetchStep != 0 && following >= Self.prefetchDistance {
                    CacheHints.prefetchForWriting(d + prefetchStep, byteCount: runBytes)
                }
                d.copyMemory(from: s, byteCount: runBytes)
                return
            }
            switch size {
            case 1: run(UInt8.self, s, sourceStep, d, destinationStep, plan.innerExtent)
            case 2: run(UInt16.self, s, sourceStep, d, destinationStep, plan.innerExtent)
            case 4: run(UInt32.self, s, sourceStep, d, destinationStep, plan.innerExtent)
            case 8: run(UInt64.self, s, sourceStep, d, destinationStep, plan.innerExtent)
            default:
                for i in 0..<plan.innerExtent {
                    (d + i * destinationStep).copyMemory(from: s + i * sourceStep, byteCount: size)
                }
            }
        }
    }

    /// Sets every element of a box to `value` (one element's bytes).
    public static func fill(_ destination: UnsafeMutableRawPointer, strides: [Int], extent: [Int], value: [UInt8]) {
        guard !extent.contains(0) else { return }
        let plan = Plan(extent: extent, first: strides, second: strides)
        let size = value.count
        let zero = value.allSatisfy { $0 == 0 }
        let step = plan.innerFirst * size
        value.withUnsafeBytes { pattern in
            plan.forEachRun { offset, _, _ in
                let d = destination + offset * size
                if zero && plan.innerFirst == 1 {
                    d.initializeMemory(as: UInt8.self, repeating: 0, count: plan.innerExtent * size)
                } else {
                    for i in 0..<plan.innerExtent { (d + i * step).copyMemory(from: pattern.baseAddress!, byteCount: size) }
                }
            }
        }
    }

    /// Whether every element of a dense buffer equals `value`.
    public static func isFilled(_ buffer: UnsafeRawBufferPointer, with value: [UInt8]) -> Bool {
        let size = value.count
        guard size > 0, buffer.count % size == 0 else { return false }
        if value.allSatisfy({ $0 == 0 }) {
            var index = 0
            let count = buffer.count
            while count - index >= 8 {
                if buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 { return false }
                index += 8
            }
            while index < count {
                if buffer[index] != 0 { return false }
                index += 1
            }
            return true
        }
        var offset = 0
        while offset < buffer.count {
            for i in 0..<size where buffer[offset + i] != value[i] { return false }
            offset += size
        }
        return true
    }

    @inline(__always)
    private static func run<T>(_: T.Type, _ source: UnsafeRawPointer, _ sourceStep: Int, _ destination: UnsafeMutableRawPointer,
                               _ destinationStep: Int, _ count: Int) {
        var s = source
        var d = destination
        for _ in 0..<count {
            d.storeBytes(of: s.loadUnaligned(as: T.self), as: T.self)
            s += sourceStep
            d += destinationStep
        }
    }

    /// The loop structure shared by copy, fill and the loader's converting copy: outer axes
    /// walked with an odometer, one inner run. "First" and "second" are the two sides (the
    /// destination and the source of a copy); axes are ordered by the first side's strides.
    public struct Plan: Sendable {
        /// Per outer axis, outermost first: its extent.
        public private(set) var outerExtent: [Int] = []
        /// Per outer axis, outermost first: its stride on the first side.
        public private(set) var outerFirst: [Int] = []
        /// Per outer axis, outermost first: its stride on the second side.
        public private(set) var outerSecond: [Int] = []
        /// The length of the inner run, in elements.
        public private(set) var innerExtent = 1
        /// The inner run's element stride on the first side.
        public private(set) var innerFirst = 1
        /// The inner run's element stride on the second side.
        public private(set) var innerSecond = 1

        /// The plan for a box of `extent` elements with `first`- and `second`-side strides: axes of
        /// extent 1 dropped, neighbouring axes dense on both sides merged.
        public init(extent: [Int], first: [Int], second: [Int]) {
            // Keep axes longer than one, ordered from the largest to the smallest first-side stride.
            let axes = extent.indices.filter { extent[$0] > 1 }.sorted { first[$0] > first[$1] || (first[$0] == first[$1] && second[$0] > second[$1]) }
            var merged: [(extent: Int, first: Int, second: Int)] = []
            for axis in axes.reversed() {
                if let inner = merged.last, first[axis] == inner.first * inner.extent, second[axis] == inner.second * inner.extent {
                    merged[merged.count - 1].extent *= extent[axis]
                } else {
                    merged.append((extent[axis], first[axis], second[axis]))
                }
            }
            guard let inner = merged.first else { return }
            innerExtent = inner.extent
            innerFirst = inner.first
            innerSecond = inner.second
            for axis in merged.dropFirst().reversed() {
                outerExtent.append(axis.extent)
                outerFirst.append(axis.first)
                outerSecond.append(axis.second)
            }
        }

        /// Calls `body` with the element offsets (first side, second side) of every inner run and
        /// the number of runs that follow it along the innermost outer axis before that axis wraps.
        @inlinable
        public func forEachRun(_ body: (Int, Int, Int) throws -> Void) rethrows {
            let depth = outerExtent.count
            guard depth > 0 else {
                try body(0, 0, 0)
                return
            }
            var counter = [Int](repeating: 0, count: depth)
            var a = 0
            var b = 0
            let last = outerExtent[depth - 1] - 1
            while true {
                try body(a, b, last - counter[depth - 1])
                var axis = depth - 1
                while axis >= 0 {
                    counter[axis] += 1
                    a += outerFirst[axis]
                    b += outerSecond[axis]
                    if counter[axis] < outerExtent[axis] { break }
                    a -= outerFirst[axis] * outerExtent[axis]
                    b -= outerSecond[axis] * outerExtent[axis]
                    counter[axis] = 0
                    axis -= 1
                }
                if axis < 0 { return }
            }
        }
    }
}
