public import MIFACore
public import Zarr

/// Writes a new OME-Zarr image (NGFF 0.5 by default, 0.4 on request) plane by plane, building the
/// pyramid while writing, in memory bounded by one row of chunks.
///
/// ```swift
/// let writer = try OMEZarrImageWriter(store: store, shape: [64, 2048, 2048], dataType: .uint16,
///                                     axes: [.space("z", unit: "micrometer"), .space("y", unit: "micrometer"), .space("x", unit: "micrometer")],
///                                     scale: [2, 0.5, 0.5])
/// for z in 0..<64 { try writer.write(plane: plane(z), at: [z]) }
/// let image = try writer.finish()   // writes the metadata, then opens and checks the result
/// ```
///
/// A plane is a `[y, x]` array at a position of the axes before y and x (t, c, z). Planes may
/// come in any order; in C order of those axes at most one block of planes per level is held.
/// Levels halve y and x (and z with ``OMEZarrWriteOptions/downsampleZ``) with a
/// ``PyramidReduction``; the scale of level `k` is the scale of level 0 times `2^k` on the halved
/// axes and its translation keeps pixel centres on block centres (see ``PyramidReduction``). Levels
/// may instead be given (``OMEZarrWriteOptions/levelShapes``, e.g. a TIFF's own pyramid): each is
/// then written plane by plane with ``write(plane:at:level:)`` and nothing is reduced. The
/// multiscale metadata is written last, by ``finish()``, after validating it with the strict schema
/// rules, so an interrupted write never looks like a complete image.
/// See https://ngff.openmicroscopy.org/0.4/ and https://ngff.openmicroscopy.org/0.5/.
public final class OMEZarrImageWriter {
    /// The store written to.
    public let store: any ZarrStore
    /// The image group's path.
    public let path: String
    /// The full-resolution shape.
    public let shape: [Int]
    /// The element type.
    public let dataType: DataType
    /// The axes.
    public let axes: [Axis]
    /// The options in effect.
    public let options: OMEZarrWriteOptions
    /// The reduction in effect.
    public let reduction: PyramidReduction
    /// The shape of each level.
    public let levelShapes: [[Int]]
    /// The scale of each level.
    public let levelScales: [[Double]]
    /// The translation of each level (`t_k = t_0 + (s_k - s_0) / 2`), or `nil` for a single level
    /// without a translation.
    public let levelTranslations: [[Double]]?
    /// The rendering metadata to write (intensity images); `nil` to derive it from the data.
    public var omero: OmeroMetadata?
    /// Channel names for the derived rendering metadata (one per index of the channel axis).
    public var channelLabels: [String]?
    let label: LabelSettings?
    let builder: PyramidBuilder
    var finished = false

    /// What a label image adds: colours, properties, source, and the labels group to list it in.
    struct LabelSettings {
        var name: String
        var colors: [LabelColor]?
        var properties: [JSONObject]?
        var labelsGroupPath: String
    }

    /// Starts an image: checks everything, creates the group and one empty array per level.
    /// - Parameters:
    ///   - store: where to write.
    ///   - path: the image group's path inside the store; the root by default.
    ///   - shape: the full-resolution shape, 2 to 5 axes, y and x last.
    ///   - dataType: the element type (not `bool`).
    ///   - axes: the axes; `nil` for the trailing names of `t, c, z, y, x`.
    ///   - scale: the physical pixel size of level 0 per axis; `nil` for 1 everywhere.
    ///   - translation: the physical position of the centre of level 0's first pixel per axis, if any.
    ///   - options: version, levels, chunks, shards, compressor, reduction.
    /// - Throws: ``OMEZarrError`` `.axesMismatch` when the axes do not fit the shape,
    ///   `.invalidMetadata` when they break the NGFF rules, `.invalidTransformation` for a scale or
    ///   translation of the wrong length or non-finite / non-positive values, `.invalidArgument`
    ///   for bad chunks, shards, levels or type; `.storage` when the store refuses (a node exists
    ///   and ``OMEZarrWriteOptions/overwrite`` is off).
    public convenience init(store: any ZarrStore, path: String = "", shape: [Int], dataType: DataType, axes: [Axis]? = nil,
                            scale: [Double]? = nil, translation: [Double]? = nil, options: OMEZarrWriteOptions = OMEZarrWriteOptions()) throws {
        try self.init(store: store, path: path, shape: shape, dataType: dataType, axes: axes, scale: scale, translation: translation,
                      options: options, label: nil)
    }

    init(store: any ZarrStore, path: String, shape: [Int], dataType: DataType, axes: [Axis]?, scale: [Double]?, translation: [Double]?,
         options: OMEZarrWriteOptions, label: LabelSettings?) throws {
        let rank = shape.count
        guard let axes = axes ?? Axis.defaults(rank: rank) else {
            throw OMEZarrError(.axesMismatch, "an OME-Zarr image has 2 to 5 axes; the shape \(shape) has \(rank)", context: ErrorContext(shape: shape))
        }
        guard axes.count == rank else {
            throw OMEZarrError(.axesMismatch, "\(axes.count) axes \(axes.map(\.name)) given for an array of \(rank) dimensions \(shape); give one axis per dimension",
                               context: ErrorContext(shape: shape))
        }
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw OMEZarrError(.invalidArgument, "every extent of the shape \(shape) must be at least 1", context: ErrorContext(shape: shape))
        }
        let scale = scale ?? [Double](repeating: 1, count: rank)
        guard scale.count == rank, scale.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw OMEZarrError(.invalidTransformation, "the scale \(scale) must have \(rank) finite positive values, one per axis \(axes.map(\.name))")
        }
        if let translation, translation.count != rank || !translation.allSatisfy(\.isFinite) {
            throw OMEZarrError(.invalidTransformation, "the translation \(translation) must have \(rank) finite values, one per axis \(axes.map(\.name))")
        }
        let axesReport = NGFFValidator.validate(["multiscales": [["axes": .array(axes.map(\.json)),
                                                                    "datasets": [["path": "0", "coordinateTransformations": [CoordinateTransformation.scale(Scale(scale)).json]]]]]],
                                                as: .image, version: .v04)
        if let problem = axesReport.errors.first {
            throw OMEZarrError(.invalidMetadata, "the axes \(axes) break the OME-NGFF rules: \(problem.message)")
        }
        guard axes[rank - 1].isSpace, axes[rank - 2].isSpace else {
            throw OMEZarrError(.invalidMetadata, "the last two axes must be spatial (y, x); found \(axes.suffix(2).map(\.description))")
        }
        guard dataType != .bool else {
            throw OMEZarrError(.invalidArgument, "bool images cannot be written as OME-Zarr pyramids; convert them to uint8 (0/1) first")
        }
        let reduction = options.reduction ?? (label == nil ? .mean : .mode)
        if label != nil {
            guard dataType.isInteger else {
                throw OMEZarrError(.invalidLabel, "label images must hold integers (uint8...int64), not \(dataType.rawValue); convert the labels first")
            }
            guard reduction.picksExistingValues else {
                throw OMEZarrError(.invalidArgument, "the mean would blend label values into values that are no label; use mode or nearest for labels")
            }
        }
        let zAxis = options.downsampleZ && rank >= 3 && axes[rank - 3].isSpace ? rank - 3 : nil
        let levelCount = options.levelShapes?.count ?? options.levels ?? OMEZarrWriteOptions.automaticLevels(height: shape[rank - 2], width: shape[rank - 1])
        guard (1...32).contains(levelCount) else {
            throw OMEZarrError(.invalidArgument, "the number of levels must be 1 to 32, found \(levelCount)")
        }
        var shapes: [[Int]] = [shape]
        var scales: [[Double]] = [scale]
        if let given = options.levelShapes {
            try Self.check(levelShapes: given, shape: shape)
            shapes = given
            scales = given.map { level in (0..<rank).map { scale[$0] * (Double(shape[$0]) / Double(level[$0])) } }
        } else {
            let halved = Set([rank - 2, rank - 1] + (zAxis.map { [$0] } ?? []))
            for _ in 1..<levelCount {
                shapes.append(shapes.last!.enumerated().map { halved.contains($0) ? ($1 + 1) / 2 : $1 })
                scales.append(scales.last!.enumerated().map { halved.contains($0) ? $1 * 2 : $1 })
            }
        }
        let (chunks, shards) = try Self.layout(shape: shape, options: options)
        self.store = store
        self.path = path
        self.shape = shape
        self.dataType = dataType
        self.axes = axes
        self.options = options
        self.reduction = reduction
        self.levelShapes = shapes
        self.levelScales = scales
        let offsets = translation ?? [Double](repeating: 0, count: rank)
        self.levelTranslations = translation == nil && levelCount == 1 ? nil
            : scales.map { levelScale in (0..<rank).map { offsets[$0] + (levelScale[$0] - scale[$0]) / 2 } }
        self.label = label
        let format = options.version.zarrFormat
        try OMEZarrError.wrapping("cannot create the image group at '\(path.isEmpty ? "/" : path)' in \(store.location)") {
            try ZarrGroup.create(store, path: path, format: format, overwrite: options.overwrite)
        }
        var arrays: [ZarrArray] = []
        var blocks: [[Int]] = []
        for (index, levelShape) in shapes.enumerated() {
            let levelChunks = zip(chunks, levelShape).map { Swift.min($0, $1) }
            let levelShards = shards.map { shards in
                (0..<rank).map { levelChunks[$0] < chunks[$0] ? levelChunks[$0] : Swift.min(shards[$0], (levelShape[$0] + chunks[$0] - 1) / chunks[$0] * chunks[$0]) }
            }
            let arrayPath = path.isEmpty ? "\(index)" : "\(path)/\(index)"
            let array = try OMEZarrError.wrapping("cannot create level \(index) at '\(arrayPath)'") { () -> ZarrArray in
                var metadata = try ArrayMetadata.make(format: format, shape: levelShape, dataType: ZarrDataType(dataType), chunks: levelChunks,
                                                      shards: levelShards, compressor: options.compressor,
                                                      dimensionNames: format == .v3 ? axes.map(\.name) : nil)
                if format == .v2 { metadata.chunkKeyEncoding = .v2(separator: "/") }
                return try ZarrArray.create(store, path: arrayPath, metadata: metadata, overwrite: options.overwrite)
            }
            arrays.append(array)
            blocks.append(Array((levelShards ?? levelChunks).prefix(rank - 2)))
        }
        let channelAxis = axes.firstIndex { $0.type == .channel }.flatMap { $0 < rank - 2 ? $0 : nil }
        self.builder = PyramidBuilder(arrays: arrays, blocks: blocks, dataType: dataType, zAxis: zAxis, reduction: reduction,
                                      concurrency: options.concurrency, channelAxis: channelAxis, collectsLabels: label != nil,
                                      reduces: options.levelShapes == nil)
    }

    /// Checks given level shapes: the full resolution first, then levels no larger on any axis.
    static func check(levelShapes: [[Int]], shape: [Int]) throws {
        guard levelShapes.first == shape else {
            throw OMEZarrError(.invalidArgument, "the first given level \(levelShapes.first ?? []) must be the full resolution \(shape)", context: ErrorContext(shape: shape))
        }
        for (index, level) in levelShapes.enumerated().dropFirst() {
            let previous = levelShapes[index - 1]
            guard level.count == shape.count, level.allSatisfy({ $0 > 0 }), zip(level, previous).allSatisfy({ $0 <= $1 }) else {
                throw OMEZarrError(.invalidArgument, "level \(index) has shape \(level) after level \(index - 1) of \(previous); each level must have the image's \(shape.count) axes and be no larger than the one before",
                                   context: ErrorContext(shape: level))
            }
        }
    }

    /// The full chunk and shard shapes from the options.
    static func layout(shape: [Int], options: OMEZarrWriteOptions) throws -> (chunks: [Int], shards: [Int]?) {
        let rank = shape.count
        func expand(_ values: [Int], _ what: String) throws -> [Int] {
            guard !values.isEmpty, values.count <= rank, values.allSatisfy({ $0 > 0 }) else {
                throw OMEZarrError(.invalidArgument, "\(what) \(values) must be 1 to \(rank) positive extents (the trailing axes; the others get 1)")
            }
            return [Int](repeating: 1, count: rank - values.count) + values
        }
        let chunks = try options.chunks.map { try expand($0, "chunks") }
            ?? shape.enumerated().map { $0.offset >= rank - 2 ? Swift.min($0.element, 256) : 1 }
        guard let given = options.shards else { return (chunks, nil) }
        guard options.version == .v05 else {
            throw OMEZarrError(.invalidArgument, "shards need Zarr v3, that is OME-NGFF 0.5; drop the shards or write 0.5")
        }
        let shards = try expand(given, "shards")
        guard zip(shards, chunks).allSatisfy({ $0 % $1 == 0 }) else {
            throw OMEZarrError(.invalidArgument, "shards \(shards) must be multiples of the chunks \(chunks) on every axis")
        }
        return (chunks, shards)
    }

    /// Writes one full-resolution plane.
    /// - Parameters:
    ///   - plane: `[y, x]` pixels (leading extents of 1 are allowed) of the image's element type.
    ///   - position: the index along each axis before y and x (`[]` for a 2-D image).
    /// - Throws: ``OMEZarrError`` `.invalidArgument` for the wrong type, shape or position, or a plane
    ///   written twice; `.storage` when a chunk cannot be written.
    public func write(plane: AnyNDArray, at position: [Int]) throws {
        guard !finished else { throw OMEZarrError(.invalidArgument, "the image is finished; planes cannot be added") }
        try builder.add(plane, at: position)
    }

    /// Writes one plane of a given level (see ``OMEZarrWriteOptions/levelShapes``).
    /// - Parameters:
    ///   - plane: `[y, x]` pixels of that level's extents.
    ///   - position: the index along each axis before y and x, within that level.
    ///   - level: the level, 0 the full resolution.
    /// - Throws: ``OMEZarrError`` `.invalidArgument` for a level other than 0 when the pyramid is
    ///   computed, or as ``write(plane:at:)-(AnyNDArray,_)``.
    public func write(plane: AnyNDArray, at position: [Int], level: Int) throws {
        guard !finished else { throw OMEZarrError(.invalidArgument, "the image is finished; planes cannot be added") }
        try builder.add(plane, at: position, level: level)
    }

    /// Writes one full-resolution plane of a typed array.
    /// - Throws: as ``write(plane:at:)-(AnyNDArray,_)``.
    public func write<T: NDArrayElement>(plane: NDArray<T>, at position: [Int]) throws {
        try write(plane: AnyNDArray(plane), at: position)
    }

    /// Writes a whole image held in memory, plane by plane.
    /// - Throws: ``OMEZarrError`` `.invalidArgument` when its shape or type differs; as ``write(plane:at:)-(AnyNDArray,_)``.
    public func write(_ image: AnyNDArray) throws {
        guard image.shape == shape, image.dataType == dataType else {
            throw OMEZarrError(.invalidArgument, "an array of shape \(image.shape) \(image.dataType.rawValue) was given for an image of shape \(shape) \(dataType.rawValue)",
                               context: ErrorContext(shape: image.shape))
        }
        let (height, width) = (shape[shape.count - 2], shape[shape.count - 1])
        let leading = Array(shape.dropLast(2))
        let strides = MemoryOrder.rowMajor.strides(for: leading)
        let dense = image.rowMajor
        for index in 0..<leading.reduce(1, *) {
            let position = strides.enumerated().map { (index / $1) % leading[$0] }
            try write(plane: try dense.plane(at: index * height * width, height: height, width: width, yStride: width, xStride: 1), at: position)
        }
    }

    /// Checks that every plane was written, writes the metadata and returns the image, opened and
    /// checked like any other.
    /// - Throws: ``OMEZarrError`` `.invalidArgument` when planes are missing; `.invalidMetadata` if
    ///   the metadata would break the strict schema rules; `.storage` for store errors.
    @discardableResult
    public func finish() throws -> OMEZarrImage {
        guard !finished else { throw OMEZarrError(.invalidArgument, "the image is already finished") }
        try builder.finish()
        let attributes = try groupAttributes(statistics: builder.statistics)
        try OMEZarrError.wrapping("cannot write the image metadata") {
            _ = try ZarrGroup.open(store, path: path).settingAttributes(attributes)
        }
        if let label { try registerLabel(label) }
        finished = true
        return try OMEZarrImage.open(store, path: path)
    }
}
