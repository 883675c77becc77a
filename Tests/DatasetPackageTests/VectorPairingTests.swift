import TestSupport
import Annotations
@testable import DatasetPackage
import Foundation
import MIFACore
import Testing

/// The IoU pairing of objects without ids finds only the pairs whose boxes overlap through a grid
/// and skips pairs whose areas cannot reach the threshold; it must pair exactly as the full double
/// loop over every pair does.
@Suite struct VectorPairingTests {
    /// Random areal objects without ids: boxes and polygons of mixed sizes on two images (some
    /// without an image), clustered so that many overlap; a few huge, a few identical.
    static func objects(_ count: Int, canvas: Double, random: inout SeededGenerator) -> [Annotation] {
        (0..<count).map { _ in
            let size = Double.random(in: 0...1, using: &random) < 0.05 ? canvas / 2 : Double.random(in: 1...24, using: &random)
            let x = Double.random(in: -4...canvas, using: &random), y = Double.random(in: -4...canvas, using: &random)
            let width = size * Double.random(in: 0.5...1.5, using: &random), height = size * Double.random(in: 0.5...1.5, using: &random)
            let image: Identifier? = [Identifier.string("a"), .string("b"), nil][Int.random(in: 0..<3, using: &random)]
            let value: AnnotationValue
            if Bool.random(using: &random) {
                value = .box(BoundingBox(x: x, y: y, width: width, height: height))
            } else {
                let ring = Ring([Vertex(x, y), Vertex(x + width, y + height / 3), Vertex(x + width / 2, y + height), Vertex(x, y)])
                value = .geometry(.polygon(Polygon(exterior: ring)))
            }
            return Annotation(imageID: image, value: value)
        }
    }

    /// Each object moved a little, resized, dropped or kept; some new ones.
    static func edited(_ objects: [Annotation], canvas: Double, random: inout SeededGenerator) -> [Annotation] {
        var result: [Annotation] = []
        for object in objects where Double.random(in: 0...1, using: &random) > 0.15 {
            guard let box = object.value.boundingBox else { continue }
            let dx = Double.random(in: -6...6, using: &random), dy = Double.random(in: -6...6, using: &random)
            let scale = Double.random(in: 0.6...1.4, using: &random)
            var moved = object
            moved.value = .box(BoundingBox(x: box.x + dx, y: box.y + dy, width: box.width * scale, height: box.height * scale))
            result.append(Double.random(in: 0...1, using: &random) < 0.2 ? object : moved)
        }
        result += Self.objects(objects.count / 10, canvas: canvas, random: &random)
        result.shuffle(using: &random)
        return result
    }

    /// Today's pairing: every old object against every new one, boxes tested first, then the exact IoU.
    static func bruteForcePairs(old: AnnotationDocument, new: AnnotationDocument) throws -> [(old: Int, new: Int)] {
        let oldImage = VectorSetComparison.imageResolver(old), newImage = VectorSetComparison.imageResolver(new)
        let areal = { (annotations: [Annotation]) in annotations.indices.filter { annotations[$0].value.isAreal && annotations[$0].value.boundingBox != nil } }
        let before = areal(old.annotations), after = areal(new.annotations)
        var canvas: [Identifier?: (height: Int, width: Int)] = [:]
        for (index, document, resolve) in before.map({ ($0, old, oldImage) }) + after.map({ ($0, new, newImage) }) {
            let annotation = document.annotations[index]
            let image = resolve(annotation)
            if let size = (new.images + old.images).first(where: { $0.id == image })?.size {
                canvas[image] = size
                continue
            }
            let box = annotation.value.boundingBox!
            let current = canvas[image] ?? (1, 1)
            canvas[image] = (max(current.height, Int((box.y + box.height).rounded(.up))), max(current.width, Int((box.x + box.width).rounded(.up))))
        }
        let drawing = MaskDrawing(rule: .pixelCenter, fillBoxes: true)
        var candidates: [(iou: Double, old: Int, new: Int)] = []
        for a in before {
            let imageA = oldImage(old.annotations[a])
            for b in after where imageA == newImage(new.annotations[b]) {
                let boxA = old.annotations[a].value.boundingBox!, boxB = new.annotations[b].value.boundingBox!
                guard VectorSetComparison.overlaps(boxA, boxB), let size = canvas[imageA] else { continue }
                let maskA = try old.annotations[a].value.rle(height: max(size.height, 1), width: max(size.width, 1), drawing: drawing)!
                let maskB = try new.annotations[b].value.rle(height: max(size.height, 1), width: max(size.width, 1), drawing: drawing)!
                let iou = try RLE.iou([maskA], [maskB])[0][0]
                if iou >= VectorSetComparison.iouThreshold { candidates.append((iou, a, b)) }
            }
        }
        candidates.sort { ($0.iou, -$0.old, -$0.new) > ($1.iou, -$1.old, -$1.new) }
        var usedOld = Set<Int>(), usedNew = Set<Int>()
        var result: [(old: Int, new: Int)] = []
        for candidate in candidates where !usedOld.contains(candidate.old) && !usedNew.contains(candidate.new) {
            usedOld.insert(candidate.old)
            usedNew.insert(candidate.new)
            result.append((candidate.old, candidate.new))
        }
        return result
    }

    @Test(arguments: 0..<12)
    func pairingEqualsTheFullDoubleLoop(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let canvas = [40.0, 120, 300][Int(seed % 3)]
        let count = Int.random(in: 20...140, using: &random)
        var old = AnnotationDocument()
        old.annotations = Self.objects(count, canvas: canvas, random: &random)
        var new = AnnotationDocument()
        new.annotations = Self.edited(old.annotations, canvas: canvas, random: &random)
        if seed % 2 == 0 {
            // Declared sizes on even seeds, extents of the shapes on odd ones.
            old.images = [ImageReference(id: "a", width: Int(canvas) + 30, height: Int(canvas) + 30), ImageReference(id: "b", width: Int(canvas) + 30, height: Int(canvas) + 30)]
            new.images = old.images
        }
        let pairs = try VectorSetComparison.iouPairs(
            old: old.annotations, Array(old.annotations.indices), oldDocument: old, new: new.annotations, Array(new.annotations.indices), newDocument: new)
        let expected = try Self.bruteForcePairs(old: old, new: new)
        #expect(pairs.map { [$0.old, $0.new] } == expected.map { [$0.old, $0.new] })
        #expect(!expected.isEmpty)
    }

    @Test func thousandsOfObjectsPairWithoutComparingEveryPair() throws {
        var random = SeededGenerator(seed: 4242)
        var old = AnnotationDocument()
        old.images = [ImageReference(id: "slide", width: 20000, height: 20000)]
        old.annotations = (0..<4000).map { _ in
            let x = Double.random(in: 0..<19980, using: &random), y = Double.random(in: 0..<19980, using: &random)
            return Annotation(value: .box(BoundingBox(x: x, y: y, width: Double.random(in: 4...16, using: &random), height: Double.random(in: 4...16, using: &random))))
        }
        var new = old
        for index in new.annotations.indices where index % 3 == 0 {
            let box = new.annotations[index].value.boundingBox!
            new.annotations[index].value = .box(BoundingBox(x: box.x + 1, y: box.y, width: box.width, height: box.height))
        }
        new.annotations.reverse()
        let changes = try VectorSetComparison.compare(old: old, new: new)
        #expect(changes.added.isEmpty && changes.removed.isEmpty)
        #expect(changes.matchedByIoU == 4000)
        #expect(changes.changed.count == (0..<4000).filter { $0 % 3 == 0 }.count)
    }
}
