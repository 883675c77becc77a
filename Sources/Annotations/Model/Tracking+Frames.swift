extension Tracking {
    /// Builds a lineage from per-frame objects by the Cell Tracking Challenge rules.
    ///
    /// Objects with the same ``Annotation/trackID`` in consecutive frames form one track; where a
    /// track id skips frames, each later stretch becomes a new track (a new label, as CTC asks)
    /// whose parent is the stretch before. Parents from `existing` (divisions) are kept for each
    /// id's first stretch. Objects with a frame but no track id each get a one-frame track.
    ///
    /// - Parameters:
    ///   - annotations: the objects; their `trackID`s are rewritten where stretches were split.
    ///   - existing: a lineage whose parents to keep.
    /// - Returns: the lineage, validated.
    /// - Throws: ``AnnotationError`` `.invalidTracks` when a kept parent does not end before its
    ///   child starts, or an object has two positions in one frame.
    public static func fromFrames(_ annotations: inout [Annotation], existing: Tracking? = nil) throws -> Tracking {
        var frames: [Int64: [Int]] = [:]
        var nextID = (annotations.compactMap(\.trackID).max() ?? 0) + 1
        if let existing { nextID = max(nextID, (existing.tracks.map(\.id).max() ?? 0) + 1) }
        var order: [Int64] = []
        for index in annotations.indices {
            guard let frame = annotations[index].frame else { continue }
            if annotations[index].trackID == nil {
                annotations[index].trackID = nextID
                nextID += 1
            }
            let id = annotations[index].trackID!
            if frames[id] == nil { order.append(id) }
            frames[id, default: []].append(index)
            _ = frame
        }
        let parents = Dictionary((existing?.tracks ?? []).map { ($0.id, $0.parent) }, uniquingKeysWith: { first, _ in first })
        var tracks: [Track] = []
        for id in order.sorted() {
            let members = frames[id]!.sorted { annotations[$0].frame! < annotations[$1].frame! }
            var segmentID = id
            var start = annotations[members[0]].frame!
            var previous = start
            var parent: Int64? = parents[id] ?? nil
            for (position, index) in members.enumerated() {
                let frame = annotations[index].frame!
                if position > 0 && frame == previous {
                    throw AnnotationError(.invalidTracks, "track \(id) has two objects in frame \(frame); an object is in each frame once", context: Tracking.context(id))
                }
                if position > 0 && frame > previous + 1 {
                    tracks.append(Track(id: segmentID, start: start, end: previous, parent: parent))
                    parent = segmentID
                    segmentID = nextID
                    nextID += 1
                    start = frame
                }
                annotations[index].trackID = segmentID
                previous = frame
            }
            tracks.append(Track(id: segmentID, start: start, end: previous, parent: parent))
        }
        tracks.sort { $0.id < $1.id }
        let tracking = Tracking(tracks: tracks)
        try tracking.validate()
        return tracking
    }
}
