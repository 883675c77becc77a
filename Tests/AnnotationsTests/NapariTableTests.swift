import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Annotations

/// Issue 14, napari: a Shapes CSV was read as loose points; masks of several images converted to
/// one points CSV lost which image each point is on, and the loss list did not say so.
@Suite("napari shapes tables and points of several images")
struct NapariTableTests {
    /// A Shapes table laid out as napari's `write_shapes` writes it (napari_builtins/io/_write.py):
    /// `index,shape-type,vertex-index,axis-0,axis-1`, one row per vertex, pixel centres on integers.
    static let shapes = """
        index,shape-type,vertex-index,axis-0,axis-1
        0,rectangle,0,9.5,19.5
        0,rectangle,1,9.5,29.5
        0,rectangle,2,14.5,29.5
        0,rectangle,3,14.5,19.5
        1,ellipse,0,39.5,9.5
        1,ellipse,1,39.5,29.5
        1,ellipse,2,49.5,29.5
        1,ellipse,3,49.5,9.5
        2,polygon,0,0,0
        2,polygon,1,0,10
        2,polygon,2,10,0
        3,path,0,1,1
        3,path,1,2,5
        3,path,2,7,5
        4,line,0,3,3
        4,line,1,8,8

        """

    @Test("a napari Shapes CSV is read as its shapes, with the 0.5-pixel shift, never as points")
    func shapesAreShapes() throws {
        let directory = TemporaryDirectory()
        try FileBytes.write(Array(Self.shapes.utf8), to: directory.file("shapes.csv"))
        let format = try AnnotationFormat.detect(input: directory.file("shapes.csv"))
        let document = try Converter.read(directory.file("shapes.csv"), format: format).document
        #expect(document.annotations.count == 5)
        #expect(!document.annotations.contains { $0.value.isPoint })
        #expect(document.annotations.map(\.id) == [0, 1, 2, 3, 4])
        #expect(document.annotations[0].value == .geometry(.rectangle(BoundingBox(x: 20, y: 10, width: 10, height: 5))))
        #expect(document.annotations[1].value == .geometry(.ellipse(Ellipse(center: Vertex(20, 45), radiusX: 10, radiusY: 5))))
        guard case .geometry(.polygon(let polygon)) = document.annotations[2].value else {
            Issue.record("not a polygon: \(document.annotations[2].value)")
            return
        }
        #expect(Set(polygon.exterior.vertices.map { [$0.x, $0.y] }).isSuperset(of: [[0.5, 0.5], [10.5, 0.5], [0.5, 10.5]]))
        #expect(document.annotations[3].value == .geometry(.polyline(Polyline([Vertex(1.5, 1.5), Vertex(5.5, 2.5), Vertex(5.5, 7.5)]))))
        #expect(document.annotations[4].value == .geometry(.polyline(Polyline([Vertex(3.5, 3.5), Vertex(8.5, 8.5)]))))
    }

    @Test("an unknown shape type, a short shape and a 3-D shapes table are refused", arguments: [
        "index,shape-type,vertex-index,axis-0,axis-1\n0,star,0,1,1\n0,star,1,2,2\n0,star,2,3,1\n",
        "index,shape-type,vertex-index,axis-0,axis-1\n0,polygon,0,1,1\n0,polygon,1,2,2\n",
        "index,shape-type,vertex-index,axis-0,axis-1,axis-2\n0,line,0,0,1,1\n0,line,1,0,2,2\n",
    ])
    func refusals(table: String) {
        #expect(throws: AnnotationError.self) { try NapariCSV.readPoints(bytes: Array(table.utf8)) }
    }

    /// Five images' masks, as label image files.
    func fiveMasks(_ directory: TemporaryDirectory) throws -> String {
        var document = AnnotationDocument()
        for image in 1...5 {
            document.images.append(ImageReference(id: .int(Int64(image)), fileName: "B0\(image).png", width: 32, height: 32))
            let box = BoundingBox(x: Double(2 * image), y: Double(3 * image), width: 4, height: 4)
            document.annotations.append(Annotation(id: .int(Int64(image)), imageID: .int(Int64(image)), value: .geometry(.polygon(Geometry.rectangle(box).polygons[0]))))
        }
        let masks = try MaskRenderer.render(document)
        _ = try MaskFiles.write(masks, to: directory.file("masks"), format: .png)
        return directory.file("masks")
    }

    @Test("masks of five images to one napari points CSV keep each point's image as a leading axis")
    func pointsOfSeveralImagesKeepTheirImage() throws {
        let directory = TemporaryDirectory()
        let masks = try fiveMasks(directory)
        let input = try Converter.read(masks, format: AnnotationFormat.detect(input: masks)).document
        #expect(Set(input.annotations.compactMap(\.imageID)).count == 5)
        let report = try Converter.convert(input: masks, output: directory.file("points.csv"), options: ConversionOptions(reduction: .points))
        #expect(report.losses.isEmpty, "\(report.losses)")
        let text = String(decoding: try FileBytes.read(directory.file("points.csv")), as: UTF8.self)
        #expect(text.hasPrefix("index,axis-0,axis-1,axis-2,image"))
        let back = try NapariCSV.readPoints(path: directory.file("points.csv")).document
        #expect(back.annotations.count == 5)
        // Each point is on the image of its mask, at its box's centre.
        let names = Dictionary(input.images.map { ($0.id, $0.fileName ?? "") }, uniquingKeysWith: { first, _ in first })
        for (original, read) in zip(input.annotations, back.annotations) {
            #expect(read.imageID == original.imageID.flatMap { names[$0] }.map(Identifier.string))
            #expect(read.value == .geometry(.point(try #require(original.value.centroid))))
        }
        #expect(back.images.count == 5)
    }

    @Test("points of several images with frames cannot keep the image: a loss that refuses")
    func framesLeaveNoAxisForTheImage() throws {
        let document = AnnotationDocument(
            images: [ImageReference(id: 1, fileName: "a.tif"), ImageReference(id: 2, fileName: "b.tif")],
            annotations: [
                Annotation(id: 1, imageID: 1, value: .geometry(.point(Point(x: 1, y: 1))), frame: 0),
                Annotation(id: 2, imageID: 2, value: .geometry(.point(Point(x: 2, y: 2))), frame: 1),
            ])
        let losses = try Converter.losses(of: document, to: .napariPointsCSV)
        #expect(losses.contains { $0.message.contains("which image") && $0.refusesConversion }, "\(losses)")
        // One image: nothing to lose.
        var single = document
        single.annotations[1].imageID = 1
        #expect(try Converter.losses(of: single, to: .napariPointsCSV).isEmpty)
    }
}
