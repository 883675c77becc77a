import Annotations
import DatasetPackage
import Testing
import TestSupport

/// ``AnnotationAgreement``'s greedy matching against a brute-force one on pixel grids.
@Suite struct AgreementTests {
    /// A box on a `size` × `size` grid, as a mask and as a set of pixels.
    static func box(x: Int, y: Int, w: Int, h: Int, size: Int) throws -> (rle: RLE, pixels: Set<Int>, rect: [Int]) {
        var pixels = Set<Int>()
        for row in y..<(y + h) { for column in x..<(x + w) { pixels.insert(row * size + column) } }
        let spans = RowSpans.box(BoundingBox(x: Double(x), y: Double(y), width: Double(w), height: Double(h)), height: size, width: size)
        return (try RLE(spans: spans), pixels, [x, y, w, h])
    }

    /// A random box on a `size` × `size` grid.
    static func box(_ size: Int, _ random: inout SeededGenerator) throws -> (rle: RLE, pixels: Set<Int>, rect: [Int]) {
        let x = Int.random(in: 0..<(size - 2), using: &random), y = Int.random(in: 0..<(size - 2), using: &random)
        return try box(x: x, y: y, w: Int.random(in: 1...min(12, size - x), using: &random), h: Int.random(in: 1...min(12, size - y), using: &random), size: size)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func greedyMatchingEqualsABruteForceOne(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let size = 40
        let a = try (0..<Int.random(in: 0...25, using: &random)).map { _ in try Self.box(size, &random) }
        // The second reader: some of the first reader's boxes nudged, plus new ones.
        var b = try (0..<Int.random(in: 0...10, using: &random)).map { _ in try Self.box(size, &random) }
        for item in a where Bool.random(using: &random) {
            let (x, y, w, h) = (item.rect[0], item.rect[1], item.rect[2], item.rect[3])
            let dx = Int.random(in: 0...2, using: &random)
            guard x + dx < size else { continue }
            b.append(try Self.box(x: x + dx, y: y, w: min(w, size - x - dx), h: h, size: size))
        }
        b.shuffle(using: &random)
        var candidates: [(iou: Double, i: Int, j: Int, dice: Double)] = []
        for (i, x) in a.enumerated() {
            for (j, y) in b.enumerated() {
                let inter = x.pixels.intersection(y.pixels).count
                let iou = Double(inter) / Double(x.pixels.count + y.pixels.count - inter)
                if iou >= 0.5 { candidates.append((iou, i, j, 2 * Double(inter) / Double(x.pixels.count + y.pixels.count))) }
            }
        }
        candidates.sort { ($0.iou, -$0.i, -$0.j) > ($1.iou, -$1.i, -$1.j) }
        var usedA = Set<Int>(), usedB = Set<Int>()
        var expected: [(Int, Int, Double)] = []
        for c in candidates where !usedA.contains(c.i) && !usedB.contains(c.j) {
            usedA.insert(c.i)
            usedB.insert(c.j)
            expected.append((c.i, c.j, c.dice))
        }
        let pairs = try AnnotationAgreement.match(a.map(\.rle), b.map(\.rle))
        #expect(pairs.map { [$0.a, $0.b] } == expected.map { [$0.0, $0.1] }, "seed \(seed)")
        var tally = AnnotationAgreement.Tally()
        try tally.add(image: "img", a.map(\.rle), b.map(\.rle))
        let result = tally.result("x", "y")
        #expect(result.matched == expected.count)
        #expect(result.objects == [a.count, b.count])
        if a.count + b.count > 0 { #expect(result.f1 == Double(2 * expected.count) / Double(a.count + b.count)) }
        if let dice = result.meanDice {
            #expect(abs(dice - expected.map(\.2).reduce(0, +) / Double(expected.count)) < 1e-12)
        } else {
            #expect(expected.isEmpty)
        }
    }
}
