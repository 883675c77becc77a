import Annotations
@testable import BatchLoader
import MIFACore
import Testing

@Suite struct AnnotationIndexTests {
    static func randomAnnotations(count: Int, width: Double, height: Double, seed: UInt64) -> [Annotation] {
        var random = SampleRandom(key: seed)
        var result: [Annotation] = []
        for k in 0..<count {
            let x = Double.random(in: -10..<width, using: &random), y = Double.random(in: -10..<height, using: &random)
            let w = Double.random(in: 0.5..<40, using: &random), h = Double.random(in: 0.5..<40, using: &random)
            let value: AnnotationValue
            switch k % 4 {
            case 0: value = .box(BoundingBox(x: x, y: y, width: w, height: h))
            case 1: value = .geometry(.point(Point(x: x, y: y)))
            case 2: value = .geometry(.polygon(Polygon(exterior: Ring([Vertex(x, y), Vertex(x + w, y + h / 3), Vertex(x + w / 2, y + h), Vertex(x, y)]))))
            default: value = .geometry(.ellipse(Ellipse(center: Vertex(x, y), radiusX: w / 2, radiusY: h / 2)))
            }
            result.append(Annotation(categoryID: .int(Int64(k % 3)), value: value, frame: k % 5 == 0 ? 1 : nil, trackID: k % 5 == 0 ? Int64(k) : nil))
        }
        return result
    }

    @Test func gridQueryEqualsBruteForce() {
        let annotations = Self.randomAnnotations(count: 400, width: 300, height: 200, seed: 1)
        let index = AnnotationIndex(annotations: annotations, height: 200, width: 300, cellSize: 32)
        var random = SampleRandom(key: 9)
        for _ in 0..<200 {
            let x = Double(Int.random(in: -20..<300, using: &random)), y = Double(Int.random(in: -20..<200, using: &random))
            let rect = ClipRect(x0: x, y0: y, x1: x + Double(Int.random(in: 1..<90, using: &random)), y1: y + Double(Int.random(in: 1..<90, using: &random)))
            for t in 0..<2 {
                #expect(index.query(rect, t: t) == index.bruteForce(rect, t: t))
            }
        }
    }

    @Test func clippingBoxesPointsAndPolygons() {
        let rect = ClipRect(x0: 10, y0: 20, x1: 30, y1: 40)
        #expect(rect.clip(.box(BoundingBox(x: 5, y: 25, width: 10, height: 30))) == .box(BoundingBox(x: 0, y: 5, width: 5, height: 15)))
        #expect(rect.clip(.box(BoundingBox(x: 30, y: 25, width: 10, height: 3))) == nil)
        #expect(rect.clip(.point(Vertex(10, 20))) == .point(Vertex(0, 0)))
        #expect(rect.clip(.point(Vertex(30, 20))) == nil)
        // A square half outside becomes the inside half.
        let clipped = rect.clip(.polygon([[Vertex(0, 25), Vertex(20, 25), Vertex(20, 35), Vertex(0, 35)]]))
        guard case .polygon(let rings)? = clipped else { Issue.record("polygon expected"); return }
        #expect(Set(rings[0]) == [Vertex(0, 5), Vertex(10, 5), Vertex(10, 15), Vertex(0, 15)])
        #expect(rect.clip(.polygon([[Vertex(0, 0), Vertex(5, 0), Vertex(5, 5)]])) == nil)
    }

    @Test func batchesCarryTheirPatchesAnnotations() throws {
        let base = try LoaderFixtures.twoImages()
        let lists = [Self.randomAnnotations(count: 120, width: 90, height: 70, seed: 2), Self.randomAnnotations(count: 60, width: 40, height: 50, seed: 3)]
        let index = try SampleIndex(sources: zip(base.sources, lists).map { $0.withAnnotations($1, cellSize: 16) })
        let loader = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [20, 24], samplesPerEpoch: 30),
                                     configuration: BatchLoaderConfiguration(batchSize: 7, workers: 3, memoryBudget: 1 << 22))
        let iterator = try loader.batches(epoch: 0)
        var total = 0
        while let batch = try iterator.nextBatch() {
            for (k, request) in batch.requests.enumerated() {
                let x0 = Double(request.origin[2]), y0 = Double(request.origin[1])
                // Independent expectation for boxes and points; polygons through the index's brute force.
                var expected: [PatchAnnotation] = []
                let list = lists[request.source]
                let brute = loader.index.sources[request.source].annotations!.bruteForce(ClipRect(x0: x0, y0: y0, x1: x0 + 24, y1: y0 + 20), t: request.t)
                for (i, a) in list.enumerated() where a.frame == nil || a.frame == request.t {
                    switch a.value {
                    case .box(let b):
                        let l = max(b.x, x0), r = min(b.x + b.width, x0 + 24), t = max(b.y, y0), bo = min(b.y + b.height, y0 + 20)
                        if r > l && bo > t {
                            expected.append(PatchAnnotation(annotation: i, categoryID: a.categoryID, trackID: a.trackID,
                                                            shape: .box(BoundingBox(x: l - x0, y: t - y0, width: r - l, height: bo - t))))
                        }
                    case .geometry(.point(let p)):
                        if p.x >= x0 && p.x < x0 + 24 && p.y >= y0 && p.y < y0 + 20 {
                            expected.append(PatchAnnotation(annotation: i, categoryID: a.categoryID, trackID: a.trackID, shape: .point(Vertex(p.x - x0, p.y - y0))))
                        }
                    default:
                        expected += brute.filter { $0.annotation == i }
                    }
                }
                #expect(batch.annotations[k] == expected)
                total += expected.count
            }
        }
        #expect(total > 0)
    }

    @Test func augmentationsKeepImagesMasksAndAnnotationsConsistent() throws {
        let base = try LoaderFixtures.twoImages()
        // A point at the centre of every 3rd pixel, its category the label value there.
        var sources: [SampleSource] = []
        for source in base.sources {
            let mask = try source.label!.read(UInt16.self)
            let (h, w) = (mask.shape[0], mask.shape[1])
            var points: [Annotation] = []
            for y in stride(from: 0, to: h, by: 3) {
                for x in stride(from: 1, to: w, by: 3) {
                    points.append(Annotation(categoryID: .int(Int64(mask[y, x])), value: .geometry(.point(Point(x: Double(x) + 0.5, y: Double(y) + 0.5)))))
                }
            }
            sources.append(source.withAnnotations(points))
        }
        let index = try SampleIndex(sources: sources)
        let sampler = UniformPatchSampler(patch: [17, 17], samplesPerEpoch: 24)
        let plain = try BatchLoader(index: index, sampler: sampler, configuration: BatchLoaderConfiguration(batchSize: 6, seed: 4, memoryBudget: 1 << 22))
        let augmented = try BatchLoader(index: index, sampler: sampler, configuration: BatchLoaderConfiguration(
            batchSize: 6, seed: 4, memoryBudget: 1 << 22, augmentation: AugmentationOptions(flips: true, rotations: true)))
        let a = try plain.batches(epoch: 0), b = try augmented.batches(epoch: 0)
        var seen = Set<PatchAugmentation>()
        while let x = try a.nextBatch(), let y = try b.nextBatch() {
            #expect(x.requests == y.requests)
            let xi = try x.images(UInt16.self), yi = try y.images(UInt16.self)
            let xm = try #require(try x.masks(UInt16.self)), ym = try #require(try y.masks(UInt16.self))
            for k in 0..<x.samples.count {
                let aug = y.augmentations[k]
                seen.insert(aug)
                // Where each original pixel lands: the centre of pixel (r, c) moves like a point.
                for r in 0..<17 {
                    for c in 0..<17 {
                        let v = aug.apply(Vertex(Double(c) + 0.5, Double(r) + 0.5), height: 17, width: 17)
                        let (r2, c2) = (Int(v.y), Int(v.x))
                        #expect(ym[k, r2, c2] == xm[k, r, c])
                        #expect(yi[k, 1, r2, c2] == xi[k, 1, r, c])
                    }
                }
                for annotation in y.annotations[k] {
                    guard case .point(let p) = annotation.shape, case .int(let value)? = annotation.categoryID else { continue }
                    #expect(Int64(ym[k, Int(p.y), Int(p.x)]) == value)
                }
                #expect(y.annotations[k].count == x.annotations[k].count)
            }
        }
        #expect(seen.count > 3)
    }
}
