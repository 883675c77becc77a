import MIFACore

extension NapariCSV {
    /// The points table of a document: one row per annotation at its centre (``AnnotationValue/centroid``),
    /// shifted to napari's centre-based grid; `axis-2` when points are 3-D or have frames (then a
    /// `frame` column says the first axis is time); a `label` column with the category name when
    /// any annotation has one.
    public static func encodePoints(_ document: AnnotationDocument) -> [UInt8] {
        let categories = Dictionary(document.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = document.annotations.compactMap { annotation -> (Annotation, Point)? in
            annotation.value.centroid.map { (annotation, CoordinateTransform.convert($0, from: .corner, to: .center)) }
        }
        let hasZ = rows.contains { $0.1.z != nil }
        let hasFrames = !hasZ && rows.contains { $0.0.frame != nil }
        let hasLabels = rows.contains { $0.0.categoryID != nil }
        var header = ["index", "axis-0", "axis-1"]
        if hasZ || hasFrames { header.append("axis-2") }
        if hasFrames { header.append("frame") }
        if hasLabels { header.append("label") }
        var text = header.joined(separator: ",") + "\n"
        for (index, (annotation, point)) in rows.enumerated() {
            var fields = [String(index)]
            if hasZ {
                fields += [csvNumber(point.z ?? 0), csvNumber(point.y), csvNumber(point.x)]
            } else if hasFrames {
                let frame = annotation.frame ?? 0
                fields += [String(frame), csvNumber(point.y), csvNumber(point.x), String(frame)]
            } else {
                fields += [csvNumber(point.y), csvNumber(point.x)]
            }
            if hasLabels { fields.append(CSVTable.escape(annotation.categoryID.map { categories[$0] ?? $0.description } ?? "")) }
            text += fields.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
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
