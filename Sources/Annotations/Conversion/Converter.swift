import Foundation
public import MIFACore

/// What a conversion did.
public struct ConversionReport: Sendable {
    /// The input's format.
    public var source: AnnotationFormat
    /// The output's format.
    public var target: AnnotationFormat
    /// Images in the document.
    public var images: Int
    /// Annotations in the document.
    public var annotations: Int
    /// Categories in the document.
    public var categories: Int
    /// Tracks in the document's lineage.
    public var tracks: Int
    /// What the target could not carry (empty for a lossless conversion).
    public var losses: [InformationLoss]
    /// What the reader fixed or ignored.
    public var warnings: [AnnotationWarning]
    /// The files written.
    public var files: [String]
}

/// Converts between annotation formats through ``AnnotationDocument``: read, simplify if asked,
/// list what the target cannot carry, refuse if that loses information (unless allowed), write.
public enum Converter {
    /// Reads an input in the given format.
    /// - Throws: ``AnnotationError`` from the format's reader.
    public static func read(_ path: String, format: AnnotationFormat, options: ConversionOptions = ConversionOptions()) throws -> AnnotationReadResult {
        try format.handler.read(path, options: options)
    }

    /// Converts `input` to `output`.
    ///
    /// - Parameters:
    ///   - input: the file or folder to read.
    ///   - output: the file or folder to write.
    ///   - source: the input format; `nil` detects it (``AnnotationFormat/detect(input:)``).
    ///   - target: the output format; `nil` detects it from the output's name.
    ///   - options: choices and the permission to lose information.
    /// - Returns: what was read, lost and written.
    /// - Throws: ``AnnotationError`` `.lossyConversion` listing the losses when the conversion would
    ///   lose information and ``ConversionOptions/allowLossy`` is off (nothing is written then);
    ///   `.invalidArgument` when the target format cannot be told; `.tooLarge` when an image's
    ///   label image or a mask's tables would take more than ``ConversionOptions/budget``; the
    ///   readers' and writers' errors.
    public static func convert(input: String, output: String, from source: AnnotationFormat? = nil, to target: AnnotationFormat? = nil, options: ConversionOptions = ConversionOptions()) throws -> ConversionReport {
        let source = try source ?? AnnotationFormat.detect(input: input)
        guard let target = target ?? AnnotationFormat.detect(output: output) else {
            throw AnnotationError(.invalidArgument, "cannot tell the output format from '\(output)'; give --to (\(AnnotationFormat.nameList))", context: ErrorContext(file: output))
        }
        let read = try Converter.read(input, format: source, options: options)
        var document = read.document
        if let size = options.imageSize {
            for index in document.images.indices where document.images[index].width == nil || document.images[index].height == nil {
                document.images[index].width = size.width
                document.images[index].height = size.height
            }
            if document.images.isEmpty {
                // A format without images (GeoJSON, napari CSV): the canvas is the one image.
                document.images = [ImageReference(id: .int(1), fileName: options.imageFile.map { URL(fileURLWithPath: $0).lastPathComponent }, width: size.width, height: size.height)]
                for index in document.annotations.indices where document.annotations[index].imageID == nil {
                    document.annotations[index].imageID = .int(1)
                }
            }
        }
        if let reduction = options.reduction { document = reduce(document, to: reduction) }
        var losses = try Converter.losses(of: document, to: target, options: options)
        // Masks are drawn before anything is written, so overlaps are known.
        var rendered: [RenderedMask]?
        if target.isMask {
            let masks = try locating(input) {
                try MaskRenderer.render(document, options: MaskWriteOptions(kind: options.maskKind, drawing: options.drawing, imageSize: options.imageSize, budget: options.budget))
            }
            let overlapping = masks.reduce(0) { $0 + $1.overlappingPixels }
            if overlapping > 0 {
                losses.append(InformationLoss(.objects, count: overlapping, "\(overlapping) pixels are covered by more than one annotation; a label image keeps one label per pixel (the later annotation)"))
            }
            rendered = masks
        }
        let refused = losses.filter(\.refusesConversion)
        if !refused.isEmpty && !options.allowLossy {
            let list = refused.map { "  - \($0.message)" }.joined(separator: "\n")
            throw AnnotationError(.lossyConversion, "converting \(source) to \(target) would lose information:\n\(list)\nnothing was written; pass --allow-lossy to convert anyway", context: ErrorContext(file: input))
        }
        if options.allowLossy { document = representable(document, in: target) }
        let files = try target.handler.write(document, to: output, job: AnnotationWriteJob(source: source, input: input, options: options, rendered: rendered ?? []))
        return ConversionReport(
            source: source, target: target, images: document.images.count, annotations: document.annotations.count,
            categories: document.categories.count, tracks: document.tracking?.tracks.count ?? 0, losses: losses, warnings: read.warnings, files: files)
    }

    /// Runs `body`, naming `input` as the file of an error that names no file (a canvas too large
    /// for the budget is found while drawing, away from the reader that knows the file).
    static func locating<T>(_ input: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as AnnotationError where error.context.file == nil {
            error.context.file = input
            throw error
        }
    }

    /// The document without the annotations `target` cannot hold at all (after a lossy conversion
    /// was allowed), such as non-areal values for COCO or untracked objects for tracks tables.
    static func representable(_ document: AnnotationDocument, in target: AnnotationFormat) -> AnnotationDocument {
        var result = document
        result.annotations = document.annotations.filter(target.handler.keeps)
        return result
    }

    /// The document simplified: every object as its box or centre, or per-image counts per category.
    public static func reduce(_ document: AnnotationDocument, to reduction: Reduction) -> AnnotationDocument {
        var result = document
        switch reduction {
        case .boxes:
            for index in result.annotations.indices {
                if let box = result.annotations[index].value.boundingBox, result.annotations[index].value.isSpatial { result.annotations[index].value = .box(box) }
            }
        case .points:
            for index in result.annotations.indices {
                if let centre = result.annotations[index].value.centroid, result.annotations[index].value.isSpatial { result.annotations[index].value = .geometry(.point(centre)) }
            }
        case .counts:
            var counts: [String: (Identifier?, Identifier?, Int)] = [:]
            var order: [String] = []
            for annotation in document.annotations where annotation.value.isSpatial {
                let key = "\(annotation.imageID?.description ?? "")\u{0}\(annotation.categoryID?.description ?? "")"
                if counts[key] == nil { order.append(key); counts[key] = (annotation.imageID, annotation.categoryID, 0) }
                counts[key]!.2 += 1
            }
            result.annotations = order.enumerated().map { index, key in
                let (image, category, value) = counts[key]!
                return Annotation(id: .int(Int64(index + 1)), imageID: image, categoryID: category, value: .count(Count(value)))
            }
            result.tracking = nil
        }
        return result
    }
}

extension AnnotationValue {
    /// Whether the value has a place in the image (a mask, shape, box or point).
    public var isSpatial: Bool {
        switch self {
        case .mask, .probabilityMap, .geometry, .box, .graph: true
        case .count(let count): count.region != nil
        case .classLabel, .derived: false
        }
    }

    /// Whether the value covers an area.
    public var isAreal: Bool {
        switch self {
        case .mask, .probabilityMap: true
        case .geometry(let geometry): geometry.isAreal
        case .box: true
        case .count, .classLabel, .derived, .graph: false
        }
    }
}
