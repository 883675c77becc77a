/// How `mifa convert` (``Converter``) reads, transforms and writes.
public struct ConversionOptions: Sendable, Hashable {
    /// Convert even when information is lost (the losses are still reported).
    public var allowLossy: Bool
    /// The canvas for targets that need one (masks from vectors, YOLO's normalised coordinates).
    public var imageSize: ImageSize?
    /// The image file `--image` named, if it named a file (its name becomes the image's file name).
    public var imageFile: String?
    /// Instance or semantic label images, for reading and writing masks.
    public var maskKind: MaskKind
    /// How COCO masks are written; `nil`: polygons for masks read from label images, RLE otherwise.
    public var cocoMasks: COCOWriteOptions.Masks?
    /// Draw points as disks of this radius in masks (weak masks).
    public var pointRadius: Double?
    /// Draw boxes as filled rectangles in masks (weak masks).
    public var fillBoxes: Bool
    /// What YOLO lines to write.
    public var yoloMode: YOLOFolder.Mode
    /// A simplification to apply before writing.
    public var reduction: Reduction?
    /// Accept self-intersecting GeoJSON rings with a warning.
    public var allowInvalidRings: Bool
    /// The most memory one image's raster (a label image, a mask's row tables) may take.
    public var budget: RasterBudget
    /// Label-image values that mean "ignore" (`--ignore-label`), read as background.
    public var ignoreLabels: Set<Int64> = []
    /// Repair GeoJSON that geojsonhint rejects (`--repair`) instead of refusing it; the repairs are
    /// reported.
    public var repair = false

    /// Options; every choice at its default.
    public init(
        allowLossy: Bool = false, imageSize: ImageSize? = nil, maskKind: MaskKind = .instance, cocoMasks: COCOWriteOptions.Masks? = nil,
        pointRadius: Double? = nil, fillBoxes: Bool = false, yoloMode: YOLOFolder.Mode = .auto, reduction: Reduction? = nil,
        allowInvalidRings: Bool = false, budget: RasterBudget = .default
    ) {
        self.allowLossy = allowLossy
        self.imageSize = imageSize
        self.maskKind = maskKind
        self.cocoMasks = cocoMasks
        self.pointRadius = pointRadius
        self.fillBoxes = fillBoxes
        self.yoloMode = yoloMode
        self.reduction = reduction
        self.allowInvalidRings = allowInvalidRings
        self.budget = budget
    }

    /// How annotations are drawn into masks under these options.
    public var drawing: MaskDrawing { MaskDrawing(rule: nil, pointRadius: pointRadius, fillBoxes: fillBoxes) }
}
