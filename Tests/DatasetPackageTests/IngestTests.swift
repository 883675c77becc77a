import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import OMEZarr
import RasterIO
import Testing
import Zarr

@Suite struct IngestTests {
    /// Three TIFF images with PNG masks under file_name_pattern, one COCO file for all and one GeoJSON per image.
    func makeSource(_ folder: String, masks: Bool = true) throws -> String {
        let source = "\(folder)/source"
        for index in 0..<3 {
            try IngestFixtures.writeImage(index, "\(source)/raw/img\(index).tif")
            if masks { try IngestFixtures.writeMask(index, "\(source)/raw/img\(index)_mask.png") }
            try IngestFixtures.write(IngestFixtures.geojson(index, idPrefix: "n\(index)"), "\(source)/qupath/img\(index)_shapes.geojson")
        }
        try IngestFixtures.write(IngestFixtures.coco([0, 1, 2]), "\(source)/boxes.json")
        let sets = [
            IngestFixtures.set(overview: "Instance masks of nuclei", types: ["segmentation_mask"], indicator: "file_name_pattern", annotator: "Ada"),
            IngestFixtures.set(overview: "Nucleus outlines from QuPath", types: ["geometrical_annotations"], indicator: "file_name_pattern", annotator: "Grace"),
            IngestFixtures.set(overview: "Nucleus boxes", types: ["bounding_boxes"], annotator: "Alan",
                               files: "      - annotation_id: boxes.json\n        annotation_type: bounding_boxes\n        source_image_id: raw/img0.tif\n"),
        ]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        return source
    }

    @Test func packsImagesMasksAndVectorAnnotations() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder)
        // boxes.json is listed with one source image in file_metadata: every object goes to img0.
        // Use the file list to say the QuPath files' type explicitly and add an attribute.
        try IngestFixtures.write("Files\tAnnotation type\tdiagnosis\nqupath/img0_shapes.geojson\tgeometrical annotations\tnormal\nraw/img0.tif\t\tnormal\n", "\(folder)/files.tsv")
        var ingest = PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml", fileList: "\(folder)/files.tsv")
        ingest.changes = "First release"
        let summary = try ingest.run()
        #expect(summary.images == 3)
        #expect(summary.labelImages == 3)
        #expect(summary.annotationSets == ["set1", "set2", "set3"])
        #expect(summary.unmatched.isEmpty, "\(summary.unmatched)")
        #expect(summary.version == "0.9")
        let package = try DatasetPackage.open("\(folder)/pkg")
        #expect(try package.manifest().fileList.files.count == summary.files)

        for index in 0..<3 {
            let image = try OMEZarrImage.open(path: "\(folder)/pkg/images/img\(index)")
            #expect(image.version == .v05)
            #expect(try image.read().typed(as: UInt16.self) == (try IngestFixtures.image(index)))
            let label = try image.openLabel("set1")
            #expect(try label.read().typed(as: UInt16.self) == (try IngestFixtures.mask(index)))
            #expect(label.imageLabel != nil)
        }
        // QuPath outlines: one file per image, each object on its image.
        let outlines = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set2/annotations.geojson").document
        #expect(outlines.annotations.count == 2 + 3 + 2)
        for index in 0..<3 {
            let mine = outlines.annotations.filter { $0.imageID == .string("img\(index)") }
            let expected = try GeoJSONReader.read(path: "\(source)/qupath/img\(index)_shapes.geojson").document.annotations
            #expect(mine.map(\.value) == expected.map(\.value))
            #expect(mine.map(\.id) == expected.map(\.id))
        }
        // boxes.json lists its own three images: each box lands on its image.
        let boxes = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set3/annotations.geojson").document
        #expect(boxes.annotations.count == 7)
        #expect(Set(boxes.annotations.map(\.imageID)) == [.string("img0"), .string("img1"), .string("img2")])

        // mifa.json: images by package id, version module, file-level source image resolved.
        let stored = try MetadataReader.read(contentsOf: "\(folder)/pkg/mifa.json")
        #expect(stored.report.isValid, "\(stored.report.issues)")
        #expect(stored.document.images?.map(\.id) == ["img0", "img1", "img2"])
        #expect(stored.document.images?.first?.path == "images/img0")
        #expect(stored.document.version?.version == "0.9")
        #expect(stored.document.version?.changes == "First release")
        #expect(stored.document.annotations?[2].fileMetadata?.first?.sourceImageID == "img0")
        let record = try package.record("0.9").record
        #expect(record.creditedAnnotators.map(\.authorFirstName) == ["Ada", "Grace", "Alan"])
        #expect(record.changes == "First release")

        // The file index keeps the file list's attributes.
        let index = try JSONDecoder().decode(IngestedFileIndex.self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/pkg/annotations/files.json")))
        let image0 = try #require(index.files.first { $0.source == "raw/img0.tif" })
        #expect(image0.attributes == ["diagnosis": "normal"])
        #expect(index.files.first { $0.source == "raw/img1_mask.png" }?.path == "images/img1/labels/set1")
    }

    @Test func repackingGivesIdenticalFiles() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder)
        _ = try PackageIngest(source: source, package: "\(folder)/a", metadata: "\(folder)/mifa.yaml").run()
        _ = try PackageIngest(source: source, package: "\(folder)/b", metadata: "\(folder)/mifa.yaml").run()
        // Every file, mifa.json too (its version time stamp is the sheet's, not the clock's), is byte for byte the same.
        let a = try DatasetPackage.open("\(folder)/a").manifest().fileList.files
        let b = try DatasetPackage.open("\(folder)/b").manifest().fileList.files
        #expect(a["mifa.json"] != nil)
        #expect(a == b)
        #expect(a.count > 10)
    }

    @Test func exactMatchAndCOCOImageListAssociation() throws {
        let folder = try temporaryFolder()
        let source = "\(folder)/source"
        for index in 0..<2 {
            try IngestFixtures.writeImage(index, "\(source)/images/img\(index).png")
            try IngestFixtures.write(IngestFixtures.geojson(index, idPrefix: "g\(index)"), "\(source)/outlines/img\(index).geojson")
        }
        try IngestFixtures.write(IngestFixtures.geojson(0, idPrefix: "orphan"), "\(source)/outlines/other.geojson")
        try IngestFixtures.write(IngestFixtures.coco([0, 1, 5]), "\(source)/all.json")
        let sets = [
            IngestFixtures.set(overview: "Outlines", types: ["geometrical_annotations"], indicator: "file_name_exact_match"),
            IngestFixtures.set(overview: "Boxes", types: ["bounding_boxes"], indicator: "file_name_exact_match", annotator: "Alan",
                               files: "      - annotation_id: all.json\n        annotation_type: bounding_boxes\n        source_image_id: images\n"),
        ]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.images == 2)
        let outlines = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set1/annotations.geojson").document
        #expect(Set(outlines.annotations.compactMap(\.imageID)) == [.string("img0"), .string("img1")])
        #expect(outlines.annotations.count == 5)
        // other.geojson has no image of its name; COCO image 6 (img5.tif) has no file: both reported.
        #expect(summary.unmatched.contains { $0.file == "outlines/other.geojson" })
        #expect(summary.unmatched.contains { $0.file == "all.json" && $0.reason.contains("img5.tif") })
        let boxes = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set2/annotations.geojson").document
        #expect(boxes.annotations.count == 2 + 3)
        #expect(Set(boxes.annotations.compactMap(\.imageID)) == [.string("img0"), .string("img1")])
    }

    @Test func fileListAssociationWithMetadataFileIndicator() throws {
        let folder = try temporaryFolder()
        let source = "\(folder)/source"
        try IngestFixtures.writeImage(0, "\(source)/a/first.tif")
        try IngestFixtures.writeImage(1, "\(source)/a/second.tif")
        try IngestFixtures.writeMask(1, "\(source)/m/x.tif")
        try IngestFixtures.writeMask(0, "\(source)/m/y.tif")
        try IngestFixtures.writeMask(0, "\(source)/m/z.tif")
        try IngestFixtures.write("files,source_image,annotation_type,magnification\nm/x.tif,a/second.tif,segmentation mask,40x\nm/y.tif,a/first.tif,segmentation mask,\n", "\(folder)/list.csv")
        let sets = [IngestFixtures.set(overview: "Masks", types: ["segmentation_mask"], indicator: "metadata_file")]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml", fileList: "\(folder)/list.csv").run()
        #expect(summary.images == 3 - 0)  // m/z.tif is not named as an annotation: it is an image
        let second = try OMEZarrImage.open(path: "\(folder)/pkg/images/second")
        #expect(try second.openLabel("set1").read().typed(as: UInt16.self) == (try IngestFixtures.mask(1)))
        let first = try OMEZarrImage.open(path: "\(folder)/pkg/images/first")
        #expect(try first.openLabel("set1").read().typed(as: UInt16.self) == (try IngestFixtures.mask(0)))
        let index = try JSONDecoder().decode(IngestedFileIndex.self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/pkg/annotations/files.json")))
        #expect(index.files.first { $0.source == "m/x.tif" }?.attributes == ["magnification": "40x"])
    }

    @Test func pointsTablesYOLOAndCTCFolders() throws {
        let folder = try temporaryFolder()
        let source = "\(folder)/source"
        for index in 0..<2 { try IngestFixtures.writeImage(index, "\(source)/images/img\(index).tif") }
        try IngestFixtures.writeImage(2, "\(source)/movie.tif")
        // napari points of img1, matched by name; YOLO boxes of both images; a CTC folder for movie.tif.
        try IngestFixtures.write("index,axis-0,axis-1\n0,10.5,20.5\n1,30,40\n", "\(source)/points/img1.csv")
        try IngestFixtures.write("nucleus\n", "\(source)/yolo/classes.txt")
        try IngestFixtures.write("0 0.5 0.5 0.25 0.25\n", "\(source)/yolo/img0.txt")
        try IngestFixtures.write("0 0.25 0.25 0.125 0.125\n0 0.75 0.75 0.125 0.125\n", "\(source)/yolo/img1.txt")
        try IngestFixtures.write("1 0 1 0\n2 0 1 0\n", "\(source)/movie/man_track.txt")
        try IngestFixtures.writeMask(0, "\(source)/movie/man_track000.tif")
        try IngestFixtures.writeMask(0, "\(source)/movie/man_track001.tif")
        let sets = [
            IngestFixtures.set(overview: "Points", types: ["point_annotations"]),
            IngestFixtures.set(overview: "Boxes", types: ["bounding_boxes"], annotator: "Alan"),
            IngestFixtures.set(overview: "Tracks", types: ["tracks"], annotator: "Grace"),
        ]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.unmatched.isEmpty, "\(summary.unmatched)")
        #expect(summary.annotationSets == ["set1", "set2", "set3"])
        let points = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set1/annotations.geojson").document
        #expect(points.annotations.count == 2)
        #expect(points.images.map(\.id) == [.string("img1")])
        let boxes = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set2/annotations.geojson").document
        #expect(boxes.annotations.filter { $0.imageID == .string("img0") }.map(\.value) == [.box(BoundingBox(x: 24, y: 24, width: 16, height: 16))])
        #expect(boxes.annotations.filter { $0.imageID == .string("img1") }.count == 2)
        let tracks = try GeoJSONReader.read(path: "\(folder)/pkg/annotations/set3/annotations.geojson").document
        #expect(tracks.annotations.count == 2 * 2)
        #expect(Set(tracks.annotations.compactMap(\.imageID)) == [.string("movie")])
        #expect(tracks.tracking?.tracks.count == 2)
    }

    @Test func omeZarrFoldersAndRGBPNGs() throws {
        let folder = try temporaryFolder()
        let source = "\(folder)/source"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        // An NGFF 0.4 image folder, re-written as 0.5.
        let store = try DirectoryStore(root: "\(source)/stack.zarr", create: true)
        let planes = try (0..<2).map { try IngestFixtures.image($0) }
        let writer = try OMEZarrImageWriter(store: store, shape: [2, 64, 64], dataType: .uint16, options: OMEZarrWriteOptions(version: .v04))
        for (z, plane) in planes.enumerated() { try writer.write(plane: plane, at: [z]) }
        try writer.finish()
        // An RGB PNG: its samples become channels; its mask has the image's y, x.
        var rgb = [UInt8](repeating: 0, count: 64 * 64 * 3)
        for index in rgb.indices { rgb[index] = UInt8(truncatingIfNeeded: index * 7) }
        try RasterFile.write(try RasterImage(array: AnyNDArray(try NDArray(shape: [64, 64, 3], elements: rgb)), axes: "YXS"), to: "\(source)/rgb.png")
        try IngestFixtures.writeMask(1, "\(source)/masks/rgb.png")
        try IngestFixtures.write("Files\tSource image\nmasks/rgb.png\trgb.png\n", "\(folder)/files.tsv")
        let sets = [IngestFixtures.set(overview: "Masks", types: ["segmentation_mask"])]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml", fileList: "\(folder)/files.tsv").run()
        #expect(summary.images == 2)
        let stack = try OMEZarrImage.open(path: "\(folder)/pkg/images/stack")
        #expect(stack.version == .v05)
        #expect(stack.shape == [2, 64, 64])
        #expect(try stack.read().typed(as: UInt16.self)?.elements == ContiguousArray(planes.flatMap(\.elements)))
        let image = try OMEZarrImage.open(path: "\(folder)/pkg/images/rgb")
        #expect(image.axes.map(\.name) == ["c", "y", "x"])
        let pixels = try #require(image.read().typed(as: UInt8.self))
        #expect(pixels.shape == [3, 64, 64])
        #expect(pixels[[1, 2, 3]] == rgb[(2 * 64 + 3) * 3 + 1])
        #expect(try image.openLabel("set1").read().typed(as: UInt16.self) == (try IngestFixtures.mask(1)))
    }

    @Test func archiveStyleFileMetadataWithPaths() throws {
        // As the BioImage Archive's examples: annotation_id and source_image_id are paths from a
        // folder above the one given as the source.
        let folder = try temporaryFolder()
        let source = "\(folder)/dataset"
        var files = ""
        for index in 0..<2 {
            try IngestFixtures.writeImage(index, "\(source)/rawimages/Neuroblastoma_\(index).tif")
            try IngestFixtures.writeMask(index, "\(source)/groundtruth/Neuroblastoma_\(index).tif")
            files += "      - annotation_id: dataset/groundtruth/Neuroblastoma_\(index).tif\n        annotation_type: segmentation_mask\n        source_image_id: dataset/rawimages/Neuroblastoma_\(index).tif\n"
        }
        files += "      - annotation_id: dataset/groundtruth/Neuroblastoma_9.tif\n        annotation_type: segmentation_mask\n        source_image_id: dataset/rawimages/Neuroblastoma_9.tif\n"
        let sets = [IngestFixtures.set(overview: "Masks", types: ["segmentation_mask"], indicator: "metadata_file", files: files)]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.images == 2)
        #expect(summary.labelImages == 2)
        #expect(summary.unmatched.map(\.pointer) == ["/annotations/0/file_metadata/2/annotation_id"])
        let image = try OMEZarrImage.open(path: "\(folder)/pkg/images/Neuroblastoma_1")
        #expect(try image.openLabel("set1").read().typed(as: UInt16.self) == (try IngestFixtures.mask(1)))
        let stored = try MetadataReader.read(contentsOf: "\(folder)/pkg/mifa.json").document
        #expect(stored.annotations?[0].fileMetadata?.map(\.sourceImageID) == ["Neuroblastoma_0", "Neuroblastoma_1", "dataset/rawimages/Neuroblastoma_9.tif"])
    }

    @Test func unmatchedUnderMetadataFileIndicatorIsReported() throws {
        let folder = try temporaryFolder()
        let source = "\(folder)/source"
        try IngestFixtures.writeImage(0, "\(source)/img0.tif")
        try IngestFixtures.write(IngestFixtures.geojson(0, idPrefix: "a"), "\(source)/img0.geojson")
        let sets = [IngestFixtures.set(overview: "Outlines", types: ["geometrical_annotations"], indicator: "metadata_file")]
        try IngestFixtures.write(IngestFixtures.metadata(sets: sets), "\(folder)/mifa.yaml")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.unmatched.map(\.file) == ["img0.geojson"])
        #expect(summary.annotationSets.isEmpty)
    }

    @Test func badInputLeavesNothing() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder)
        func expectFailure(_ code: PackageError.Code, metadata: String = "\(folder)/mifa.yaml", fileList: String? = nil, _ message: String) {
            do {
                _ = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: metadata, fileList: fileList).run()
                Issue.record("packing succeeded; expected \(message)")
            } catch let error as PackageError {
                #expect(error.kind == code)
                #expect(error.message.contains(message), "\(error.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/pkg"))
            #expect(try! FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }.isEmpty)
        }
        // Metadata that does not validate: every error listed.
        try IngestFixtures.write("study:\n  title: x\nannotations: []\n", "\(folder)/bad.yaml")
        expectFailure(.invalidMetadata, metadata: "\(folder)/bad.yaml", "description")
        // A file list naming a missing file.
        try IngestFixtures.write("Files\tSource image\nraw/missing.png\traw/img0.tif\n", "\(folder)/missing.tsv")
        expectFailure(.invalidInput, fileList: "\(folder)/missing.tsv", "raw/missing.png")
        // Two annotations with one id.
        try IngestFixtures.write(IngestFixtures.coco([0, 1], duplicateID: true), "\(source)/boxes.json")
        expectFailure(.invalidInput, "used twice")
        try IngestFixtures.write(IngestFixtures.coco([0, 1, 2]), "\(source)/boxes.json")
        // A mask of another size, and an image that cannot be read: both reported at once.
        let small = try NDArray<UInt16>(shape: [32, 32], elements: [UInt16](repeating: 1, count: 32 * 32))
        try RasterFile.write(try RasterImage(array: AnyNDArray(small), axes: "YX"), to: "\(source)/raw/img2_mask.png")
        try IngestFixtures.write("not a tiff", "\(source)/raw/img1.tif")
        expectFailure(.invalidInput, "raw/img1.tif")
        expectFailure(.invalidInput, "raw/img2_mask.png: the mask is 32x32 but its image 'img2' is 64x64")
    }

    @Test func fileListHeadersAndQuoting() throws {
        let list = try SourceFileList(bytes: Array("\u{FEFF}FILES,Source_Image,\"Annotation  type\",\"note, with comma\"\n\"a b.png\",\"x.tif\",mask,\"say \"\"hi\"\"\"\r\n\nc.png,,,\n".utf8), file: "l.csv")
        #expect(list.rows.count == 2)
        #expect(list.rows[0].path == "a b.png")
        #expect(list.rows[0].sourceImage == "x.tif")
        #expect(list.rows[0].annotationType == "mask")
        #expect(list.rows[0].attributes == [SourceFileList.Attribute(name: "note, with comma", value: "say \"hi\"")])
        #expect(list.rows[1].line == 4)
        #expect(list.rows[1].sourceImage == nil)
        #expect(throws: PackageError.self) { try SourceFileList(bytes: Array("Name\tType\na\tb\n".utf8), file: "l.tsv") }
        #expect(throws: PackageError.self) { try SourceFileList(bytes: Array("Files\na\na\n".utf8), file: "l.tsv") }
        #expect(throws: PackageError.self) { try SourceFileList(bytes: Array("Files\n../a\n".utf8), file: "l.tsv") }
    }

    @Test func progressLine() {
        #expect(ProgressReporter.line(done: 5, total: 10, unit: "images", seconds: 1, width: 10) == "[#####.....]  5/10 images  5.0/s")
        let silent = ProgressReporter(total: 3, unit: "images", enabled: false)
        silent.advance()
        silent.finish()
        #expect(!silent.isEnabled)
    }
}
