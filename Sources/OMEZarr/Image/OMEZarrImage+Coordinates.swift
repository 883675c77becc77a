public import MIFACore

extension OMEZarrImage {
    /// The transformation from level `level`'s pixel indices to physical coordinates.
    /// - Throws: ``OMEZarrError`` `.missingLevel`.
    public func transform(ofLevel level: Int) throws -> AxisAlignedTransform {
        try self.level(level).transform
    }

    /// The transformation from level `source`'s pixel indices to level `target`'s: through physical
    /// space, `source.transform` then the inverse of `target.transform`.
    /// - Throws: ``OMEZarrError`` `.missingLevel`.
    public func transform(fromLevel source: Int, toLevel target: Int) throws -> AxisAlignedTransform {
        try level(source).transform.then(try level(target).transform.inverse)
    }

    /// A point (continuous pixel indices) of one level in another level's pixel indices.
    /// - Throws: ``OMEZarrError`` `.missingLevel`, `.invalidRegion` for a point of the wrong rank.
    public func map(_ point: [Double], fromLevel source: Int, toLevel target: Int) throws -> [Double] {
        try checkRank(point.count)
        return try transform(fromLevel: source, toLevel: target).apply(point)
    }

    /// The pixels of level `target` that cover a pixel region of level `source`, clipped to `target`.
    /// - Throws: ``OMEZarrError`` `.missingLevel`, `.invalidRegion` for a region of the wrong rank.
    public func map(_ region: Region, fromLevel source: Int, toLevel target: Int) throws -> Region {
        try checkRank(region.rank)
        let box = try transform(fromLevel: source, toLevel: target).apply(PhysicalRegion(region))
        return box.coveringPixels(clippedTo: try level(target).shape)
    }

    /// The physical box a pixel region of a level covers.
    /// - Throws: ``OMEZarrError`` `.missingLevel`, `.invalidRegion` for a region of the wrong rank.
    public func physicalRegion(of region: Region, level: Int = 0) throws -> PhysicalRegion {
        try checkRank(region.rank)
        return try self.level(level).transform.apply(PhysicalRegion(region))
    }

    /// A point (continuous pixel indices) of a level in physical coordinates.
    /// - Throws: ``OMEZarrError`` `.missingLevel`, `.invalidRegion` for a point of the wrong rank.
    public func physicalPoint(_ point: [Double], level: Int = 0) throws -> [Double] {
        try checkRank(point.count)
        return try self.level(level).transform.apply(point)
    }

    private func checkRank(_ count: Int) throws {
        guard count == rank else {
            throw OMEZarrError(.invalidRegion, "\(count) coordinates given for an image of \(rank) axes \(axes.map(\.name))", context: ErrorContext(file: group.file))
        }
    }
}
