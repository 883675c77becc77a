extension NDArray {
    /// A new array (in the same memory order) holding the elements of `region`.
    ///
    /// - Throws: ``CoreError`` `.invalidRegion` when the region has another rank or reaches outside.
    public func copy(region: Region) throws -> NDArray {
        try checkInside(region, what: "source")
        var result = NDArray(shape: region.shape, repeating: .zero, order: order)
        result.copyUnchecked(from: self, region: region, to: [Int](repeating: 0, count: rank))
        return result
    }

    /// Copies `region` of `source` into this array so that the region's origin lands at
    /// `destinationOrigin`. The two arrays may have different memory orders.
    ///
    /// - Throws: ``CoreError`` `.invalidRegion` when either side reaches outside its array.
    public mutating func copy(from source: NDArray, region: Region, to destinationOrigin: [Int]) throws {
        try source.checkInside(region, what: "source")
        guard destinationOrigin.count == rank else {
            throw CoreError(.invalidRegion, "destination origin \(destinationOrigin) has rank \(destinationOrigin.count), array has rank \(rank)",
                            context: ErrorContext(shape: shape))
        }
        try checkInside(Region(origin: destinationOrigin, shape: region.shape), what: "destination")
        copyUnchecked(from: source, region: region, to: destinationOrigin)
    }

    func checkInside(_ region: Region, what: String) throws {
        guard region.rank == rank, Region(shape: shape).contains(region) else {
            throw CoreError(.invalidRegion, "\(what) region [\(region)] does not lie inside an array of shape \(shape)",
                            context: ErrorContext(shape: shape))
        }
    }

    /// The copy loop: walks every axis but the one with the smallest destination stride with an
    /// odometer and copies runs along that axis, as one block move when both sides are dense there.
    mutating func copyUnchecked(from source: NDArray, region: Region, to destinationOrigin: [Int]) {
        let extent = region.shape
        guard !extent.contains(0) else { return }
        guard rank > 0 else {
            elements[0] = source.elements[0]
            return
        }
        // Innermost axis: the one with the smallest destination stride (the last for C, the first for F).
        let axes = (0..<rank).sorted { strides[$0] > strides[$1] }
        let inner = axes.last!
        let outer = Array(axes.dropLast())
        let runLength = extent[inner]
        let sourceStep = source.strides[inner]
        let destinationStep = strides[inner]
        var sourceBase = 0
        var destinationBase = 0
        for axis in 0..<rank {
            sourceBase += region.ranges[axis].lowerBound * source.strides[axis]
            destinationBase += destinationOrigin[axis] * strides[axis]
        }
        var counter = [Int](repeating: 0, count: rank)
        let sourceStrides = source.strides
        let destinationStrides = strides
        source.elements.withUnsafeBufferPointer { src in
            elements.withUnsafeMutableBufferPointer { dst in
                var s = sourceBase
                var d = destinationBase
                while true {
                    if sourceStep == 1 && destinationStep == 1 {
                        (dst.baseAddress! + d).update(from: src.baseAddress! + s, count: runLength)
                    } else {
                        var si = s
                        var di = d
                        for _ in 0..<runLength {
                            dst[di] = src[si]
                            si += sourceStep
                            di += destinationStep
                        }
                    }
                    // Advance the odometer over the outer axes, innermost of them first.
                    var position = outer.count - 1
                    while position >= 0 {
                        let axis = outer[position]
                        counter[axis] += 1
                        s += sourceStrides[axis]
                        d += destinationStrides[axis]
                        if counter[axis] < extent[axis] { break }
                        s -= sourceStrides[axis] * extent[axis]
                        d -= destinationStrides[axis] * extent[axis]
                        counter[axis] = 0
                        position -= 1
                    }
                    if position < 0 { return }
                }
            }
        }
    }
}
