import Annotations
import DatasetPackage
import Foundation
import MIFACore
import Testing

/// Issue 14: an Ultralytics YOLO folder (data.yaml with the class names, no classes.txt) was
/// ignored by pack with exit 0, and refused as "not in the source folder" when the file list named
/// it, while `mifa convert` read the same folder. Pack now finds it and reads it with the same reader.
@Suite struct IngestYOLOTests {
    /// YOLO box lines of image `index`'s squares, class `k % 2`.
    func labels(_ index: Int) -> String {
        IngestFixtures.boxes(index).enumerated().map { k, box in
            let (cx, cy, size) = (Double(box.x) + Double(box.size) / 2, Double(box.y) + Double(box.size) / 2, Double(box.size))
            return "\(k % 2) \(cx / 64) \(cy / 64) \(size / 64) \(size / 64)"
        }.joined(separator: "\n") + "\n"
    }

    /// An Ultralytics dataset: `data.yaml`, `images/[split/]img<i>.png`, `labels/[split/]img<i>.txt`.
    func makeDataset(_ root: String, names: String, splits: Bool, classFile: Bool = true) throws {
        for index in 0..<3 {
            let split = splits ? (index == 2 ? "val/" : "train/") : ""
            try IngestFixtures.writeImage(index, "\(root)/images/\(split)img\(index).png")
            try IngestFixtures.write(labels(index), "\(root)/labels/\(split)img\(index).txt")
        }
        if classFile {
            try IngestFixtures.write("path: .\ntrain: images\(splits ? "/train" : "")\nval: images\(splits ? "/val" : "")\n\(names)\n", "\(root)/data.yaml")
        }
    }

    func metadata(_ folder: String, files: String = "") throws {
        let sets = [IngestFixtures.set(overview: "Nucleus boxes", types: ["bounding_boxes"], files: files)]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
    }

    @Test(arguments: [("names: [nucleus, debris]", false), ("names:\n  0: nucleus\n  1: debris", true)])
    func anUltralyticsFolderIsPackedWithItsClassNames(names: String, splits: Bool) throws {
        let folder = try temporaryFolder()
        try makeDataset("\(folder)/source", names: names, splits: splits)
        try metadata(folder)
        let summary = try PackageIngest(source: "\(folder)/source", package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.images == 3)
        #expect(summary.annotationSets == ["set1"])
        #expect(summary.ignored.isEmpty, "\(summary.ignored)")
        #expect(summary.unmatched.isEmpty, "\(summary.unmatched)")
        let packed = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set1/annotations.geojson").document
        #expect(packed.annotations.count == 2 + 3 + 2)
        #expect(packed.categories.map(\.name) == ["nucleus", "debris"])
        // The same reader as `mifa convert`: the same boxes, on the same images.
        let converted = try Converter.read("\(folder)/source", format: .yolo).document
        #expect(converted.categories.map(\.name) == ["nucleus", "debris"])
        #expect(packed.annotations.map(\.value) == converted.annotations.map(\.value))
        for index in 0..<3 {
            let mine = packed.annotations.filter { $0.imageID == .string("img\(index)") }
            #expect(mine.count == IngestFixtures.boxes(index).count)
            if case .box(let box)? = mine.first?.value {
                let square = IngestFixtures.boxes(index)[0]
                #expect(abs(box.x - Double(square.x)) < 1e-9 && abs(box.width - Double(square.size)) < 1e-9)
            } else {
                Issue.record("not a box: \(String(describing: mine.first?.value))")
            }
        }
    }

    @Test func theFileListMayNameTheDataFileOrALabelFile() throws {
        let folder = try temporaryFolder()
        try makeDataset("\(folder)/source", names: "names: [nucleus, debris]", splits: false)
        try metadata(folder)
        for named in ["data.yaml", "labels/img1.txt", "labels"] {
            try IngestFixtures.write("Files\tAnnotation type\n\(named)\tbounding_boxes\n", "\(folder)/files.tsv")
            let summary = try PackageIngest(source: "\(folder)/source", package: "\(folder)/pkg-\(named.count)", metadata: "\(folder)/mifa.yaml",
                                            fileList: "\(folder)/files.tsv").run()
            #expect(summary.objects == 7, "\(named)")
        }
    }

    @Test func aDeclaredSetThatGetsNothingIsAnErrorNamingItAndTheFiles() throws {
        let folder = try temporaryFolder()
        // YOLO labels without any class-name file, and a README: nothing pack reads for set1.
        try makeDataset("\(folder)/source", names: "", splits: false, classFile: false)
        try IngestFixtures.write("notes\n", "\(folder)/source/README.md")
        try metadata(folder)
        let error = #expect(throws: PackageError.self) {
            try PackageIngest(source: "\(folder)/source", package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        }
        let message = error?.message ?? ""
        #expect(message.contains("set1") && message.contains("Nucleus boxes"), "\(message)")
        #expect(message.contains("labels/img0.txt") && message.contains("README.md"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/pkg"))
    }
}
