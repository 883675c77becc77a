import MIFACore

extension Tracking {
    /// The lineage as JSON, `[[label, begin, end, parent], ...]` (parent 0 for none), the
    /// `mifa:tracks` member MIFAKit writes into COCO and GeoJSON files.
    var jsonValue: JSONValue {
        .array(tracks.map { track in
            .array([track.id, Int64(track.start), Int64(track.end), track.parent ?? 0].map { .number(JSONNumber($0)) })
        })
    }

    /// A lineage from its JSON form (see ``jsonValue``).
    /// - Throws: ``AnnotationError`` `.malformed` for another shape, or the lineage's own errors.
    init(json: JSONValue, context: ErrorContext) throws {
        guard let rows = json.arrayValue else {
            throw AnnotationError(.malformed, "mifa:tracks is a list of [label, begin, end, parent]", context: context)
        }
        var tracks: [Track] = []
        for row in rows {
            guard let values = row.arrayValue?.compactMap({ $0.numberValue?.int64Value }), values.count == 4,
                values[1] >= 0, values[2] >= 0, values[1] <= 1_000_000, values[2] <= 1_000_000, values[3] >= 0
            else { throw AnnotationError(.malformed, "each entry of mifa:tracks is [label, begin, end, parent] (whole numbers, parent 0 for none)", context: context) }
            tracks.append(Track(id: values[0], start: Int(values[1]), end: Int(values[2]), parent: values[3] == 0 ? nil : values[3]))
        }
        self.init(tracks: tracks)
        do {
            try validate(requirePositiveIDs: false)
        } catch let error as AnnotationError {
            throw AnnotationError(error.kind, error.message, context: context)
        }
    }
}
