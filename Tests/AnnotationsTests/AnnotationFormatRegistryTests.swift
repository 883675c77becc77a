import Foundation
import MIFACore
import TestSupport
import Testing
@testable import Annotations

@Suite("The registry of annotation formats")
struct AnnotationFormatRegistryTests {
    @Test("every format is found by its name and its aliases, and no name is taken twice")
    func lookup() {
        let names = AnnotationFormat.all.flatMap { [$0.name] + $0.aliases }
        #expect(Set(names).count == names.count)
        #expect(AnnotationFormatRegistry.byName.count == names.count)
        for format in AnnotationFormat.all {
            #expect(AnnotationFormat(name: format.name) == format)
            for alias in format.aliases { #expect(AnnotationFormat(name: alias) == format) }
        }
        #expect(AnnotationFormat(name: "mask-tif") == .maskTIFF)
        #expect(AnnotationFormat(name: "Coco") == nil && AnnotationFormat(name: "") == nil)
        // The listing `mifa convert --help` and its errors print, in this order.
        #expect(AnnotationFormat.nameList == "coco, geojson, mask-png, mask-tiff, npy, ctc, napari-points-csv, napari-tracks-csv, yolo")
    }

    @Test("what each format writes is detected as that format, whatever the case of its name")
    func writtenOutputsAreDetected() throws {
        for seed in UInt64(0)..<8 {
            var random = SeededGenerator(seed: seed)
            let document = Self.trackedBoxes(count: Int.random(in: 1...6, using: &random), using: &random)
            let directory = TemporaryDirectory()
            try GeoJSONWriter.write(document, to: directory.file("in.geojson"))
            for target in AnnotationFormat.all {
                let stem = (target == .napariTracksCSV ? "tracks-" : "out-") + target.name.filter(\.isLetter)
                let output = directory.file(Self.randomCase(stem + Self.outputSuffix(target), using: &random))
                let named = AnnotationFormat.detect(output: output)
                #expect(named == (Self.outputSuffix(target).isEmpty ? nil : target), "seed \(seed): \(output)")
                let options = ConversionOptions(allowLossy: true, imageSize: ImageSize(width: 32, height: 32))
                let report = try Converter.convert(input: directory.file("in.geojson"), output: output, to: target, options: options)
                #expect(report.target == target)
                #expect(try AnnotationFormat.detect(input: output) == target, "seed \(seed): \(output)")
            }
        }
    }

    @Test("the strongest claim wins a folder, and of equal claims the format listed first")
    func claims() throws {
        let cases: [([String], AnnotationFormat)] = [
            (["res_track.txt", "mask000.tif", "notes.txt"], .ctc),
            (["a.txt", "a.png"], .yolo),
            (["a.tif", "b.png", "c.npy"], .maskPNG),
            (["c.npy", "b.TIFF"], .maskTIFF),
        ]
        for (names, expected) in cases {
            let directory = TemporaryDirectory()
            for name in names { try FileBytes.write([], to: directory.file(name)) }
            #expect(try AnnotationFormat.detect(input: directory.path) == expected, "\(names)")
        }
        let empty = TemporaryDirectory()
        #expect(throws: AnnotationError.self) { try AnnotationFormat.detect(input: empty.path) }
    }

    /// The name ending `target` is written under, empty for folder formats.
    static func outputSuffix(_ target: AnnotationFormat) -> String {
        switch target.name {
        case "coco": ".json"
        case "geojson": ".geojson"
        case "mask-png": ".png"
        case "mask-tiff": ".tif"
        case "npy": ".npy"
        case "napari-points-csv", "napari-tracks-csv": ".csv"
        default: ""
        }
    }

    /// `text` with each letter upper- or lowercase at random.
    static func randomCase(_ text: String, using random: inout SeededGenerator) -> String {
        String(text.map { Bool.random(using: &random) ? Character($0.uppercased()) : $0 })
    }

    /// Random pixel-aligned boxes of one 32 x 32 image, each its own one-frame track.
    static func trackedBoxes(count: Int, using random: inout SeededGenerator) -> AnnotationDocument {
        let annotations = (1...count).map { index in
            let x = Double(Int.random(in: 0...24, using: &random)), y = Double(Int.random(in: 0...24, using: &random))
            let box = BoundingBox(x: x, y: y, width: Double(Int.random(in: 2...8, using: &random)), height: Double(Int.random(in: 2...8, using: &random)))
            return Annotation(id: .int(Int64(index)), imageID: 1, categoryID: 1, value: .geometry(Geometry.rectangle(box)), frame: 0, trackID: Int64(index))
        }
        return AnnotationDocument(
            images: [ImageReference(id: 1, fileName: "a.png", width: 32, height: 32)], categories: [Category(id: 1, name: "cell")],
            annotations: annotations, tracking: Tracking(tracks: (1...count).map { Track(id: Int64($0), start: 0, end: 0) }))
    }
}
