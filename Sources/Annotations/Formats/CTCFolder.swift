import Foundation
import MIFACore
import RasterIO

/// Reads and writes Cell Tracking Challenge folders (http://celltrackingchallenge.net/datasets/):
/// a tracks file (`res_track.txt` or `man_track.txt`, one `L B E P` line per track) and one 16-bit
/// label TIFF per frame (`mask000.tif` or `man_track000.tif`; four digits beyond 1000 frames).
///
/// Reading checks the track rules as py-ctcmetrics does: labels unique and positive, a parent that
/// exists and ends before its child starts, and in every frame exactly the labels of the tracks
/// alive in it. Each object of each frame becomes an annotation with its mask, `frame` and
/// `trackID`; the lineage becomes the document's ``Tracking``. 2-D frames only.
public enum CTCFolder {
    /// Reads a CTC folder (or its `TRA` subfolder).
    /// - Throws: ``AnnotationError`` `.io` when there is no tracks file or no frames, `.malformed`
    ///   for a bad line (with its number), `.invalidTracks` / `.danglingReference` /
    ///   `.duplicateID` naming the track and frame file.
    public static func read(path: String) throws -> AnnotationReadResult {
        let folder = FileSystem.resolvedKind(of: path + "/TRA") != nil ? path + "/TRA" : path
        guard let tracksName = ["res_track.txt", "man_track.txt"].first(where: { FileSystem.resolvedKind(of: folder + "/" + $0) != nil }) else {
            throw AnnotationError(.io, "no res_track.txt or man_track.txt in '\(folder)'; a CTC folder has a tracks file and label TIFFs", context: ErrorContext(file: folder))
        }
        let tracksFile = folder + "/" + tracksName
        let tracking = try readTracks(FileBytes.read(tracksFile), file: tracksFile)
        let frames = try frameFiles(in: folder)
        guard !frames.isEmpty else {
            throw AnnotationError(.io, "no frame files (mask000.tif or man_track000.tif) in '\(folder)'", context: ErrorContext(file: folder))
        }
        var document = AnnotationDocument(tracking: tracking)
        let lastFile = frames.keys.max() ?? 0
        if let late = tracking.tracks.first(where: { $0.end > lastFile }) {
            throw AnnotationError(.invalidTracks, "track \(late.id) ends at frame \(late.end), but the last label image is frame \(lastFile); every frame a track spans needs its image", context: ErrorContext(file: tracksFile, key: "track \(late.id)"))
        }
        for track in tracking.tracks where track.end - track.start + 1 > frames.count || (frames[track.start] == nil) || (frames[track.end] == nil) {
            let missing = frames[track.start] == nil ? "frame \(track.start) has no label image" : frames[track.end] == nil ? "frame \(track.end) has no label image" : "the folder has only \(frames.count) label images"
            throw AnnotationError(.invalidTracks, "track \(track.id) spans frames \(track.start) to \(track.end), but \(missing)", context: ErrorContext(file: tracksFile, key: "track \(track.id)"))
        }
        var alive: [Int: Set<Int64>] = [:]
        for track in tracking.tracks {
            for frame in track.start...track.end { alive[frame, default: []].insert(track.id) }
        }
        let lastFrame = max(frames.keys.max() ?? 0, tracking.tracks.map(\.end).max() ?? 0)
        var nextID: Int64 = 1
        for frame in 0...lastFrame {
            let expected = alive[frame] ?? []
            guard let file = frames[frame] else {
                if let label = expected.sorted().first {
                    throw AnnotationError(.invalidTracks, "track \(label) is alive in frame \(frame), but there is no label image for that frame", context: ErrorContext(file: tracksFile, key: "track \(label)"))
                }
                continue
            }
            let labels = try readFrame(file)
            let imageID = Identifier.string(String(format: "t%03d", frame))
            document.images.append(ImageReference(id: imageID, fileName: URL(fileURLWithPath: file).lastPathComponent, width: labels.width, height: labels.height))
            var present = Set<Int64>()
            for object in try labels.objects() {
                present.insert(object.label)
                guard expected.contains(object.label) else {
                    let track = tracking.tracks.first { $0.id == object.label }
                    let why = track.map { "its track runs from frame \($0.start) to \($0.end)" } ?? "the tracks file has no such track"
                    throw AnnotationError(.invalidTracks, "label \(object.label) is in frame \(frame), but \(why); add or fix its line in \(tracksName)", context: ErrorContext(file: file, key: "track \(object.label)"))
                }
                document.annotations.append(Annotation(
                    id: .int(nextID), imageID: imageID, value: .mask(try RLE(spans: object.spans)), frame: frame, trackID: object.label))
                nextID += 1
            }
            if let missing = expected.subtracting(present).sorted().first {
                throw AnnotationError(.invalidTracks, "track \(missing) should be in frame \(frame) (it runs from its begin to its end without gaps) but its label is not in the image; a gap means a new track whose parent is the old one", context: ErrorContext(file: file, key: "track \(missing)"))
            }
        }
        return AnnotationReadResult(document: document)
    }

    /// Parses a tracks file: one `L B E P` line per track (spaces or tabs).
    /// - Throws: ``AnnotationError`` `.malformed` naming the line, or the lineage's own errors.
    public static func readTracks(_ bytes: [UInt8], file: String? = nil) throws -> Tracking {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw AnnotationError(.malformed, "the tracks file is not text (UTF-8)", context: ErrorContext(file: file))
        }
        var tracks: [Track] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            let values = fields.map { Int64($0) }
            guard fields.count == 4, values.allSatisfy({ $0 != nil }) else {
                throw AnnotationError(.malformed, "expected 4 whole numbers 'L B E P' (label, begin, end, parent), found '\(line.prefix(80))'", context: ErrorContext(file: file, line: number + 1))
            }
            let (label, begin, end, parent) = (values[0]!, values[1]!, values[2]!, values[3]!)
            guard begin >= 0, end >= 0, begin <= 1_000_000, end <= 1_000_000 else {
                throw AnnotationError(.invalidTracks, "frames must be between 0 and 1000000, found \(begin) and \(end)", context: ErrorContext(file: file, line: number + 1))
            }
            guard parent >= 0 else {
                throw AnnotationError(.invalidTracks, "parent \(parent) is negative; use 0 for no parent", context: ErrorContext(file: file, line: number + 1))
            }
            tracks.append(Track(id: label, start: Int(begin), end: Int(end), parent: parent == 0 ? nil : parent))
        }
        let tracking = Tracking(tracks: tracks)
        do {
            try tracking.validate()
        } catch var error as AnnotationError {
            error.context.file = file
            throw error
        }
        return tracking
    }

    /// The frame files of a folder by frame number.
    static func frameFiles(in folder: String) throws -> [Int: String] {
        var result: [Int: String] = [:]
        for name in try FileBytes.names(in: folder) {
            for prefix in ["mask", "man_track"] where name.hasPrefix(prefix) && (name.hasSuffix(".tif") || name.hasSuffix(".tiff")) {
                let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
                guard !digits.isEmpty, let frame = Int(digits), name.dropFirst(prefix.count + digits.count).hasPrefix(".") else { continue }
                if let existing = result[frame] {
                    throw AnnotationError(.duplicateID, "frame \(frame) has two files, \(URL(fileURLWithPath: existing).lastPathComponent) and \(name)", context: ErrorContext(file: folder))
                }
                result[frame] = folder + "/" + name
            }
        }
        return result
    }

    static func readFrame(_ file: String) throws -> LabelImage {
        do {
            let image = try RasterFile.read(path: file)
            guard image.axes == "YX" else {
                throw AnnotationError(.unsupported, "frame has axes \(image.axes) (shape \(image.shape)); MIFAKit reads 2-D CTC frames", context: ErrorContext(file: file))
            }
            return try LabelImage(image.array)
        } catch let error as AnnotationError {
            throw AnnotationError(error.kind, error.message, context: ErrorContext(file: file), underlying: error.underlying)
        } catch let error as any MIFAError {
            throw AnnotationError(.malformed, "cannot read the frame: \(error.message)", context: ErrorContext(file: file), underlying: error)
        }
    }
}
