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

    /// The copy: one ``StridedCopy`` of the region's box between the two element buffers (which
    /// may have different memory orders); both sides were checked to hold the box.
    mutating func copyUnchecked(from source: NDArray, region: Region, to destinationOrigin: [Int]) {
        let extent = region.shape
        guard !extent.contains(0) else { return }
        let sourceBase = zip(region.ranges.map(\.lowerBound), source.strides).reduce(0) { $0 + $1.0 * $1.1 }
        let destinationBase = zip(destinationOrigin, strides).reduce(0) { $0 + $1.0 * $1.1 }
        let destinationStrides = strides
        source.elements.withUnsafeBytes { src in
            elements.withUnsafeMutableBytes { dst in
                // Safety: the checks above keep the box inside both buffers.
                let size = MemoryLayout<Element>.stride
                StridedCopy.copy(from: src.baseAddress! + sourceBase * size, sourceStrides: source.strides,
                                 to: dst.baseAddress! + destinationBase * size, destinationStrides: destinationStrides,
                                 extent: extent, elementSize: size)
            }
        }
    }
}
