import Annotations
import DatasetPackage
import Foundation
import MIFACore
import Testing

/// Issue 14: napari writes an `index` column that restarts at 0 in every file, and pack refused the
/// set ("annotation id 0 is also used by another file") without a way out; a napari Shapes CSV was
/// packed as loose points.
@Suite struct IngestNapariTests {
    /// A points table as napari's `write_points` writes it: `index` counts rows from 0 in each file.
    func points(_ index: Int) -> String {
        "index,axis-0,axis-1\n" + IngestFixtures.boxes(index).enumerated().map { k, box in
            "\(k),\(Double(box.y) + Double(box.size) / 2 - 0.5),\(Double(box.x) + Double(box.size) / 2 - 0.5)"
        }.joined(separator: "\n") + "\n"
    }

    func makeSource(_ folder: String, files: (Int) -> (name: String, text: String)) throws -> String {
        let source = "\(folder)/source"
        for index in 0..<3 {
            try IngestFixtures.writeImage(index, "\(source)/images/img\(index).tif")
            let file = files(index)
            try IngestFixtures.write(file.text, "\(source)/points/\(file.name)")
        }
        let sets = [IngestFixtures.set(overview: "Nucleus centres", types: ["point_annotations"])]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        return source
    }

    @Test func napariIndexesRestartingPerFileBecomeFileScopedIDs() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder) { ("img\($0).csv", points($0)) }
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.objects == 7)
        let packed = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set1/annotations.geojson").document
        #expect(packed.annotations.map(\.id) == ["img0:0", "img0:1", "img1:0", "img1:1", "img1:2", "img2:0", "img2:1"])
        let first = try #require(packed.annotations.first)
        let box = IngestFixtures.boxes(0)[0]
        #expect(first.value == .geometry(.point(Point(x: Double(box.x) + Double(box.size) / 2, y: Double(box.y) + Double(box.size) / 2))))
        #expect(first.imageID == "img0")
    }

    @Test func aNapariShapesCSVIsPackedAsShapes() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder) { index in
            let rows = IngestFixtures.boxes(index).enumerated().flatMap { k, box -> [String] in
                let (x0, y0, x1, y1) = (Double(box.x) - 0.5, Double(box.y) - 0.5, Double(box.x + box.size) - 0.5, Double(box.y + box.size) - 0.5)
                return [(y0, x0), (y0, x1), (y1, x1), (y1, x0)].enumerated().map { "\(k),rectangle,\($0),\($1.0),\($1.1)" }
            }
            return ("img\(index).csv", "index,shape-type,vertex-index,axis-0,axis-1\n" + rows.joined(separator: "\n") + "\n")
        }
        _ = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        let packed = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set1/annotations.geojson").document
        #expect(packed.annotations.count == 7)
        #expect(packed.annotations.allSatisfy { $0.value.isAreal }, "read as loose points")
        let first = try #require(packed.annotations.first { $0.id == "img0:0" })
        let box = IngestFixtures.boxes(0)[0]
        guard case .geometry(let geometry) = first.value else {
            Issue.record("not a geometry: \(first.value)")
            return
        }
        #expect(geometry.area == Double(box.size * box.size))
        #expect(first.value.boundingBox == BoundingBox(x: Double(box.x), y: Double(box.y), width: Double(box.size), height: Double(box.size)))
    }
}
