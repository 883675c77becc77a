import MIFACore

extension NapariCSV {
    /// The points table of a document: one row per annotation at its centre (``AnnotationValue/centroid``),
    /// shifted to napari's centre-based grid; `axis-2` when points are 3-D or have frames (then a
    /// `frame` column says the first axis is time); a `label` column with the category name when
    /// any annotation has one.
    ///
    /// Points of several images (masks of five images, a COCO file) keep their image the way a napari
    /// points layer over a stack of those images does: `axis-0` is the image's position in the
    /// document's image list (a leading axis), `axis-1, axis-2` are `y, x`, and an `image` column
    /// names the image (its file name, else its id); ``readPoints(path:)`` reads it back.
    /// 3-D points or points with frames of several images cannot also say the image
    /// (``Converter/losses(of:to:options:)`` lists that).
    public static func encodePoints(_ document: AnnotationDocument) -> [UInt8] {
        let categories = Dictionary(document.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = document.annotations.compactMap { annotation -> (Annotation, Point)? in
            annotation.value.centroid.map { (annotation, CoordinateTransform.convert($0, from: .corner, to: .center)) }
        }
        let hasZ = rows.contains { $0.1.z != nil }
        let hasFrames = !hasZ && rows.contains { $0.0.frame != nil }
        let hasLabels = rows.contains { $0.0.categoryID != nil }
        let imageAxis = !hasZ && !hasFrames ? imagePositions(of: document) : nil
        var header = ["index", "axis-0", "axis-1"]
        if hasZ || hasFrames || imageAxis != nil { header.append("axis-2") }
        if hasFrames { header.append("frame") }
        if imageAxis != nil { header.append("image") }
        if hasLabels { header.append("label") }
        var text = header.joined(separator: ",") + "\n"
        for (index, (annotation, point)) in rows.enumerated() {
            var fields = [String(index)]
            if hasZ {
                fields += [csvNumber(point.z ?? 0), csvNumber(point.y), csvNumber(point.x)]
            } else if hasFrames {
                let frame = annotation.frame ?? 0
                fields += [String(frame), csvNumber(point.y), csvNumber(point.x), String(frame)]
            } else if let imageAxis {
                let image = annotation.imageID.flatMap { imageAxis.position[$0] }
                fields += [image.map { String($0) } ?? "", csvNumber(point.y), csvNumber(point.x), CSVTable.escape(image.map { imageAxis.names[$0] } ?? "")]
            } else {
                fields += [csvNumber(point.y), csvNumber(point.x)]
            }
            if hasLabels { fields.append(CSVTable.escape(annotation.categoryID.map { categories[$0] ?? $0.description } ?? "")) }
            text += fields.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    /// When the document's annotations are on more than one image: each image's position (in the
    /// document's image list, then in order of first use) and name (file name, else id); else `nil`.
    static func imagePositions(of document: AnnotationDocument) -> (position: [Identifier: Int], names: [String])? {
        var order = document.images.map(\.id)
        for id in document.annotations.compactMap(\.imageID) where !order.contains(id) { order.append(id) }
        let used = Set(document.annotations.compactMap(\.imageID))
        guard used.count > 1 else { return nil }
        let references = Dictionary(document.images.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let names = order.map { id in references[id]?.fileName ?? id.description }
        return (Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }), names)
    }

    /// The tracks table of a document: `track_id,t,[z,]y,x,parent_track_id`, one row per tracked
    /// object at its centre (napari's grid), sorted by track and frame; `parent_track_id` is `-1`
    /// for none.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when no annotation has a frame and a track.
    public static func encodeTracks(_ document: AnnotationDocument) throws -> [UInt8] {
        let parents = Dictionary((document.tracking?.tracks ?? []).map { ($0.id, $0.parent) }, uniquingKeysWith: { first, _ in first })
        var rows = document.annotations.compactMap { annotation -> (Int64, Int, Point)? in
            guard let track = annotation.trackID, let frame = annotation.frame, let centre = annotation.value.centroid else { return nil }
            return (track, frame, CoordinateTransform.convert(centre, from: .corner, to: .center))
        }
        guard !rows.isEmpty else {
            throw AnnotationError(.invalidArgument, "no annotation has a frame and a track id; napari tracks need per-frame objects linked into tracks (e.g. from a CTC folder or a TYX label stack)")
        }
        rows.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        let hasZ = rows.contains { $0.2.z != nil }
        var text = (hasZ ? "track_id,t,z,y,x,parent_track_id" : "track_id,t,y,x,parent_track_id") + "\n"
        for (track, frame, point) in rows {
            var fields = [String(track), String(frame)]
            if hasZ { fields.append(csvNumber(point.z ?? 0)) }
            fields += [csvNumber(point.y), csvNumber(point.x), String((parents[track] ?? nil) ?? -1)]
            text += fields.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }
}
