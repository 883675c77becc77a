import Annotations
@testable import BatchLoader
import Foundation
import MIFACore
import OMEZarr
import Testing
import Zarr

/// Issue 14: what the loader was asked for and cannot do is refused or named, never streamed as if
/// it were done (a label that does not exist, a 3-D patch over 2-D images, padding, lost origins).
@Suite struct InputChecksTests {
    /// Two OME-Zarr images in a temporary folder: `a` (64 × 64, label "cells") and `b` (40 × 48,
    /// label "cells" only when `bothLabelled`).
    static func folder(bothLabelled: Bool) throws -> (root: URL, paths: [String]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mifa-input-checks-\(UUID().uuidString)")
        var paths: [String] = []
        for (name, shape, labelled) in [("a", [64, 64], true), ("b", [40, 48], bothLabelled)] {
            let path = root.appendingPathComponent("\(name).zarr").path
            let writer = try OMEZarrImageWriter(store: DirectoryStore(root: path, create: true), shape: shape, dataType: .uint8,
                                                options: OMEZarrWriteOptions(levels: 1, chunks: [16, 16]))
            try writer.write(AnyNDArray(NDArray<UInt8>(shape: shape, repeating: 3)))
            let image = try writer.finish()
            if labelled { try image.addLabel(name: "cells", AnyNDArray(NDArray<UInt8>(shape: shape, repeating: 1))) }
            paths.append(path)
        }
        return (root, paths)
    }

    /// Removes a temporary folder; a failure is a test issue, not ignored.
    static func remove(_ url: URL) {
        do { try FileManager.default.removeItem(at: url) } catch { Issue.record(error) }
    }

    /// `--label set9` streamed batches without masks: now no image having the label is an error
    /// naming the labels there are.
    @Test func aLabelNoImageHasIsRefused() throws {
        let (root, paths) = try Self.folder(bothLabelled: true)
        defer { Self.remove(root) }
        let error = try #require(throws: BatchLoaderError.self) { _ = try SampleIndex(paths: paths, labelName: "set9") }
        #expect(error.kind == .invalidConfiguration)
        #expect(error.message.contains("'set9'") && error.message.contains("cells"))
        let index = try SampleIndex(paths: paths, labelName: "cells")
        #expect(index.sources.allSatisfy { $0.label != nil } && index.imagesWithoutLabel.isEmpty)
    }

    @Test func aVectorSetGivenAsLabelSaysSo() throws {
        let index = try LoaderFixtures.twoImages()
        let bare = try index.sources.map { try SampleSource(image: OMEZarrImage.open($0.image.store), name: $0.name) }
        let error = try #require(throws: BatchLoaderError.self) {
            try SampleIndex.requireLabel("set3", in: bare, labels: ["set1"], vectorSets: ["set3"])
        }
        #expect(error.message.contains("vector annotation set") && error.message.contains("--set set3"))
    }

    @Test func imagesWithoutTheLabelAreNamed() throws {
        let (root, paths) = try Self.folder(bothLabelled: false)
        defer { Self.remove(root) }
        let index = try SampleIndex(paths: paths, labelName: "cells")
        #expect(index.imagesWithoutLabel == [paths[1]])
    }

    /// A 3-D patch on 2-D images ran (reading one plane and zeros); now it is refused.
    @Test func aThreeDPatchOnTwoDImagesIsRefused() throws {
        let index = try LoaderFixtures.twoImages()
        let error = try #require(throws: BatchLoaderError.self) {
            try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [4, 16, 16], samplesPerEpoch: 4),
                            configuration: BatchLoaderConfiguration(batchSize: 2, memoryBudget: 1 << 22))
        }
        #expect(error.kind == .invalidConfiguration && error.message.contains("2-D"))
        // A 3-D patch one plane deep is a 2-D patch, and runs.
        _ = try BatchLoader(index: index, sampler: UniformPatchSampler(patch: [1, 16, 16], samplesPerEpoch: 4),
                            configuration: BatchLoaderConfiguration(batchSize: 2, memoryBudget: 1 << 22))
    }

    /// A patch larger than an image was zero-padded silently; the index names those images.
    @Test func imagesSmallerThanThePatchAreNamed() throws {
        let index = try LoaderFixtures.twoImages()  // a: 70 × 90, b: 50 × 40
        #expect(index.imagesSmaller(than: [32, 32]).isEmpty)
        #expect(index.imagesSmaller(than: [60, 32]) == ["b"])
        #expect(index.imagesSmaller(than: [32, 100]) == ["a", "b"])
        #expect(index.imagesSmaller(than: [2, 32, 32]) == ["a", "b"])  // no z axis: one plane
    }

    /// Lines (and other kinds without a box, point or polygon) are in no patch: counted, not lost in silence.
    @Test func annotationsPatchesCannotCarryAreCounted() throws {
        let base = try LoaderFixtures.twoImages()
        let line = Annotation(value: .geometry(.polyline(Polyline([Vertex(1, 1), Vertex(20, 20)]))))
        let box = Annotation(value: .box(BoundingBox(x: 1, y: 1, width: 4, height: 4)))
        let index = try SampleIndex(sources: [base.sources[0].withAnnotations([line, box, line]), base.sources[1].withAnnotations([box])])
        #expect(index.annotationsNotCarried.map(\.source) == ["a"])
        #expect(index.annotationsNotCarried.map(\.count) == [2])
    }

    /// Patches did not say which set their shapes came from, nor the object's id there.
    @Test func patchAnnotationsCarryTheirSetAndSourceID() throws {
        let base = try LoaderFixtures.twoImages()
        var shapes: [Annotation] = []
        var origins: [AnnotationOrigin] = []
        for k in 0..<6 {
            let id: Identifier = k % 2 == 0 ? .int(Int64(100 + k)) : .string("f\(k)")
            let box = BoundingBox(x: Double(k * 10), y: 5, width: 8, height: 8)
            shapes.append(Annotation(id: id, categoryID: .int(1), value: .box(box)))
            origins.append(AnnotationOrigin(set: k < 3 ? "set2" : "set3", id: id))
        }
        let index = try SampleIndex(sources: [base.sources[0].withAnnotations(shapes, origins: origins)])
        let sampler = try PatchListSampler(requests: [PatchRequest(source: 0, origin: [0, 0, 0], shape: [1, 64, 64])], index: index)
        let loader = try BatchLoader(index: index, sampler: sampler, configuration: BatchLoaderConfiguration(batchSize: 1, memoryBudget: 1 << 22))
        let batch = try #require(try loader.batches(epoch: 0).nextBatch())
        let found = batch.annotations[0]
        #expect(found.count == 6)
        for a in found {
            #expect(a.set == origins[a.annotation].set)
            #expect(a.sourceID == shapes[a.annotation].id)
        }
        #expect(found.first { $0.annotation == 3 }?.sourceID == .string("f3"))
        // Without origins, each annotation's own id, no set.
        let plain = try SampleIndex(sources: [base.sources[0].withAnnotations(shapes)])
        let plainLoader = try BatchLoader(index: plain, sampler: sampler, configuration: BatchLoaderConfiguration(batchSize: 1, memoryBudget: 1 << 22))
        let plainBatch = try #require(try plainLoader.batches(epoch: 0).nextBatch())
        for a in plainBatch.annotations[0] {
            #expect(a.set == nil)
            #expect(a.sourceID == shapes[a.annotation].id)
        }
    }
}
