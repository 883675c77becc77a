import TestSupport
import MIFACore
import Testing
@testable import Annotations

@Suite("COCO RLE")
struct RLETests {
    @Test("compressed counts: the FORMATS.md vectors both ways", arguments: [
        ([5, 2, 2, 2, 2, 2, 5], "5220003"),
        ([32, 2, 8, 2, 8, 2, 46], "P128000V1"),
        ([10, 40, 5, 2, 3], ":X15jNN"),
        ([1000, 1], "Xo01"),
        ([100000, 3], "PeQ33"),
        ([0, 1000000], "0Pb`n0"),
    ] as [([UInt32], String)])
    func compressedVectors(counts: [UInt32], text: String) throws {
        let total = Int(counts.reduce(0, +))
        let rle = try RLE(height: total, width: 1, counts: counts)
        #expect(rle.compressedCounts == text)
        #expect(try RLE(compressed: text, height: total, width: 1).counts == counts)
    }

    @Test("polygon rasterisation: the FORMATS.md vectors", arguments: [
        ([1, 1, 4, 1, 4, 3, 1, 3], 4, 5, "5220003"),
        ([1, 1, 3, 1, 2, 3], 4, 5, "51307"),
        ([2.6, 2.6, 5.4, 2.6, 5.4, 5.4, 2.6, 5.4], 8, 8, "k0260e0"),
        ([1, 1, 7, 4, 1, 7], 8, 8, "963N101N10="),
    ] as [([Double], Int, Int, String)])
    func polygonVectors(polygon: [Double], height: Int, width: Int, text: String) throws {
        #expect(try RLE(polygon: polygon, height: height, width: width).compressedCounts == text)
    }

    @Test func aVertexFarOutsideASmallImageIsRefusedAtOnce() throws {
        // Found by FuzzAnnotations: a walk of 55 million points (seconds; a timeout under the
        // sanitizer) for a 4x4 mask.
        #expect(throws: AnnotationError.self) { try RLE(polygon: [-5, -11_111_115, 9, -1, 3, 12], height: 4, width: 4) }
        // Vertices up to an image size beyond the border, on any image, are walked as pycocotools walks them.
        _ = try RLE(polygon: [-4, -4, 8, -4, 8, 8, -4, 8], height: 4, width: 4)
        _ = try RLE(polygon: [-3000, 0, 6000, 1, 100, 6000], height: 3000, width: 3000)
        #expect(RLE.polygonWorkLimit(vertices: 3, height: 4, width: 4) == 1 << 20)
        #expect(RLE.polygonWorkLimit(vertices: 10, height: 100_000, width: 100_000) == 40_000_000)
        #expect(RLE.polygonWorkLimit(vertices: .max, height: .max, width: .max) == RLE.maximumPolygonWork)
    }

    @Test("area, bounding box and decode of a known mask")
    func measures() throws {
        let rle = try RLE(compressed: "5220003", height: 4, width: 5)
        #expect(rle.area == 6)
        #expect(rle.boundingBox == BoundingBox(x: 1, y: 1, width: 3, height: 2))
        let mask = rle.decode().reordered(.rowMajor)
        #expect(Array(mask.elements) == [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        #expect(try RLE(mask: mask) == rle)
        #expect(try RLE.empty(height: 3, width: 3).boundingBox == BoundingBox(x: 0, y: 0, width: 0, height: 0))
        // pycocotools' unsigned wrap for a mask whose only foreground run is empty.
        let wrapped = try RLE(height: 3, width: 3, counts: [9, 0])
        #expect(wrapped.boundingBox == BoundingBox(x: 3, y: 3, width: 4294967294, height: 4294967294))
    }

    @Test("encode and decode round trip on seeded random masks")
    func randomRoundTrip() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let height = Int.random(in: 0...40, using: &rng), width = Int.random(in: 0...40, using: &rng)
            let density = Double.random(in: 0...1, using: &rng)
            let elements = (0..<(height * width)).map { _ in Double.random(in: 0..<1, using: &rng) < density ? UInt8(1) : 0 }
            let mask = try NDArray(shape: [height, width], elements: elements, order: .columnMajor)
            let rle = try RLE(mask: mask)
            #expect(rle.decode() == mask)
            #expect(rle.area == elements.reduce(0) { $0 + Int($1) })
            #expect(try RLE(compressed: rle.compressedCounts, height: height, width: width) == rle)
            #expect(try RLE(mask: mask.reordered(.rowMajor)) == rle)
        }
    }

    @Test("malformed counts strings are errors, never crashes", arguments: [
        ("5220003 ", "character"), ("522000p", "character"), ("52200P", "ends inside"),
        ("522", "covering"), ("oooooooo0", "more than 7 groups"), ("000O", "outside"),
    ])
    func malformed(text: String, fragment: String) {
        #expect {
            _ = try RLE(compressed: text, height: 4, width: 5)
        } throws: { error in
            guard let error = error as? AnnotationError else { return false }
            return error.kind == .invalidRLE && error.message.contains(fragment)
        }
    }

    @Test("merge and IoU of small masks")
    func mergeAndIoU() throws {
        let a = try RLE(box: BoundingBox(x: 0, y: 0, width: 2, height: 2), height: 4, width: 4)
        let b = try RLE(box: BoundingBox(x: 1, y: 1, width: 2, height: 2), height: 4, width: 4)
        #expect(try RLE.merge([a, b]).area == 7)
        #expect(try RLE.merge([a, b], intersect: true).area == 1)
        let iou = try RLE.iou([a], [b, a], crowd: [true, false])
        #expect(iou[0][0] == 0.25)
        #expect(iou[0][1] == 1)
        #expect(try RLE.iou([a], [b])[0][0] == 1.0 / 7.0)
        #expect(throws: AnnotationError.self) { try RLE.merge([a, try RLE.empty(height: 2, width: 2)]) }
    }
}
