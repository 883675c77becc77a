extension Converter {
    /// What `target` cannot carry of `document` (drawing overlaps in masks are found when drawing).
    ///
    /// - Throws: never for now; reserved for checks that need to look at pixels.
    public static func losses(of document: AnnotationDocument, to target: AnnotationFormat, options: ConversionOptions = ConversionOptions()) throws -> [InformationLoss] {
        var tally = LossTally()
        target.handler.losses(of: document, options: options, into: &tally)
        if !target.handler.keepsLineage, let tracks = document.tracking?.tracks, tracks.contains(where: { $0.parent != nil }) {
            let divisions = tracks.filter { $0.parent != nil }.count
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
