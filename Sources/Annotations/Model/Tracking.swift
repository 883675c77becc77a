import MIFACore

/// One track of a lineage: an object followed from frame `start` to frame `end`, optionally the
/// daughter of a `parent` track (Cell Tracking Challenge `L B E P`).
public struct Track: Sendable, Hashable {
    /// The track's label (the value its object has in every frame of the track), > 0.
    public var id: Int64
    /// First frame (0-based).
    public var start: Int
    /// Last frame, inclusive.
    public var end: Int
    /// The parent track, if this track starts after a division or a gap.
    public var parent: Int64?

    /// A track.
    public init(id: Int64, start: Int, end: Int, parent: Int64? = nil) {
        self.id = id
        self.start = start
        self.end = end
        self.parent = parent
    }
}

/// Per-frame objects linked into tracks with divisions: a lineage graph. The objects themselves are
/// ``Annotation``s with ``Annotation/frame`` and ``Annotation/trackID`` set.
public struct Tracking: Sendable, Hashable {
    /// The tracks, in the order they were read or made.
    public var tracks: [Track]

    /// A lineage of these tracks.
    public init(tracks: [Track]) {
        self.tracks = tracks
    }

    /// The children of each track that has any (`parent id → child ids`, in track order).
    public var children: [Int64: [Int64]] {
        var result: [Int64: [Int64]] = [:]
        for track in tracks {
            if let parent = track.parent { result[parent, default: []].append(track.id) }
        }
        return result
    }

    /// Checks the Cell Tracking Challenge rules that concern the lineage alone: ids positive and
    /// unique, `0 <= start <= end`, a parent that exists and ends before its child starts.
    ///
    /// - Throws: ``AnnotationError`` `.invalidTracks` (or `.duplicateID`) naming the track; the
    ///   error's `key` is `track <id>`.
    /// - Parameter requirePositiveIDs: whether ids must be positive (CTC labels); napari allows any.
    public func validate(requirePositiveIDs: Bool = true) throws {
        var byID: [Int64: Track] = [:]
        for track in tracks {
            let context = Self.context(track.id)
            guard track.id > 0 || !requirePositiveIDs else {
                throw AnnotationError(.invalidTracks, "track label \(track.id) is not positive; labels start at 1 (0 is background)", context: context)
            }
            guard byID.updateValue(track, forKey: track.id) == nil else {
                throw AnnotationError(.duplicateID, "track \(track.id) is listed twice; each label has one line", context: context)
            }
            guard track.start >= 0, track.start <= track.end else {
                throw AnnotationError(.invalidTracks, "track \(track.id) runs from frame \(track.start) to \(track.end); a track needs 0 <= begin <= end", context: context)
            }
        }
        for track in tracks {
            guard let parentID = track.parent else { continue }
            let context = Self.context(track.id)
            guard parentID != track.id else {
                throw AnnotationError(.invalidTracks, "track \(track.id) is its own parent", context: context)
            }
            guard let parent = byID[parentID] else {
                throw AnnotationError(.danglingReference, "track \(track.id) names parent \(parentID), which is not a track; use 0 for none", context: context)
            }
            guard parent.end < track.start else {
                throw AnnotationError(.invalidTracks, "track \(track.id) starts at frame \(track.start) but its parent \(parentID) ends at frame \(parent.end); a parent must end before its children start", context: context)
            }
        }
    }

    static func context(_ id: Int64) -> MIFACore.ErrorContext { MIFACore.ErrorContext(key: "track \(id)") }
}
