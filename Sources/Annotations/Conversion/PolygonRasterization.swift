/// How polygons become pixels; a property of the format the polygons came from.
public enum PolygonRasterization: String, Sendable, Hashable, CaseIterable {
    /// Pixel centre inside, even-odd (GeoJSON, QuPath, GDAL; exact for pixel-edge polygons).
    case pixelCenter = "pixel-center"
    /// pycocotools' `rleFrPoly` (COCO polygons), each polygon filled and the polygons united.
    case coco
}

/// How annotations are drawn into masks.
public struct MaskDrawing: Sendable, Hashable {
    /// The rasterisation rule for polygons; `nil` uses the document's own
    /// (``AnnotationDocument/rasterization``), or the pixel-centre rule for a lone value.
    public var rule: PolygonRasterization?
    /// Draw point annotations as disks of this radius (pixels); `nil` leaves points out.
    public var pointRadius: Double?
    /// Draw box annotations as filled boxes (weak masks).
    public var fillBoxes: Bool

    /// Drawing options.
    public init(rule: PolygonRasterization? = nil, pointRadius: Double? = nil, fillBoxes: Bool = false) {
        self.rule = rule
        self.pointRadius = pointRadius
        self.fillBoxes = fillBoxes
    }
}

extension AnnotationValue {
    /// The pixels of this value in a `height` × `width` image, or `nil` when it has no area (points,
    /// lines, counts, labels) and `drawing` does not ask for a weak mask.
    ///
    /// - Throws: ``AnnotationError`` `.invalidGeometry` for non-finite or far-out coordinates,
    ///   `.invalidArgument` when a mask has another size than the image.
    public func spans(height: Int, width: Int, drawing: MaskDrawing = MaskDrawing()) throws -> RowSpans? {
        switch self {
        case .mask(let rle):
            guard rle.height == height, rle.width == width else {
                throw AnnotationError(.invalidArgument, "a \(rle.width)×\(rle.height) mask does not fit the \(width)×\(height) image")
            }
            return rle.spans
        case .probabilityMap(let map):
            guard map.height == height, map.width == width else {
                throw AnnotationError(.invalidArgument, "a \(map.width)×\(map.height) probability map does not fit the \(width)×\(height) image")
            }
            return map.threshold(0.5)
        case .geometry(let geometry):
            if case .point(let point) = geometry {
                guard let radius = drawing.pointRadius else { return nil }
                return RowSpans.disk(center: point.vertex, radius: radius, height: height, width: width)
            }
            if case .multiPoint(let points) = geometry {
                guard let radius = drawing.pointRadius else { return nil }
                return RowSpans.union(points.map { RowSpans.disk(center: $0.vertex, radius: radius, height: height, width: width) }, height: height, width: width)
            }
            let polygons = geometry.polygons
            guard !polygons.isEmpty else { return nil }
            return try Self.spans(of: polygons, height: height, width: width, rule: drawing.rule ?? .pixelCenter)
        case .box(let box):
            guard drawing.fillBoxes else { return nil }
            if drawing.rule == .coco { return try RLE(box: box, height: height, width: width).spans }
            return RowSpans.box(box, height: height, width: width)
        case .count(let count):
            guard let region = count.region, drawing.fillBoxes else { return nil }
            return try AnnotationValue.geometry(region).spans(height: height, width: width, drawing: drawing)
        case .classLabel, .graph, .derived:
            return nil
        }
    }

    /// The pixels of polygons: each polygon (with its holes, even-odd) filled, the polygons united.
    static func spans(of polygons: [Polygon], height: Int, width: Int, rule: PolygonRasterization) throws -> RowSpans {
        if rule == .coco && polygons.allSatisfy({ $0.holes.isEmpty }) {
            let masks = try polygons.map { try RLE(polygon: $0.exterior.flat, height: height, width: width) }
            return try RLE.merge(masks).spans
        }
        if polygons.count == 1 { return try PolygonRasterizer.spans(of: polygons, height: height, width: width) }
        return RowSpans.union(try polygons.map { try PolygonRasterizer.spans(of: [$0], height: height, width: width) }, height: height, width: width)
    }

    /// This value as a COCO mask of a `height` × `width` image (see ``spans(height:width:drawing:)``).
    /// - Throws: ``AnnotationError`` as ``spans(height:width:drawing:)``.
    public func rle(height: Int, width: Int, drawing: MaskDrawing = MaskDrawing()) throws -> RLE? {
        if case .mask(let rle) = self, rle.height == height, rle.width == width { return rle }
        if drawing.rule == .coco, case .geometry(let geometry) = self {
            let polygons = geometry.polygons
            if !polygons.isEmpty, polygons.allSatisfy({ $0.holes.isEmpty }) {
                return try RLE.merge(polygons.map { try RLE(polygon: $0.exterior.flat, height: height, width: width) })
            }
        }
        return try spans(height: height, width: width, drawing: drawing).map { try RLE(spans: $0) }
    }
}
