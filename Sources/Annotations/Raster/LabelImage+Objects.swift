import MIFACore

/// Whether a label image holds one value per object or one value per class.
public enum MaskKind: String, Sendable, Hashable, CaseIterable {
    /// One value per object (instance segmentation); the value is the object's id.
    case instance
    /// One value per class (semantic segmentation); the value is the class's id.
    case semantic
}

/// One label of a label image: its pixels and simple measures.
public struct LabelObject: Sendable, Hashable {
    /// The label value.
    public var label: Int64
    /// Its pixels.
    public var spans: RowSpans

    /// Number of pixels.
    public var area: Int { spans.area }
    /// Tight pixel box.
    public var boundingBox: BoundingBox { spans.boundingBox }
    /// Centre of mass, corner-based.
    public var centroid: Vertex? { spans.centroid }
}

extension LabelImage {
    /// Every nonzero label with its pixels, in increasing label order. Memory follows the number of
    /// runs, not pixels.
    /// - Parameter limit: the most objects to gather: a label image of noise has about one object
    ///   per pixel, each far larger than its pixel, so a reader of strangers' images bounds them.
    /// - Throws: ``AnnotationError`` `.invalidArgument` for a `uint64` label above `Int64.max`,
    ///   `.tooLarge` when the image holds more than `limit` objects.
    public func objects(limit: Int = .max) throws -> [LabelObject] {
        let runs = try RowRuns.extract(self)
        var index: [Int64: Int] = [:]
        var objects: [LabelObject] = []
        var y = 0
        for run in 0..<runs.count {
            while run >= runs.rowStart[y + 1] { y += 1 }
            let label = runs.label[run]
            let position: Int
            if let existing = index[label] {
                position = existing
            } else {
                guard objects.count < limit else {
                    throw AnnotationError(.tooLarge, "the \(height) x \(width) label image holds more than \(limit) objects (distinct non-zero values)")
                }
                position = objects.count
                index[label] = position
                objects.append(LabelObject(label: label, spans: RowSpans(height: height, width: width)))
            }
            objects[position].spans.append(row: Int32(y), runs.x0[run], runs.x1[run])
        }
        objects.sort { $0.label < $1.label }
        return objects
    }

    /// The label image as annotations: one per object (instance), or one per class with the value as
    /// its category id (semantic). Each carries its mask as COCO RLE and its label in the `label`
    /// property.
    /// - Throws: ``AnnotationError`` `.invalidArgument` for labels that cannot be read,
    ///   `.invalidRLE` for an image too large for COCO's 32-bit counts.
    public func annotations(kind: MaskKind = .instance, imageID: Identifier? = nil) throws -> [Annotation] {
        try Self.annotations(of: objects(), kind: kind, imageID: imageID)
    }

    /// Objects already found (``objects()``) as annotations, as ``annotations(kind:imageID:)``.
    static func annotations(of objects: [LabelObject], kind: MaskKind, imageID: Identifier?) throws -> [Annotation] {
        try objects.map { object in
            var annotation = Annotation(imageID: imageID, value: .mask(try RLE(spans: object.spans)))
            annotation.properties["label"] = .number(JSONNumber(object.label))
            if kind == .semantic { annotation.categoryID = .int(object.label) }
            return annotation
        }
    }
}
