import Foundation
import MIFACore

extension CTCFolder {
    /// What writing a CTC folder did.
    public struct WriteReport: Sendable {
        /// The files written.
        public var files: [String]
        /// Pixels claimed by two objects of one frame (the later one kept).
        public var overlappingPixels: Int
        /// Objects with nothing to draw (points without a radius, lines).
        public var undrawn: Int
    }

    /// Writes per-frame objects as a CTC folder: `res_track.txt` and `mask000.tif`, ... (or
    /// `man_track.txt` and `man_track000.tif` when the folder is named `TRA`), 16-bit labels equal
    /// to the track ids. Tracks are rebuilt from the objects by the CTC rules (see
    /// ``Tracking/fromFrames(_:existing:)``), keeping the document's divisions.
    ///
    /// Objects without a frame take the index of their image in the document as their frame.
    /// - Throws: ``AnnotationError`` `.invalidTracks` for a broken lineage, `.unsupported` for
    ///   track ids above 65535, `.invalidArgument` for an unknown canvas size, `.tooLarge` when a
    ///   frame would take more than ``MaskWriteOptions/budget``, `.io` on write errors.
    @discardableResult
    public static func write(_ document: AnnotationDocument, to folder: String, options: MaskWriteOptions = MaskWriteOptions()) throws -> WriteReport {
        var annotations = document.annotations
        let imagePosition = Dictionary(document.images.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        for index in annotations.indices where annotations[index].frame == nil {
            annotations[index].frame = annotations[index].imageID.flatMap { imagePosition[$0] } ?? 0
            if annotations[index].trackID == nil, let label = annotations[index].properties["label"]?.numberValue?.int64Value, label > 0 {
                annotations[index].trackID = label
            }
        }
        let tracking = try Tracking.fromFrames(&annotations, existing: document.tracking)
        if let large = tracking.tracks.first(where: { $0.id > 65535 }) {
            throw AnnotationError(.unsupported, "track \(large.id) does not fit a 16-bit CTC label image (at most 65535 tracks)", context: Tracking.context(large.id))
        }
        let frameCount = (annotations.compactMap(\.frame).max() ?? -1) + 1
        guard frameCount <= 10000 else {
            throw AnnotationError(.unsupported, "the objects reach frame \(frameCount - 1); CTC frame files are numbered with at most 4 digits (10000 frames)")
        }
        let digits = frameCount > 1000 ? 4 : 3
        let groundTruth = URL(fileURLWithPath: folder).lastPathComponent == "TRA"
        let prefix = groundTruth ? "man_track" : "mask"
        try MaskFiles.createFolder(folder)
        // One canvas size for the sequence.
        let size = try MaskRenderer.imageSize(document.images.first ?? ImageReference(id: 0), annotations, options)
        var drawing = options.drawing
        if drawing.rule == nil { drawing.rule = document.rasterization }
        var byFrame = [[Int]](repeating: [], count: max(frameCount, 0))
        for (index, annotation) in annotations.enumerated() { if let frame = annotation.frame, frame >= 0 { byFrame[frame].append(index) } }
        var report = WriteReport(files: [], overlappingPixels: 0, undrawn: 0)
        var alive = [Set<Int64>](repeating: [], count: max(frameCount, 0))
        for track in tracking.tracks where track.end < frameCount {
            for frame in track.start...track.end { alive[frame].insert(track.id) }
        }
        try options.budget.checkLabelImage(of: "each frame", width: size.width, height: size.height, dataType: .uint16)
        for frame in 0..<frameCount {
            var canvas = try LabelImage(zeros: .uint16, height: size.height, width: size.width)
            for index in byFrame[frame] {
                guard let spans = try annotations[index].value.spans(height: size.height, width: size.width, drawing: drawing) else {
                    report.undrawn += 1
                    continue
                }
                report.overlappingPixels += canvas.countNonzero(in: spans)
                try canvas.fill(spans, label: annotations[index].trackID ?? 0)
            }
            let present = Set(try canvas.objects().map(\.label))
            if let missing = alive[frame].subtracting(present).sorted().first {
                throw AnnotationError(.invalidTracks, "track \(missing) has no pixels in frame \(frame) once drawn (an empty shape, a point without --point-radius, or covered by another object); CTC needs every track in every frame it spans", context: Tracking.context(missing))
            }
            let name = String(format: "%@%0\(digits)d.tif", prefix, frame)
            try MaskFiles.writeOne(canvas, to: folder + "/" + name, format: .tiff)
            report.files.append(folder + "/" + name)
        }
        let lines = tracking.tracks.map { "\($0.id) \($0.start) \($0.end) \($0.parent ?? 0)\n" }.joined()
        let tracksFile = folder + "/" + (groundTruth ? "man_track.txt" : "res_track.txt")
        try FileBytes.write(Array(lines.utf8), to: tracksFile)
        report.files.append(tracksFile)
        return report
    }
}
