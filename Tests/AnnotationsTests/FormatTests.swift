import TestSupport
import Foundation
import MIFACore
import RasterIO
import Testing
@testable import Annotations

@Suite("CTC, napari, YOLO and label image files")
struct FormatTests {
    /// Frames of 12×12 with two tracks: 1 in frames 0–1 dividing into 2 and 3 from frame 2.
    func writeCTC(_ directory: TemporaryDirectory, tracks: String) throws -> String {
        let folder = directory.file("RES")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for frame in 0..<4 {
            var image = NDArray<UInt16>(shape: [12, 12])
            if frame < 2 { for y in 2..<5 { for x in 2..<5 { image[y, x] = 1 } } }
            if frame >= 2 {
                for y in 1..<3 { for x in 1..<3 { image[y, x] = 2 } }
                for y in 6..<9 { for x in 6..<9 { image[y, x] = 3 } }
            }
            try TIFFFile.write(.uint16(image), to: folder + String(format: "/mask%03d.tif", frame))
        }
        try tracks.write(toFile: folder + "/res_track.txt", atomically: true, encoding: .utf8)
        return folder
    }

    @Test("a CTC folder reads into tracked objects and writes back the same")
    func ctcRoundTrip() throws {
        let directory = TemporaryDirectory()
        let folder = try writeCTC(directory, tracks: "1 0 1 0\n2 2 3 1\n3 2 3 1\n")
        let document = try CTCFolder.read(path: folder).document
        #expect(document.tracking?.tracks == [Track(id: 1, start: 0, end: 1), Track(id: 2, start: 2, end: 3, parent: 1), Track(id: 3, start: 2, end: 3, parent: 1)])
        #expect(document.annotations.count == 6 && document.annotations.allSatisfy { $0.frame != nil && $0.trackID != nil })
        let out = directory.file("OUT")
        try CTCFolder.write(document, to: out)
        let again = try CTCFolder.read(path: out).document
        #expect(again.tracking == document.tracking)
        #expect(again.annotations.map(\.value) == document.annotations.map(\.value))
    }

    @Test("CTC rule breakers are errors naming the track", arguments: [
        ("1 0 1 0\n2 1 3 1\n3 2 3 1\n", "must end before"),
        ("1 0 1 0\n2 2 3 1\n", "no such track"),
        ("1 0 2 0\n2 2 3 1\n3 2 3 1\n", "must end before"),
        ("1 0 1 0\n2 2 3 1\n3 2 3 1\n3 2 3 1\n", "listed twice"),
        ("1 0 1\n", "4 whole numbers"),
        ("1 0 1 0\n2 2 3 9\n3 2 3 1\n", "not a track"),
    ])
    func ctcErrors(tracks: String, fragment: String) throws {
        let directory = TemporaryDirectory()
        let folder = try writeCTC(directory, tracks: tracks)
        #expect {
            _ = try CTCFolder.read(path: folder)
        } throws: { error in
            (error as? AnnotationError)?.message.contains(fragment) == true
        }
    }

    @Test("label series with a gap become a new track whose parent is the old one")
    func tracksFromFrames() throws {
        var annotations = [0, 1, 3, 4].map { Annotation(value: .geometry(.point(Point(x: 1, y: 1))), frame: $0, trackID: 5) }
        annotations.append(Annotation(value: .geometry(.point(Point(x: 1, y: 1))), frame: 2))
        let tracking = try Tracking.fromFrames(&annotations)
        #expect(tracking.tracks == [Track(id: 5, start: 0, end: 1), Track(id: 6, start: 2, end: 2), Track(id: 7, start: 3, end: 4, parent: 5)])
        #expect(annotations.map(\.trackID) == [5, 5, 7, 7, 6])
    }

    @Test("napari points and tracks tables round trip with the 0.5-pixel shift")
    func napari() throws {
        let points = "index,axis-0,axis-1,label\n0,10.5,3,cell\n1,0,0,\n"
        let read = try NapariCSV.readPoints(bytes: Array(points.utf8)).document
        #expect(read.annotations[0].value == .geometry(.point(Point(x: 3.5, y: 11))))
        #expect(read.annotations[0].categoryID == "cell" && read.annotations[1].categoryID == nil)
        #expect(String(decoding: NapariCSV.encodePoints(read), as: UTF8.self) == points)
        let tracks = "track_id,t,y,x,parent_track_id\n1,0,2.5,3,-1\n1,1,3,3,-1\n2,2,4,4,1\n3,2,8,8,1\n"
        let document = try NapariCSV.readTracks(bytes: Array(tracks.utf8)).document
        #expect(document.tracking?.tracks.map(\.parent) == [nil, 1, 1])
        #expect(String(decoding: try NapariCSV.encodeTracks(document), as: UTF8.self) == tracks)
        #expect(throws: AnnotationError.self) { try NapariCSV.readTracks(bytes: Array("track_id,t,y,x\n1,0,1,1\n1,0,2,2\n".utf8)) }
        #expect(throws: AnnotationError.self) { try NapariCSV.readPoints(bytes: Array("index,axis-0\n0,1\n".utf8)) }
    }

    @Test("YOLO boxes and polygons round trip through normalised coordinates")
    func yolo() throws {
        let directory = TemporaryDirectory()
        let document = AnnotationDocument(
            images: [ImageReference(id: "a", fileName: "a.png", width: 200, height: 100)],
            categories: [Category(id: 3, name: "cell"), Category(id: 5, name: "debris")],
            annotations: [
                Annotation(imageID: "a", categoryID: 3, value: .box(BoundingBox(x: 10, y: 20, width: 30, height: 40))),
                Annotation(imageID: "a", categoryID: 5, value: .box(BoundingBox(x: 100, y: 50, width: 50, height: 25))),
            ])
        try YOLOFolder.write(document, to: directory.path, mode: .boxes)
        let text = try String(contentsOfFile: directory.file("labels/a.txt"), encoding: .utf8)
        #expect(text == "0 0.125 0.4 0.15 0.4\n1 0.625 0.625 0.25 0.25\n")
        let read = try YOLOFolder.read(path: directory.path, imageSize: ImageSize(width: 200, height: 100)).document
        #expect(read.categories.map(\.name) == ["cell", "debris"])
        #expect(read.annotations.map(\.value) == document.annotations.map(\.value))
        #expect(try YOLOFolder.namesFromYAML("names:\n  0: a\n  2: 'c'\n", file: "d.yaml") == ["a", "1", "c"])
        #expect(try YOLOFolder.namesFromYAML("path: x\nnames: [a, \"b\"]\n", file: "d.yaml") == ["a", "b"])
    }

    @Test("label images read per plane and write back; PNG refuses more than 16 bits")
    func maskFiles() throws {
        let directory = TemporaryDirectory()
        var rng = SeededGenerator(seed: 12)
        let array = randomLabelImage(height: 20, width: 30, labels: 9, density: 0.4, using: &rng)
        try PNGFile.write(.uint16(array), to: directory.file("a.png"))
        let document = try MaskFiles.read(path: directory.file("a.png")).document
        let masks = try MaskRenderer.render(document)
        #expect(masks.count == 1 && masks[0].overlappingPixels == 0)
        try MaskFiles.write(masks, to: directory.file("b.tif"), format: .tiff)
        #expect(try RasterFile.read(path: directory.file("b.tif")).array == .uint8(try NDArray(shape: [20, 30], elements: array.elements.map { UInt8($0) })))
        let big = try LabelImage(NDArray<UInt32>(shape: [2, 2], elements: [0, 70000, 1, 1]))
        #expect(throws: AnnotationError.self) { try MaskFiles.writeOne(big, to: directory.file("c.png"), format: .png) }
        let semantic = try MaskFiles.read(path: directory.file("a.png"), options: MaskReadOptions(kind: .semantic)).document
        #expect(semantic.categories.count == Set(array.elements.filter { $0 != 0 }).count)
    }
}

@Suite("Probability maps")
struct ProbabilityMapTests {
    @Test("floating-point files read as probability maps and draw thresholded at 0.5")
    func probabilityMaps() throws {
        let directory = TemporaryDirectory()
        let values: [Float] = [0, 0.2, 0.5, 0.9, .nan, 1]
        try NPYFile.write(.float32(try NDArray(shape: [2, 3], elements: values)), to: directory.file("p.npy"))
        let document = try MaskFiles.read(path: directory.file("p.npy")).document
        guard case .probabilityMap(let map) = document.annotations[0].value else { Issue.record("not a probability map"); return }
        #expect(map.threshold(0.5).area == 3)
        #expect(try Converter.losses(of: document, to: .maskTIFF).map(\.kind) == [.shape])
        #expect(try Converter.losses(of: document, to: .geojson).map(\.kind) == [.objects])
    }
}
