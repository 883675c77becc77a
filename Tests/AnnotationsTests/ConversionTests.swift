import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Annotations

@Suite("Conversion and information loss")
struct ConversionTests {
    let twoClasses = AnnotationDocument(
        images: [ImageReference(id: 1, fileName: "a.png", width: 20, height: 20)],
        categories: [Category(id: 1, name: "a"), Category(id: 2, name: "b")],
        annotations: [
            Annotation(id: 1, imageID: 1, categoryID: 1, value: .geometry(.polygon(Geometry.rectangle(BoundingBox(x: 0, y: 0, width: 10, height: 10)).polygons[0]))),
            Annotation(id: 2, imageID: 1, categoryID: 2, value: .geometry(.point(Point(x: 3, y: 3)))),
        ])

    @Test("losses are listed per target, and only dropped attributes do not refuse")
    func losses() throws {
        let toMask = try Converter.losses(of: twoClasses, to: .maskPNG)
        #expect(Set(toMask.map(\.kind)) == [.objects, .classes])
        #expect(toMask.allSatisfy { $0.refusesConversion })
        #expect(try Converter.losses(of: twoClasses, to: .geojson).isEmpty)
        #expect(try Converter.losses(of: twoClasses, to: .coco).map(\.kind) == [.objects])
        let withRadius = try Converter.losses(of: twoClasses, to: .maskPNG, options: ConversionOptions(pointRadius: 2))
        #expect(!withRadius.contains { $0.kind == .objects })
        let points = try Converter.losses(of: twoClasses, to: .napariPointsCSV)
        #expect(points.map(\.kind) == [.shape])
        #expect(try Converter.losses(of: twoClasses, to: .napariPointsCSV, options: ConversionOptions(reduction: .points)).isEmpty)
        let attributes = InformationLoss(.attributes, count: 1, "x")
        #expect(!attributes.refusesConversion)
    }

    @Test("a refused conversion writes nothing; an allowed one reports its losses")
    func refusal() throws {
        let directory = TemporaryDirectory()
        try GeoJSONWriter.write(twoClasses, to: directory.file("in.json"))
        #expect {
            _ = try Converter.convert(input: directory.file("in.json"), output: directory.file("out.png"))
        } throws: { error in
            (error as? AnnotationError)?.kind == .lossyConversion && (error as? AnnotationError)?.message.contains("--allow-lossy") == true
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("out.png")))
        let report = try Converter.convert(input: directory.file("in.json"), output: directory.file("out.png"), options: ConversionOptions(allowLossy: true))
        #expect(report.losses.count == 2 && report.files == [directory.file("out.png")])
    }

    @Test("reductions make boxes, centres and counts")
    func reductions() {
        let boxes = Converter.reduce(twoClasses, to: .boxes)
        #expect(boxes.annotations[0].value == .box(BoundingBox(x: 0, y: 0, width: 10, height: 10)))
        let points = Converter.reduce(twoClasses, to: .points)
        #expect(points.annotations[0].value == .geometry(.point(Point(x: 5, y: 5))))
        let counts = Converter.reduce(twoClasses, to: .counts)
        #expect(counts.annotations.map(\.value) == [.count(Count(1)), .count(Count(1))])
    }

    @Test("formats are told from names and contents")
    func detection() throws {
        let directory = TemporaryDirectory()
        try FileBytes.write(Array(#"{"type": "FeatureCollection", "features": []}"#.utf8), to: directory.file("a.json"))
        #expect(try AnnotationFormat.detect(input: directory.file("a.json")) == .geojson)
        try FileBytes.write(Array("track_id,t,y,x\n".utf8), to: directory.file("t.csv"))
        #expect(try AnnotationFormat.detect(input: directory.file("t.csv")) == .napariTracksCSV)
        #expect(AnnotationFormat.detect(output: "x.tiff") == .maskTIFF && AnnotationFormat.detect(output: "folder") == nil)
    }

    @Test("pixel and physical coordinates, corner and centre conventions")
    func coordinates() {
        let transform = CoordinateTransform(scale: (0.5, 0.25, 2), translation: (10, 20, 0))
        let pixel = Point(x: 4, y: 8, z: 1)
        let physical = transform.toPhysical(pixel)
        #expect(physical == Point(x: 12, y: 22, z: 2))
        #expect(transform.toPixel(physical) == pixel)
        #expect(transform.toPixel(transform.toPhysical(pixel, convention: .center), convention: .center) == pixel)
        #expect(CoordinateTransform.convert(Point(x: 0, y: 0), from: .center, to: .corner) == Point(x: 0.5, y: 0.5))
    }

    @Test("weak masks from points and boxes")
    func weakMasks() throws {
        let disk = RowSpans.disk(center: Vertex(5, 5), radius: 2, height: 10, width: 10)
        #expect(disk.area == 12)
        let box = RowSpans.box(BoundingBox(x: 1, y: 1, width: 3, height: 2), height: 10, width: 10)
        #expect(box.area == 6 && box.boundingBox == BoundingBox(x: 1, y: 1, width: 3, height: 2))
        let value = AnnotationValue.geometry(.point(Point(x: 5, y: 5)))
        #expect(try value.spans(height: 10, width: 10) == nil)
        #expect(try value.spans(height: 10, width: 10, drawing: MaskDrawing(pointRadius: 2)) == disk)
    }
}
