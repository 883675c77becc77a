extension Converter {
    /// What `target` cannot carry of `document` (drawing overlaps in masks are found when drawing).
    ///
    /// - Throws: never for now; reserved for checks that need to look at pixels.
    public static func losses(of document: AnnotationDocument, to target: AnnotationFormat, options: ConversionOptions = ConversionOptions()) throws -> [InformationLoss] {
        var tally = LossTally()
        let annotations = document.annotations
        let hasParents = document.tracking?.tracks.contains { $0.parent != nil } ?? false
        let shapeConsent = options.reduction != nil
        for annotation in annotations {
            let value = annotation.value
            switch target {
            case .coco:
                switch value {
                case .geometry(let geometry):
                    if !geometry.isAreal { tally.add(.objects, "\(value.kindName)s", "COCO instances hold areas, boxes and masks") }
                    if case .ellipse = geometry { tally.add(.shape, "ellipses", "COCO has no ellipses; they become 64-point polygons") }
                    if geometry.polygons.contains(where: { !$0.holes.isEmpty }) && !isPixelAligned(geometry) {
                        tally.add(.shape, "polygons with holes", "COCO polygons cannot have holes; they are rasterised to RLE masks at pixel centres")
                    }
                case .box(let box) where box.is3D: tally.add(.shape, "3-D boxes", "COCO boxes are 2-D; the z extent is dropped")
                case .classLabel, .count, .derived, .graph, .probabilityMap:
                    tally.add(.objects, "\(value.kindName)s", "COCO instances hold areas, boxes and masks")
                default: break
                }
            case .geojson:
                if case .probabilityMap = value { tally.add(.objects, "probability maps", "GeoJSON holds vectors, not pixel values") }
            case .maskPNG, .maskTIFF, .npy, .ctc:
                let drawable = value.isAreal && !(value.isBoxOnly && !options.fillBoxes) || (value.isPoint && options.pointRadius != nil)
                if !drawable {
                    let hint = value.isPoint ? " (give --point-radius to draw them as disks)" : value.isBoxOnly ? " (give --fill-boxes to draw them as weak masks)" : ""
                    tally.add(.objects, "\(value.kindName)s", "a label image holds areas; these cannot be drawn\(hint)")
                }
                if value.isPoint && options.pointRadius != nil { tally.add(.attributes, "points drawn as disks", "points become weak disk masks") }
                if case .probabilityMap = value { tally.add(.shape, "probability maps", "a label image keeps the pixels at or above 0.5, not the probabilities") }
                if annotation.properties.keys.contains(where: { !Converter.bookkeepingProperties.contains($0) }) {
                    tally.add(.attributes, "annotations with properties", "a label image keeps no per-object properties (names, measurements)")
                }
                if annotation.confidence != nil { tally.add(.attributes, "scores", "a label image keeps no scores") }
            case .napariPointsCSV:
                if !value.isSpatial { tally.add(.objects, "\(value.kindName)s", "a points table holds positions only") }
                else if !value.isPoint && !shapeConsent { tally.add(.shape, "\(value.kindName)s", "a points table keeps only each object's centre") }
                if annotation.trackID != nil { tally.add(.tracks, "tracked objects", "a points table keeps no track ids (write napari-tracks-csv)") }
            case .napariTracksCSV:
                if annotation.trackID == nil || annotation.frame == nil { tally.add(.objects, "untracked annotations", "a tracks table holds only objects with a frame and a track") }
                else if !value.isPoint && value.isSpatial && !shapeConsent { tally.add(.shape, "\(value.kindName)s", "a tracks table keeps only each object's centre") }
                if annotation.categoryID != nil { tally.add(.classes, "annotations with a category", "a tracks table keeps no categories") }
            case .yolo:
                let segments = options.yoloMode == .segments || (options.yoloMode == .auto && document.annotations.contains { $0.value.isAreal && !$0.value.isBoxOnly })
                if !value.isSpatial || value.isPoint || (!value.isAreal && value.boundingBox == nil) {
                    tally.add(.objects, "\(value.kindName)s", "YOLO holds boxes and polygons")
                } else if !segments && !value.isBoxOnly && !shapeConsent {
                    tally.add(.shape, "\(value.kindName)s", "YOLO box lines keep only each object's bounding box")
                } else if segments, case .geometry(let geometry) = value, !geometry.isAreal {
                    tally.add(.objects, "\(value.kindName)s", "YOLO holds boxes and polygons")
                } else if segments {
                    let polygons = value.polygonsForLoss
                    if polygons.contains(where: { !$0.holes.isEmpty }) { tally.add(.shape, "objects with holes", "YOLO polygons have no holes; holes are dropped") }
                    if polygons.count > 1 { tally.add(.objects, "multi-part objects", "YOLO has one polygon per line; parts become separate objects") }
                }
                if annotation.confidence != nil || annotation.properties.keys.contains(where: { !Converter.bookkeepingProperties.contains($0) }) {
                    tally.add(.attributes, "annotations with scores or properties", "YOLO label files keep only class and coordinates")
                }
                if annotation.trackID != nil { tally.add(.tracks, "tracked objects", "YOLO label files keep no track ids") }
            }
        }
        if target.isMask || target == .ctc {
            let categories = Set(annotations.compactMap(\.categoryID))
            if options.maskKind == .instance || target == .ctc, categories.count > 1 {
                tally.add(.classes, "categories", "an instance label image keeps no classes (\(categories.count) categories); write --mask-kind semantic for classes", count: categories.count)
            }
            if options.maskKind == .semantic && target != .ctc {
                var perClass: [Identifier?: [Identifier?]] = [:]
                for annotation in annotations where annotation.value.isAreal { perClass[annotation.categoryID, default: []].append(annotation.imageID) }
                let merged = perClass.values.reduce(0) { total, images in
                    total + Dictionary(grouping: images, by: { $0 }).values.reduce(0) { $0 + max($1.count - 1, 0) }
                }
                if merged > 0 { tally.add(.objects, "instances merged", "a semantic label image merges the objects of one class in one image", count: merged) }
            }
        }
        if target == .napariPointsCSV {
            // Several images in one table keep their image as a leading axis (NapariCSV.encodePoints),
            // except when that axis is already z or time.
            let images = Set(annotations.filter { $0.value.isSpatial }.compactMap(\.imageID))
            let taken = annotations.contains { $0.value.centroid?.z != nil } ? "z" : annotations.contains { $0.frame != nil } ? "frames" : nil
            if images.count > 1, let taken {
                let count = annotations.filter { $0.value.isSpatial }.count
                tally.add(.objects, "points of \(images.count) images", "a napari points table with \(taken) has no axis left for the image, so which image a point is on would be lost; write one table per image, or geojson or coco", count: count)
            }
        }
        if hasParents && [.maskPNG, .maskTIFF, .npy, .napariPointsCSV, .yolo].contains(target) {
            let divisions = document.tracking?.tracks.filter { $0.parent != nil }.count ?? 0
            tally.add(.tracks, "track links", "\(target) keeps no lineage; \(divisions) parent links are dropped (write ctc, napari-tracks-csv, coco or geojson)", count: divisions)
        }
        return tally.losses
    }

    /// Properties that formats use for their own bookkeeping and that carry no annotation content.
    static let bookkeepingProperties: Set<String> = ["label", "objectType", "area", "bbox", "mifa_id"]

    /// Whether every vertex of a geometry lies on an integer pixel corner (then rasterising is exact).
    static func isPixelAligned(_ geometry: Geometry) -> Bool {
        geometry.vertices.allSatisfy { $0.x == $0.x.rounded() && $0.y == $0.y.rounded() }
    }
}

/// Counts losses of each kind and subject, in first-seen order.
struct LossTally {
    private var order: [String] = []
    private var entries: [String: InformationLoss] = [:]

    mutating func add(_ kind: InformationLoss.Kind, _ subject: String, _ reason: String, count: Int = 1) {
        let key = "\(kind.rawValue)\u{0}\(subject)\u{0}\(reason)"
        if var entry = entries[key] {
            entry.count += count
            entry.message = "\(entry.count) \(subject): \(reason)"
            entries[key] = entry
        } else {
            order.append(key)
            entries[key] = InformationLoss(kind, count: count, "\(count) \(subject): \(reason)")
        }
    }

    var losses: [InformationLoss] { order.compactMap { entries[$0] } }
}

extension AnnotationValue {
    var isBoxOnly: Bool {
        if case .box = self { return true }
        return false
    }

    var isPoint: Bool {
        if case .geometry(.point) = self { return true }
        if case .geometry(.multiPoint) = self { return true }
        return false
    }

    var polygonsForLoss: [Polygon] {
        switch self {
        case .mask(let rle): return PixelEdgeTracer.trace(rle).polygons
        case .geometry(let geometry): return geometry.polygons
        default: return []
        }
    }
}
