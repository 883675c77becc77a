import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import OMEZarr
import Zarr

/// Packages for the audit and export tests, built in the test run with the core's
/// `DatasetPackage.create`: tiny OME-Zarr images from the OMEZarr writer, a GeoJSON set from
/// `GeoJSONWriter`, a label set, and metadata as canonical MIFA JSON.
enum AuditFixtures {
    static let annotator = #"{"author_first_name": "Ada", "author_last_name": "Lovelace", "orcid_id": "0000-0002-1825-0097"}"#

    /// A valid MIFA document for images `img1`, `img2` with annotation files on both.
    static func metadataJSON(license: String = "CC-BY-4.0", orcid: String = "0000-0002-1825-0097", extraImage: String? = nil) -> String {
        let images = (["img1", "img2"] + (extraImage.map { [$0] } ?? [])).map { #"{"id": "\#($0)", "path": "images/\#($0)"}"# }
        let files = ["img1", "img2"].map { #"{"annotation_id": "cells-\#($0)", "annotation_type": ["segmentation_mask"], "source_image_id": "\#($0)"}"# }
        return """
            {
              "study": {
                "title": "Tiny nuclei", "description": "Synthetic nuclei for testing nuclear segmentation.",
                "keywords": ["nucleus"], "license": "\(license)", "funding_statement": "None.",
                "link_url": ["https://example.org/tiny"],
                "authors": [{"author_first_name": "Josiah", "author_last_name": "Carberry", "orcid_id": "\(orcid)"}]
              },
              "images": [\(images.joined(separator: ", "))],
              "annotations": [{
                "annotation_overview": "Nuclei outlines", "annotation_type": ["segmentation_mask"],
                "annotation_method": "manual", "authors": [\(annotator)],
                "file_metadata": [\(files.joined(separator: ", "))]
              }],
              "version": {"version": "1", "timestamp": "2026-01-01T00:00:00Z"}
            }
            """
    }

    /// Writes a 16x24 uint16 OME-Zarr image (chunks 8x8) at `folder`, with a `nuclei` label when asked.
    static func writeImage(_ folder: String, seed: UInt16, label: Bool) throws {
        let store = try DirectoryStore(root: folder, create: true)
        let pixels = try NDArray<UInt16>(shape: [16, 24], elements: (0..<(16 * 24)).map { UInt16($0 % 97) &+ seed })
        let writer = try OMEZarrImageWriter(store: store, shape: [16, 24], dataType: .uint16, options: OMEZarrWriteOptions(levels: 2, chunks: [8, 8]))
        try writer.write(AnyNDArray(pixels))
        let image = try writer.finish()
        if label {
            var labels = NDArray<UInt8>(shape: [16, 24])
            for y in 2..<6 { for x in 3..<9 { labels[[y, x]] = 1 } }
            for y in 9..<14 { for x in 12..<20 { labels[[y, x]] = 2 } }
            try image.addLabel(name: "nuclei", AnyNDArray(labels))
        }
    }

    /// The `cells` set: one polygon on img1, two on img2.
    static func cells() -> AnnotationDocument {
        func square(_ x: Double, _ y: Double, _ image: String, _ id: Int64) -> Annotation {
            Annotation(id: .int(id), imageID: .string(image), value: .geometry(.polygon(Polygon(exterior: Ring(flat: [x, y, x + 4, y, x + 4, y + 4, x, y + 4, x, y])))))
        }
        return AnnotationDocument(
            images: [ImageReference(id: "img1", fileName: "images/img1", width: 24, height: 16), ImageReference(id: "img2", fileName: "images/img2", width: 24, height: 16)],
            annotations: [square(1, 1, "img1", 1), square(2, 2, "img2", 2), square(10, 8, "img2", 3)])
    }

    static func record(_ version: String, timestamp: String = "2026-01-01T00:00:00Z") -> (CommitContext) throws -> VersionRecord {
        { context in
            VersionRecord(
                version: version, timestamp: timestamp, changes: "first", previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0,
                creditedAnnotators: [Author(authorFirstName: "Ada", authorLastName: "Lovelace", orcidID: "0000-0002-1825-0097")],
                changeSummary: ChangeSummary(files: context.fileChanges))
        }
    }

    /// A clean package: img1 (with `nuclei` labels), img2, the `cells` GeoJSON set and mifa.json.
    static func makePackage(in folder: String, metadata: String = metadataJSON(), extra: (String) throws -> Void = { _ in }) throws -> DatasetPackage {
        try DatasetPackage.create(at: "\(folder)/pkg", build: { staging in
            try extra(staging)
            try writeImage("\(staging)/images/img1", seed: 1, label: true)
            try writeImage("\(staging)/images/img2", seed: 5, label: false)
            try FileManager.default.createDirectory(atPath: "\(staging)/annotations/cells", withIntermediateDirectories: true)
            try GeoJSONWriter.write(cells(), to: "\(staging)/\(PackageLayout.annotationFile("cells"))")
            let loaded = try MetadataReader.read(bytes: Array(metadata.utf8), format: .json, file: "mifa.json")
            try Data(try loaded.document.canonicalJSON()).write(to: URL(fileURLWithPath: "\(staging)/mifa.json"))
        }, makeRecord: record("1"))
    }

    /// Commits a second version that replaces a chunk of img2 (so version 1 needs a stored object).
    static func addVersion(_ package: DatasetPackage, _ version: String, timestamp: String, annotators: [Author]? = nil) throws {
        let transaction = try PackageTransaction(package: package)
        try transaction.stageCurrentContent()
        let chunk = "\(transaction.stagingRoot)/images/img2/0/c/0/0"
        try FileManager.default.removeItem(atPath: chunk)
        try Data("replaced-\(version)".utf8).write(to: URL(fileURLWithPath: chunk))
        _ = try transaction.commit { context in
            VersionRecord(
                version: version, timestamp: timestamp, changes: "edit", previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0,
                creditedAnnotators: annotators ?? context.previousRecord!.creditedAnnotators, changeSummary: ChangeSummary(files: context.fileChanges))
        }
    }
}
