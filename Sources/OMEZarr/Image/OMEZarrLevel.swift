public import MIFACore
public import Zarr

/// One resolution level of a multiscale image: its array and its place in physical space.
///
/// See https://ngff.openmicroscopy.org/0.5/#multiscale-md.
public struct OMEZarrLevel: Sendable {
    /// Position in the pyramid, 0 for the highest resolution.
    public let index: Int
    /// The dataset path relative to the image group, e.g. `0`.
    public let path: String
    /// The Zarr array holding the pixels.
    public let array: ZarrArray
    /// From this level's array indices to physical coordinates (dataset, then multiscale transformations).
    public let transform: AxisAlignedTransform

    /// Extent per axis.
    public var shape: [Int] { array.shape }

    /// The chunk shape reads decode (the inner chunks of a sharded array).
    public var chunkShape: [Int] { array.readChunkShape }

    /// The shard shape, when the array is sharded.
    public var shardShape: [Int]? { array.chain.sharding == nil ? nil : array.metadata.chunkShape }

    /// The element type, or `nil` for Zarr types without an NDArray element type (complex, raw bits).
    public var dataType: DataType? { array.dataType.coreType }

    /// The physical size of one pixel along each axis (the scale of ``transform``).
    public var pixelSize: [Double] { transform.scale }

    /// The physical position of the centre of the level's first pixel (the translation of ``transform``).
    public var origin: [Double] { transform.translation }

    /// The physical box the level's pixels cover: from half a pixel before the first centre to
    /// half a pixel after the last.
    public var physicalExtent: PhysicalRegion { transform.apply(PhysicalRegion(Region(shape: shape))) }
}
