public import MIFACore

/// Everything the metadata of an array says, in the Zarr v3 model.
///
/// v3 `zarr.json` maps onto it directly. A v2 `.zarray` is normalised into it: `order: "F"` becomes
/// a `transpose` codec, the filters become array-to-array codecs, the dtype's byte order becomes
/// the `bytes` codec and the compressor a bytes-to-bytes codec; `dimension_separator` becomes the
/// `v2` chunk key encoding. Never the other way round.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#array-metadata and
/// https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#arrays.
public struct ArrayMetadata: Sendable, Hashable {
    /// The version the metadata was read from or will be written as.
    public var format: ZarrFormat
    /// Extent per axis.
    public var shape: [Int]
    /// Element type.
    public var dataType: ZarrDataType
    /// The regular chunk grid's chunk shape (for sharded arrays: the shard shape).
    public var chunkShape: [Int]
    /// How chunk indices become keys.
    public var chunkKeyEncoding: ChunkKeyEncoding
    /// Value of never-written elements.
    public var fillValue: FillValue
    /// The codecs, first applied first when encoding.
    public var codecs: [CodecDescription]
    /// User attributes (`attributes` in v3, `.zattrs` in v2).
    public var attributes: JSONObject
    /// One name (or `nil`) per axis, when given.
    public var dimensionNames: [String?]?
    /// Whether a v2 `.zarray` said `"fill_value": null` (no fill value). It is kept and reported
    /// as null, as zarr-python does; elements of missing chunks still read as ``fillValue``, which
    /// is then zero, as zarr-python reads them.
    public var fillValueIsNull = false

    /// Metadata from its parts.
    ///
    /// - Throws: ``ZarrError`` `.invalidMetadata` when ranks differ, an extent is negative, a
    ///   chunk extent is not positive, the array has more elements than can be addressed, or
    ///   the fill value has the wrong size.
    public init(format: ZarrFormat = .v3, shape: [Int], dataType: ZarrDataType, chunkShape: [Int],
                chunkKeyEncoding: ChunkKeyEncoding? = nil, fillValue: FillValue? = nil,
                codecs: [CodecDescription], attributes: JSONObject = JSONObject(), dimensionNames: [String?]? = nil) throws {
        self.format = format
        self.shape = shape
        self.dataType = dataType
        self.chunkShape = chunkShape
        self.chunkKeyEncoding = chunkKeyEncoding ?? (format == .v3 ? .default(separator: "/") : .v2(separator: "."))
        self.fillValue = fillValue ?? .zero(for: dataType)
        self.codecs = codecs
        self.attributes = attributes
        self.dimensionNames = dimensionNames
        try validate(file: nil)
    }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// Chunks per axis: `ceil(shape / chunkShape)`.
    public var gridShape: [Int] {
        zip(shape, chunkShape).map { extent, chunk in extent == 0 ? 0 : (extent - 1) / chunk + 1 }
    }

    /// The memory order the codecs store chunks in: `F` when the codecs begin with a transpose
    /// that reverses the axes (as v2 `order: "F"` is normalised), otherwise `C`.
    public var storageOrder: MemoryOrder {
        guard rank > 1, let first = codecs.first, first.name == "transpose",
              case .array(let order)? = first.configuration["order"] else { return .rowMajor }
        return order.compactMap { $0.numberValue?.intValue } == Array((0..<rank).reversed()) ? .columnMajor : .rowMajor
    }

    /// Checks ranks, extents and sizes.
    /// - Throws: ``ZarrError`` `.invalidMetadata` naming the problem.
    func validate(file: String?) throws {
        let context = ErrorContext(file: file, shape: shape)
        guard chunkShape.count == shape.count else {
            throw ZarrError(.invalidMetadata, "chunk shape \(chunkShape) has rank \(chunkShape.count) but shape \(shape) has rank \(shape.count)", context: context)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ZarrError(.invalidMetadata, "shape \(shape) has a negative extent", context: context)
        }
        guard chunkShape.allSatisfy({ $0 > 0 }) else {
            throw ZarrError(.invalidMetadata, "chunk shape \(chunkShape) has an extent that is not positive", context: context)
        }
        do {
            let count = try NDArray<UInt8>.elementCount(of: shape)
            let chunkCount = try NDArray<UInt8>.elementCount(of: chunkShape)
            // Chunk byte counts (and a shard index of 16 bytes per inner chunk) must be addressable.
            guard !chunkCount.multipliedReportingOverflow(by: Swift.max(dataType.byteSize, 16)).overflow else {
                throw ZarrError(.invalidMetadata, "chunk shape \(chunkShape) of \(dataType) holds more bytes than can be addressed", context: context)
            }
            _ = try NDArray<UInt8>.elementCount(of: gridShape)
            guard !count.multipliedReportingOverflow(by: dataType.byteSize).overflow else {
                throw ZarrError(.invalidMetadata, "shape \(shape) of \(dataType) holds more bytes than can be addressed", context: context)
            }
        } catch let error as CoreError {
            throw ZarrError(.invalidMetadata, error.message, context: context, underlying: error)
        }
        guard dataType.isVariableLength || fillValue.bytes.count == dataType.byteSize else {
            throw ZarrError(.invalidMetadata, "fill value has \(fillValue.bytes.count) bytes, \(dataType) needs \(dataType.byteSize)", context: context)
        }
        if let dimensionNames, dimensionNames.count != shape.count {
            throw ZarrError(.invalidMetadata, "\(dimensionNames.count) dimension names given for \(shape.count) axes", context: context)
        }
    }
}
