import MIFACore

/// Options for drawing annotations into label images.
public struct MaskWriteOptions: Sendable, Hashable {
    /// Instance labels (one value per annotation) or semantic labels (one value per category).
    public var kind: MaskKind
    /// How polygons, points and boxes are drawn.
    public var drawing: MaskDrawing
    /// The canvas for images whose size the document does not know (`--image`).
    public var imageSize: ImageSize?
    /// The most memory one image's label image may take (`--budget-mb`).
    public var budget: RasterBudget

    /// Options; instance labels, shapes drawn by the document's own rule, the default budget.
    public init(kind: MaskKind = .instance, drawing: MaskDrawing = MaskDrawing(), imageSize: ImageSize? = nil, budget: RasterBudget = .default) {
        self.kind = kind
        self.drawing = drawing
        self.imageSize = imageSize
        self.budget = budget
    }
}

/// A width and a height in pixels.
public struct ImageSize: Sendable, Hashable, CustomStringConvertible {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int

    /// A size.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Parses `WIDTHxHEIGHT` (`512x256`); `nil` for anything else.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else { return nil }
        self.init(width: width, height: height)
    }

    /// `WIDTHxHEIGHT`.
    public var description: String { "\(width)x\(height)" }
}

/// One image's annotations drawn as a label image, with what drawing them cost.
public struct RenderedMask: Sendable {
    /// The image.
    public var image: ImageReference
    /// The labels.
    public var labels: LabelImage
    /// Pixels claimed by more than one annotation (the later one is kept).
    public var overlappingPixels: Int
    /// Annotations of this image with nothing to draw (points, lines, counts, boxes without weak masks).
    public var undrawn: Int
    /// The label value each drawn annotation got (by annotation index in the document).
    public var labelOfAnnotation: [Int: Int64]
}

/// Draws a document's annotations into one label image per image.
public enum MaskRenderer {
    /// Draws every image of the document.
    ///
    /// Instance labels come from each annotation's `label` property, else its track id, else its
    /// integer id, when those are positive and unique in the image; otherwise annotations are
    /// numbered 1, 2, ... in order. Semantic labels are category ids when they are positive
    /// integers, else 1, 2, ... in category order.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when an image's size is unknown and no
    ///   ``MaskWriteOptions/imageSize`` is given, `.tooLarge` when a label image would take more
    ///   than ``MaskWriteOptions/budget`` (checked before anything is allocated),
    ///   `.invalidGeometry` for bad coordinates.
    public static func render(_ document: AnnotationDocument, options: MaskWriteOptions = MaskWriteOptions()) throws -> [RenderedMask] {
        var drawing = options.drawing
        if drawing.rule == nil { drawing.rule = document.rasterization }
        var images = document.images
        if images.isEmpty { images = [ImageReference(id: .string("image"))] }
        let imageIndex = Dictionary(images.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var members = [[Int]](repeating: [], count: images.count)
        for (index, annotation) in document.annotations.enumerated() {
            if let id = annotation.imageID, let position = imageIndex[id] {
                members[position].append(index)
            } else if annotation.imageID == nil || images.count == 1 {
                members[0].append(index)
            }
        }
        let categoryLabels = semanticLabels(document.categories)
        var result: [RenderedMask] = []
        for (position, var image) in images.enumerated() {
            let size = try imageSize(image, members[position].map { document.annotations[$0] }, options)
            image.width = size.width
            image.height = size.height
            let labels = options.kind == .instance
                ? instanceLabels(members[position].map { document.annotations[$0] })
                : members[position].map { document.annotations[$0].categoryID.flatMap { categoryLabels[$0] } ?? 1 }
            let maximum = labels.max() ?? 0
            let dataType = LabelImage.dataType(forMaximumLabel: max(maximum, 1))
            try options.budget.checkLabelImage(of: "image \(image.id)", width: size.width, height: size.height, dataType: dataType)
            var canvas = try LabelImage(zeros: dataType, height: size.height, width: size.width)
            var overlapping = 0
            var undrawn = 0
            var labelOf: [Int: Int64] = [:]
            for (index, label) in zip(members[position], labels) {
                guard let spans = try document.annotations[index].value.spans(height: size.height, width: size.width, drawing: drawing) else {
                    undrawn += 1
                    continue
                }
                overlapping += canvas.countNonzero(in: spans)
                try canvas.fill(spans, label: label)
                labelOf[index] = label
            }
            result.append(RenderedMask(image: image, labels: canvas, overlappingPixels: overlapping, undrawn: undrawn, labelOfAnnotation: labelOf))
        }
        return result
    }

    static func imageSize(_ image: ImageReference, _ annotations: [Annotation], _ options: MaskWriteOptions) throws -> ImageSize {
        var size: ImageSize?
        if let width = image.width, let height = image.height { size = ImageSize(width: width, height: height) }
        for annotation in annotations where size == nil {
            if case .mask(let rle) = annotation.value { size = ImageSize(width: rle.width, height: rle.height) }
        }
        guard let size = size ?? options.imageSize else {
            throw AnnotationError(.invalidArgument, "the size of image \(image.id) is not known; give the canvas with --image WIDTHxHEIGHT or the image file")
        }
        guard size.width >= 0, size.height >= 0 else {
            throw AnnotationError(.invalidArgument, "image \(image.id) is \(size.width)×\(size.height); an image's width and height are whole pixels, 0 or more")
        }
        return size
    }

    /// Instance labels for one image's annotations.
    static func instanceLabels(_ annotations: [Annotation]) -> [Int64] {
        let wanted = annotations.map { annotation -> Int64? in
            annotation.properties["label"]?.numberValue?.int64Value ?? annotation.trackID ?? annotation.id?.intValue
        }
        let positive = wanted.compactMap { $0 }.filter { $0 > 0 }
        if positive.count == annotations.count, Set(positive).count == positive.count, (positive.max() ?? 0) <= Int64(UInt32.max) {
            return positive
        }
        return annotations.indices.map { Int64($0 + 1) }
    }

    /// Semantic labels per category: positive integer ids as they are, else 1, 2, ... in order.
    static func semanticLabels(_ categories: [Category]) -> [Identifier: Int64] {
        let ids = categories.compactMap(\.id.intValue)
        if ids.count == categories.count, ids.allSatisfy({ $0 > 0 && $0 <= Int64(UInt16.max) }), Set(ids).count == ids.count {
            return Dictionary(uniqueKeysWithValues: categories.map { ($0.id, $0.id.intValue!) })
        }
        return Dictionary(categories.enumerated().map { ($1.id, Int64($0 + 1)) }, uniquingKeysWith: { first, _ in first })
    }
}

extension LabelImage {
    /// How many pixels of `spans` are already nonzero.
    func countNonzero(in spans: RowSpans) -> Int { array.visit(NonzeroCount(spans: spans)) }

    private struct NonzeroCount: NDArrayVisitor {
        let spans: RowSpans
        func visit<E: NDArrayElement>(_ array: NDArray<E>) -> Int {
            let (h, w, rowMajor) = (array.shape[0], array.shape[1], array.order == .rowMajor)
            var total = 0
            array.elements.withUnsafeBufferPointer { buffer in
                spans.forEach { row, x0, x1 in
                    for x in x0..<x1 where buffer[rowMajor ? row * w + x : x * h + row] != E.zero { total += 1 }
                }
            }
            return total
        }
    }
}
