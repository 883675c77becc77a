public import MIFACore
public import OMEZarr
public import Zarr
public import Annotations

/// Where one annotation of a ``SampleSource`` came from: its annotation set (in a MIFA package,
/// `annotations/<set>/`) and its id in that set's file.
public struct AnnotationOrigin: Sendable, Hashable {
    /// The annotation set, if known.
    public var set: String?
    /// The annotation's id in its file (GeoJSON Feature `id`, COCO `id`), if it has one.
    public var id: Identifier?

    /// An origin.
    public init(set: String?, id: Identifier?) {
        self.set = set
        self.id = id
    }
}

/// One image the loader samples from, at one pyramid level, with its label image if any.
///
/// Axes are found by name (`t`, `c`, `z`, `y`, `x`); `y` and `x` are required. Regions are in
/// pixels of the chosen level.
public struct SampleSource: Sendable {
    /// A name for messages and reports (the image's path).
    public let name: String
    /// The pixel array of the chosen level.
    public private(set) var image: ZarrArray
    /// The label array of the same level, if the image has the requested label.
    public private(set) var label: ZarrArray?
    /// The pyramid level sampled.
    public let level: Int
    /// Where each named axis sits in the image array (`t`, `c`, `z`, `y`, `x`).
    public let axes: AxisSlots
    /// Where each named axis sits in the label array.
    public let labelAxes: AxisSlots?
    /// The element type of the pixels.
    public let dataType: DataType
    /// The element type of the labels.
    public let labelDataType: DataType?
    /// Full-resolution pixels per pixel of the sampled level, `[x, y]`.
    public let scale: [Double]
    /// The vector annotations, in a spatial index (see ``withAnnotations(_:origins:cellSize:)``).
    public private(set) var annotations: AnnotationIndex?
    /// Where each annotation of ``annotations`` came from, by its position
    /// (``PatchAnnotation/annotation``): its annotation set and its id there.
    public private(set) var annotationOrigins: [AnnotationOrigin] = []

    /// The positions of the named axes in an array; `nil` for an axis the array does not have.
    public struct AxisSlots: Sendable, Hashable {
        /// The time axis.
        public var t: Int?
        /// The channel axis.
        public var c: Int?
        /// The z axis.
        public var z: Int?
        /// The y axis.
        public var y: Int
        /// The x axis.
        public var x: Int

        /// The slots of `names`, or `nil` when y or x is missing.
        public init?(names: [String]) {
            guard let y = names.firstIndex(of: "y"), let x = names.firstIndex(of: "x") else { return nil }
            self.t = names.firstIndex(of: "t")
            self.c = names.firstIndex(of: "c")
            self.z = names.firstIndex(of: "z")
            self.y = y
            self.x = x
        }
    }

    /// The source for `image` at `level`, with the label image `labelName` if given and present.
    /// - Throws: ``BatchLoaderError`` `.unsupportedImage` when the level is missing, the image lacks y
    ///   or x, the type is not numeric, or the label's spatial shape differs from the image's;
    ///   `OMEZarrError` when the label image cannot be opened.
    public init(image: OMEZarrImage, level: Int = 0, labelName: String? = nil, name: String? = nil) throws {
        let name = name ?? image.path
        guard image.levels.indices.contains(level) else {
            throw BatchLoaderError(.unsupportedImage, "level \(level) does not exist; the image has \(image.levels.count) levels",
                                   context: ErrorContext(file: name))
        }
        guard let slots = AxisSlots(names: image.axes.map(\.name)) else {
            throw BatchLoaderError(.unsupportedImage, "the image needs axes named y and x; found \(image.axes.map(\.name))",
                                   context: ErrorContext(file: name))
        }
        let levelArray = image.levels[level].array
        guard let type = levelArray.dataType.coreType, type != .bool else {
            throw BatchLoaderError(.unsupportedImage, "the pixel type \(levelArray.dataType) is not a numeric type the loader reads",
                                   context: ErrorContext(file: name))
        }
        self.name = name
        self.level = level
        self.axes = slots
        self.dataType = type
        self.image = levelArray
        let full = image.levels[0].array.shape
        self.scale = [Double(full[slots.x]) / Double(levelArray.shape[slots.x]), Double(full[slots.y]) / Double(levelArray.shape[slots.y])]
        if let labelName {
            let labelImage = try image.openLabel(labelName)
            guard labelImage.levels.indices.contains(level), let labelSlots = AxisSlots(names: labelImage.axes.map(\.name)) else {
                throw BatchLoaderError(.unsupportedImage, "the label '\(labelName)' has no level \(level) with y and x axes",
                                       context: ErrorContext(file: name))
            }
            let array = labelImage.levels[level].array
            guard let labelType = array.dataType.coreType, labelType.isInteger else {
                throw BatchLoaderError(.unsupportedImage, "the label '\(labelName)' has type \(array.dataType); labels are integers",
                                       context: ErrorContext(file: name))
            }
            let spatial = { (shape: [Int], s: AxisSlots) in [s.z.map { shape[$0] } ?? 1, shape[s.y], shape[s.x]] }
            guard spatial(array.shape, labelSlots) == spatial(levelArray.shape, slots) else {
                throw BatchLoaderError(.unsupportedImage, "the label '\(labelName)' has shape \(array.shape) at level \(level); the image has \(levelArray.shape)",
                                       context: ErrorContext(file: name))
            }
            self.label = array
            self.labelAxes = labelSlots
            self.labelDataType = labelType
        } else {
            self.label = nil
            self.labelAxes = nil
            self.labelDataType = nil
        }
    }

    /// The same source with `annotations` (coordinates in full-resolution pixels) held in a
    /// spatial index, so each patch gets the annotations that fall in it, clipped.
    /// - Parameters:
    ///   - annotations: the annotations, in full-resolution pixels.
    ///   - origins: one per annotation, in the same order: the set and id it came from (`nil`, or a
    ///     list of another length: each annotation's own id, no set).
    ///   - cellSize: the side of the spatial index's grid cells, in pixels of the level.
    public func withAnnotations(_ annotations: [Annotation], origins: [AnnotationOrigin]? = nil, cellSize: Int = 64) -> SampleSource {
        var copy = self
        let e = extents
        copy.annotations = AnnotationIndex(annotations: annotations, height: e.y, width: e.x, scale: (scale[0], scale[1]), cellSize: cellSize)
        copy.annotationOrigins = origins.flatMap { $0.count == annotations.count ? $0 : nil }
            ?? annotations.map { AnnotationOrigin(set: nil, id: $0.id) }
        return copy
    }

    /// The same source reading through `wrap(store)` (for metrics).
    func rewrapped(_ wrap: (any ZarrStore) -> any ZarrStore) throws -> SampleSource {
        var copy = self
        copy.image = try ZarrArray(store: wrap(image.store), path: image.path, metadata: image.metadata)
        if let label { copy.label = try ZarrArray(store: wrap(label.store), path: label.path, metadata: label.metadata) }
        return copy
    }

    /// This source with its image and label arrays keeping their shard indexes in `cache`.
    func cachingShardIndexes(in cache: ShardIndexCache) -> SampleSource {
        var copy = self
        copy.image = image.cachingShardIndexes(in: cache)
        copy.label = label?.cachingShardIndexes(in: cache)
        return copy
    }

    /// The extents `(t, c, z, y, x)` of the level; 1 for an axis the image does not have.
    public var extents: (t: Int, c: Int, z: Int, y: Int, x: Int) {
        let shape = image.shape
        return (axes.t.map { shape[$0] } ?? 1, axes.c.map { shape[$0] } ?? 1, axes.z.map { shape[$0] } ?? 1, shape[axes.y], shape[axes.x])
    }
}
