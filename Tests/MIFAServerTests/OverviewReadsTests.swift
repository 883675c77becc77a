import Annotations
import DatasetPackage
import Foundation
import MIFACore
@testable import MIFAServer
import OMEZarr
import Testing
import TestSupport
import Zarr

/// The overview page (`/`) of a package costs a bounded number of store reads: the same with 2
/// images and a few objects as with 1,000 images and tens of thousands of objects (issue 18's
/// acceptance). The bound, counted through a ``CountingStore`` around the package's store:
/// `mifa.json` (1), each vector set's index and the header of its GeoJSON (2 per set: the set's
/// images, objects and kinds come from the index, and no feature is read), and the version chain
/// (each version record once, and `manifest.json`); no image is opened.
@Suite struct OverviewReadsTests {
    /// A `cells` set of `count` random squares on img1 and img2.
    static func cells(_ count: Int, _ random: inout SeededGenerator) -> AnnotationDocument {
        var document = ServerFixture.cells()
        document.annotations = (0..<count).map { index in
            let x = Double(Int.random(in: 0..<20, using: &random)), y = Double(Int.random(in: 0..<12, using: &random))
            return Annotation(id: .int(Int64(index + 1)), imageID: .string(Bool.random(using: &random) ? "img1" : "img2"),
                              value: .geometry(.polygon(Polygon(exterior: Ring(flat: [x, y, x + 4, y, x + 4, y + 4, x, y + 4, x, y])))))
        }
        return document
    }

    /// The reads made while rendering `/` of the fixture package with `extraImages` more (4 x 4)
    /// images and a `cells` set of `objects` objects, the package opened and its view made first.
    static func overviewReads(extraImages: Int, objects: Int, seed: UInt64) throws -> Int {
        var random = SeededGenerator(seed: seed)
        var cells = cells(objects, &random)
        // Some objects are points, so that the set has two kinds.
        for index in cells.annotations.indices where Bool.random(using: &random) {
            cells.annotations[index].value = .geometry(.point(Point(x: Double(index % 20), y: Double(index % 12))))
        }
        let kinds = Set(cells.annotations.map(\.value.kindName)).sorted()
        let root = try ServerFixture.makePackage(cells: cells) { staging in
            for index in 0..<extraImages {
                let store = try DirectoryStore(root: "\(staging)/images/tiny\(index)", create: true)
                let pixels = try NDArray<UInt8>(shape: [4, 4], elements: (0..<16).map { UInt8(truncatingIfNeeded: $0 &+ index) })
                let writer = try OMEZarrImageWriter(store: store, shape: [4, 4], dataType: .uint8, options: OMEZarrWriteOptions(levels: 1, chunks: [4, 4]))
                try writer.write(AnyNDArray(pixels))
                _ = try writer.finish()
            }
        }
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let counting = CountingStore(try DirectoryStore(root: root))
        let view = try PackageView(package: DatasetPackage.open(PackageReader(store: counting)))
        #expect(view.imageIDs.count == 2 + extraImages)
        let opened = counting.count
        let page = try Pages.overview(view, prefix: "", token: nil)
        #expect(page.contains("<td>\(objects)</td>"), "the cells set's object count is on the page")
        let cellsSet = try API.sets(view).arrayValue?.first { $0["id"]?.stringValue == "cells" }
        #expect(cellsSet?["types"]?.arrayValue?.compactMap(\.stringValue) == kinds)
        #expect(cellsSet?["objects"]?.numberValue?.intValue == objects)
        let setReads = counting.history[opened...].filter { $0.key.hasPrefix("annotations/") }
        #expect(setReads.map(\.key) == [PackageLayout.annotationIndex("cells"), PackageLayout.annotationFile("cells")], "\(setReads)")
        #expect(setReads.last?.range != nil, "the GeoJSON's header only, never the whole file")
        return counting.count - opened
    }

    @Test func theOverviewOf1000ImagesCostsTheReadsOf2() throws {
        var random = SeededGenerator(seed: 1_000)
        let small = try Self.overviewReads(extraImages: 0, objects: Int.random(in: 1...5, using: &random), seed: random.next())
        let large = try Self.overviewReads(extraImages: 998, objects: Int.random(in: 20_000...30_000, using: &random), seed: random.next())
        #expect(small == large, "2 images and a few objects: \(small) reads; 1,000 images and many objects: \(large)")
        // mifa.json, the one vector set's index and header, the version chain: its one record and the manifest that anchors it.
        #expect(large <= 5, "\(large) reads")
    }
}
