import TestSupport
import MIFACore
import Testing
@testable import Annotations

let smallCOCO = """
{"info": {"description": "test", "version": 1.10},
 "images": [{"id": 1, "file_name": "a.png", "width": 5, "height": 4, "license": 3},
            {"id": 2, "file_name": "b.png", "width": 8, "height": 8}],
 "annotations": [
  {"id": 10, "image_id": 1, "category_id": 7, "segmentation": [[1, 1, 4, 1, 4, 3, 1, 3]], "area": 6.0, "bbox": [1, 1, 3, 2], "iscrowd": 0},
  {"id": 11, "image_id": 1, "category_id": 7, "segmentation": {"size": [4, 5], "counts": "5220003"}, "area": 6, "bbox": [1, 1, 3, 2], "iscrowd": 1},
  {"id": 12, "image_id": 2, "category_id": 8, "segmentation": {"size": [8, 8], "counts": [10, 3, 51]}, "iscrowd": 0, "attributes": {"x": [1, 2]}},
  {"id": 13, "image_id": 2, "category_id": 8, "bbox": [1.5, 2, 3, 4], "score": 0.25}
 ],
 "categories": [{"id": 7, "name": "nucleus", "supercategory": "cell"}, {"id": 8, "name": "other"}]}
"""

@Suite("COCO")
struct COCOTests {
    @Test("reads polygons, compressed and uncompressed RLE, boxes, crowd, scores and extras")
    func read() throws {
        let result = try COCOReader.read(bytes: Array(smallCOCO.utf8), file: "small.json")
        let document = result.document
        #expect(document.images.count == 2 && document.categories.count == 2 && document.annotations.count == 4)
        #expect(document.rasterization == .coco)
        #expect(document.images[0].properties["license"] == 3)
        #expect(document.properties["info"]?["version"]?.numberValue?.literal == "1.10")
        let annotations = document.annotations
        #expect(annotations[0].value == .geometry(.polygon(Polygon(exterior: Ring(flat: [1, 1, 4, 1, 4, 3, 1, 3])))))
        let crowd = try RLE(compressed: "5220003", height: 4, width: 5)
        let uncompressed = try RLE(height: 8, width: 8, counts: [10, 3, 51])
        #expect(annotations[1].isCrowd && annotations[1].value == .mask(crowd))
        #expect(annotations[2].value == .mask(uncompressed))
        #expect(annotations[2].properties["attributes"] == ["x": [1, 2]])
        #expect(annotations[3].value == .box(BoundingBox(x: 1.5, y: 2, width: 3, height: 4)) && annotations[3].confidence == 0.25)
        #expect(result.warnings.isEmpty)
    }

    @Test("write then read gives the same document")
    func roundTrip() throws {
        let document = try COCOReader.read(bytes: Array(smallCOCO.utf8)).document
        let written = try COCOWriter.encode(document)
        let again = try COCOReader.read(bytes: written).document
        #expect(again.images == document.images && again.categories == document.categories && again.properties == document.properties)
        for (a, b) in zip(again.annotations, document.annotations) {
            var (a, b) = (a, b)
            // area and bbox are filled in where the input had none.
            for key in ["area", "bbox"] { (a.properties[key], b.properties[key]) = (nil, nil) }
            #expect(a == b)
        }
        #expect(try COCOWriter.encode(again) == written)
        #expect(again.annotations[2].properties["area"] == 3 && again.annotations[2].properties["bbox"] == [1, 2, 1, 3])
    }

    @Test("bad input gives an error with the place, never a crash", arguments: [
        (#"{"images":[{"id":1,"width":5,"height":4}],"annotations":[{"id":1,"image_id":2,"category_id":1,"segmentation":[[0,0,1,0,1,1]]}],"categories":[{"id":1,"name":"a"}]}"#, "/annotations/0/image_id", "dangling-reference"),
        (#"{"images":[{"id":1,"width":5,"height":4}],"annotations":[{"id":1,"image_id":1,"category_id":9,"segmentation":[[0,0,1,0,1,1]]}],"categories":[{"id":1,"name":"a"}]}"#, "/annotations/0/category_id", "dangling-reference"),
        (#"{"images":[{"id":1,"width":5,"height":4}],"annotations":[{"id":1,"image_id":1,"category_id":1,"segmentation":{"size":[4,5],"counts":"52200"}}],"categories":[{"id":1,"name":"a"}]}"#, "/annotations/0/segmentation/counts", "invalid-rle"),
        (#"{"images":[{"id":1,"width":5,"height":4}],"annotations":[{"id":1,"image_id":1,"category_id":1,"segmentation":{"size":[4,6],"counts":"5220003"}}],"categories":[{"id":1,"name":"a"}]}"#, "/annotations/0/segmentation/counts", "invalid-rle"),
        (#"{"images":[{"id":1,"width":5,"height":4}],"annotations":[{"id":1,"image_id":1,"category_id":1,"segmentation":{"size":[4,5],"counts":"5220003"}}],"categories":[{"id":1,"name":"a"}],"x":1,"x":2}"#, "", "malformed"),
        (#"{"images":[{"id":1,"width":5,"height":4}],"annotations":[{"id":1,"image_id":1,"category_id":1,"segmentation":[[0,0,1,0,1]]}],"categories":[{"id":1,"name":"a"}]}"#, "/annotations/0/segmentation/0", "invalid-geometry"),
        (#"{"images":[{"id":1},{"id":1}]}"#, "/images/1/id", "duplicate-id"),
        (#"{"annotations":[{"id":1,"image_id":1,"segmentation":[[0,0,1,0,"a",1]]}]}"#, "/annotations/0/segmentation/0/4", "malformed"),
        (#"{"annotations":[{"id":1,"image_id":1,"segmentation":[[0,0,1,0,1e999,1]]}]}"#, "/annotations/0/segmentation/0", "malformed"),
        (#"{"images": [{"id": 1},]}"#, "/images/1", "malformed"),
    ])
    func badInput(json: String, pointer: String, code: String) {
        do {
            _ = try COCOReader.read(bytes: Array(json.utf8), file: "bad.json")
            Issue.record("no error for \(json)")
        } catch let error as AnnotationError {
            #expect(error.code == code, "\(error)")
            #expect(error.context.pointer == pointer, "\(error)")
            #expect(error.context.file == "bad.json")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("syntax errors carry line and column")
    func lineAndColumn() {
        #expect {
            _ = try COCOReader.read(bytes: Array("{\n  \"images\": [\n    {\"id\": 1,}\n  ]\n}".utf8))
        } throws: { error in
            guard let error = error as? AnnotationError else { return false }
            return error.context.line == 3 && error.context.column == 14
        }
    }

    @Test("masks can go out as traced polygons, with holes as RLE")
    func masksAsPolygons() throws {
        var ring = NDArray<UInt8>(shape: [5, 5])
        for y in 1...3 { for x in 1...3 where !(x == 2 && y == 2) { ring[y, x] = 1 } }
        let holed = try RLE(mask: ring)
        let square = try RLE(box: BoundingBox(x: 0, y: 0, width: 2, height: 2), height: 5, width: 5)
        let document = AnnotationDocument(annotations: [Annotation(id: 1, value: .mask(holed)), Annotation(id: 2, value: .mask(square))])
        let text = String(decoding: try COCOWriter.encode(document, options: COCOWriteOptions(masks: .polygons)), as: UTF8.self)
        #expect(text.contains(#""segmentation":{"size":[5,5],"counts":"#))
        #expect(text.contains(#""segmentation":[[0,0,2,0,2,2,0,2]]"#))
        let again = try COCOReader.read(bytes: Array(text.utf8)).document
        #expect(again.annotations[0].value == .mask(holed))
        #expect(try again.annotations[1].value.rle(height: 5, width: 5, drawing: MaskDrawing(rule: .coco)) == square)
    }

    @Test("traced masks written as COCO polygons rasterise back exactly with pycocotools' rule")
    func tracedPolygonsAreExactForCOCO() throws {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<80 {
            let height = Int.random(in: 1...20, using: &rng), width = Int.random(in: 1...20, using: &rng)
            let array = randomLabelImage(height: height, width: width, labels: 3, density: Double.random(in: 0.1...0.8, using: &rng), using: &rng)
            for item in try PixelEdgeTracer.trace(LabelImage(array)) where !item.shape.hasHoles {
                let rasterised = try RLE.merge(item.shape.polygons.map { try RLE(polygon: $0.exterior.flat, height: height, width: width) })
                let expected = try RLE(spans: spans(of: item.label, in: array))
                #expect(rasterised == expected)
            }
        }
    }
}
