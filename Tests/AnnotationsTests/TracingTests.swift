import TestSupport
import MIFACore
import Testing
@testable import Annotations

/// A random label image: `labels` distinct values in blobs and noise.
func randomLabelImage(height: Int, width: Int, labels: Int, density: Double, using rng: inout SeededGenerator) -> NDArray<UInt16> {
    var array = NDArray<UInt16>(shape: [height, width])
    for y in 0..<height {
        for x in 0..<width where Double.random(in: 0..<1, using: &rng) < density {
            array[y, x] = UInt16.random(in: 1...UInt16(labels), using: &rng)
        }
    }
    return array
}

/// The pixels of one label as row spans, straight from the array.
func spans(of label: Int64, in array: NDArray<UInt16>) -> RowSpans {
    var result = RowSpans(height: array.shape[0], width: array.shape[1])
    for y in 0..<array.shape[0] {
        for x in 0..<array.shape[1] where Int64(array[y, x]) == label {
            result.append(row: Int32(y), Int32(x), Int32(x + 1))
        }
    }
    return result
}

@Suite("Pixel-edge tracing and rasterisation")
struct TracingTests {
    @Test("a single pixel is one counter-clockwise square")
    func singlePixel() throws {
        var array = NDArray<UInt8>(shape: [3, 3])
        array[1, 1] = 5
        let traced = try PixelEdgeTracer.trace(LabelImage(array))
        #expect(traced.count == 1 && traced[0].label == 5)
        let ring = traced[0].shape.polygons[0].exterior
        #expect(ring.vertices == [Vertex(1, 1), Vertex(2, 1), Vertex(2, 2), Vertex(1, 2)])
        #expect(ring.signedArea == 1)
    }

    @Test("diagonal neighbours stay separate parts; a ring with a hole keeps it")
    func connectivityAndHoles() throws {
        let checker = try NDArray<UInt8>(shape: [2, 2], elements: [1, 0, 0, 1])
        let parts = try PixelEdgeTracer.trace(LabelImage(checker))[0].shape.polygons
        #expect(parts.count == 2)
        var ring = NDArray<UInt8>(shape: [5, 5])
        for y in 1...3 { for x in 1...3 where !(x == 2 && y == 2) { ring[y, x] = 1 } }
        let polygon = try PixelEdgeTracer.trace(LabelImage(ring))[0].shape.polygons
        #expect(polygon.count == 1 && polygon[0].holes.count == 1)
        #expect(polygon[0].holes[0].signedArea == -1 && polygon[0].area == 8)
    }

    @Test("a part touching itself at a corner becomes an outer ring and a touching hole")
    func pinch() throws {
        // A U whose tips touch diagonally, enclosing background (1,1) which touches (2,2) only at a corner.
        let rows: [[UInt8]] = [
            [1, 1, 1, 0],
            [1, 0, 1, 0],
            [1, 1, 0, 1],
            [0, 1, 1, 1],
        ]
        let array = try NDArray<UInt8>(shape: [4, 4], elements: rows.flatMap { $0 })
        let shape = try PixelEdgeTracer.trace(LabelImage(array))[0].shape
        for polygon in shape.polygons {
            #expect(polygon.exterior.signedArea > 0)
            for hole in polygon.holes { #expect(hole.signedArea < 0) }
            for ring in [polygon.exterior] + polygon.holes { #expect(Set(ring.vertices).count == ring.vertices.count) }
        }
        let back = try PolygonRasterizer.spans(of: shape.polygons, height: 4, width: 4)
        #expect(back == spans(of: 1, in: array.map16()))
    }

    @Test("random label images trace and rasterise back exactly", arguments: [0.05, 0.3, 0.6, 0.9])
    func roundTrip(density: Double) throws {
        var rng = SeededGenerator(seed: UInt64(density * 1000))
        for _ in 0..<60 {
            let height = Int.random(in: 1...24, using: &rng), width = Int.random(in: 1...24, using: &rng)
            let array = randomLabelImage(height: height, width: width, labels: Int.random(in: 1...4, using: &rng), density: density, using: &rng)
            let traced = try PixelEdgeTracer.trace(LabelImage(array))
            var restored = try LabelImage(zeros: .uint16, height: height, width: width)
            for item in traced {
                let expected = spans(of: item.label, in: array)
                let got = try PolygonRasterizer.spans(of: item.shape.polygons, height: height, width: width)
                #expect(got == expected)
                #expect(Int(item.shape.area) == expected.area)
                try restored.fill(got, label: item.label)
                for polygon in item.shape.polygons {
                    #expect(polygon.exterior.signedArea > 0)
                    #expect(polygon.holes.allSatisfy { $0.signedArea < 0 })
                    for ring in [polygon.exterior] + polygon.holes {
                        #expect(ring.vertices.count >= 4)
                        let n = ring.vertices.count
                        for i in 0..<n {
                            // No collinear vertex: the turn at every vertex is a real corner.
                            let (a, b, c) = (ring.vertices[(i + n - 1) % n], ring.vertices[i], ring.vertices[(i + 1) % n])
                            #expect((b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x) != 0)
                        }
                    }
                }
                // COCO RLE straight from spans equals encoding the mask.
                var binary = NDArray<UInt8>(shape: [height, width])
                for y in 0..<height { for x in 0..<width where Int64(array[y, x]) == item.label { binary[y, x] = 1 } }
                #expect(try RLE(spans: expected) == RLE(mask: binary))
                #expect(try RLE(mask: binary).spans == expected)
            }
            #expect(restored == (try LabelImage(array)))
        }
    }
}

extension NDArray where Element == UInt8 {
    func map16() -> NDArray<UInt16> {
        // Shapes match by construction.
        (try? NDArray<UInt16>(shape: shape, elements: elements.map { UInt16($0) }, order: order)) ?? NDArray<UInt16>(shape: shape)
    }
}
