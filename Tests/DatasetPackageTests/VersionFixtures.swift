import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import OMEZarr
import Zarr

/// Builds small packages for the version and diff tests: one 32x32 OME-Zarr image `img1` with a
/// label image `cells` (values 1, 2, 3), a vector set `nuclei` of three squares with ids a, b, c,
/// and metadata crediting two annotators.
enum VersionFixture {
    static let ada = (first: "Ada", last: "Lindqvist", orcid: "0000-0002-9079-593X")
    static let josiah = (first: "Josiah", last: "Carberry", orcid: "0000-0002-1825-0097")
    static let grace = (first: "Grace", last: "Hopper", orcid: "0000-0001-5109-3671")

    /// A valid combined metadata document whose one annotation set is credited to `annotators`.
    static func metadata(annotators: [(first: String, last: String, orcid: String)] = [ada, josiah], overview: String = "Nuclei outlines and cell masks") -> String {
        let authors = annotators.map { #"{"author_first_name": "\#($0.first)", "author_last_name": "\#($0.last)", "orcid_id": "\#($0.orcid)"}"# }
        return """
            {
              "study": {
                "title": "Test nuclei", "description": "Fluorescence images of nuclei for training nuclear segmentation.",
                "keywords": ["nucleus"], "license": "CC-BY-4.0", "funding_statement": "None.", "link_url": ["https://example.org"]
              },
              "images": [{"id": "img1", "path": "images/img1"}],
              "annotations": [{
                "annotation_overview": "\(overview)", "annotation_type": ["geometrical_annotations", "segmentation_mask"],
                "annotation_method": "Drawn by hand.", "authors": [\(authors.joined(separator: ", "))]
              }],
              "version": {"version": "1", "timestamp": "2026-01-01T00:00:00Z", "changes": "First release."}
            }
            """
    }

    /// A GeoJSON FeatureCollection of squares `(id, x, y, size)` (id `nil`: no id).
    static func squares(_ shapes: [(id: String?, x: Double, y: Double, size: Double)]) -> String {
        let features = shapes.map { shape -> String in
            let (x, y, s) = (shape.x, shape.y, shape.size)
            let ring = "[[\(x), \(y)], [\(x), \(y + s)], [\(x + s), \(y + s)], [\(x + s), \(y)], [\(x), \(y)]]"
            let id = shape.id.map { #""id": "\#($0)", "# } ?? ""
            return #"{"type": "Feature", \#(id)"geometry": {"type": "Polygon", "coordinates": [\#(ring)]}, "properties": {"objectType": "annotation"}}"#
        }
        return #"{"type": "FeatureCollection", "features": [\#(features.joined(separator: ", "))]}"#
    }

    static let firstSquares: [(id: String?, x: Double, y: Double, size: Double)] = [("a", 2, 2, 6), ("b", 12, 2, 6), ("c", 2, 12, 6)]

    /// Label values: 1 in rows 0..<4, 2 in rows 10..<14, 3 in rows 20..<24 (columns 0..<8).
    static func cells(growTwo: Bool = false, dropThree: Bool = false, addFour: Bool = false) throws -> AnyNDArray {
        var labels = NDArray<UInt16>(shape: [32, 32], repeating: 0)
        for x in 0..<8 {
            for y in 0..<4 { labels[y, x] = 1 }
            for y in 10..<(growTwo ? 16 : 14) { labels[y, x] = 2 }
            if !dropThree { for y in 20..<24 { labels[y, x] = 3 } }
            if addFour { for y in 28..<30 { labels[y, x + 16] = 4 } }
        }
        return AnyNDArray(labels)
    }

    /// Writes the label image `cells` of `img1` under a package or staging root, replacing any.
    static func writeCells(_ labels: AnyNDArray, root: String) throws {
        let store = try DirectoryStore(root: "\(root)/images/img1")
        let image = try OMEZarrImage.open(store)
        try image.addLabel(name: "cells", labels, options: OMEZarrWriteOptions(levels: 1, chunks: [16, 16], overwrite: true))
    }

    /// A package at `<folder>/pkg` as version 1.
    static func makePackage(in folder: String, squares: [(id: String?, x: Double, y: Double, size: Double)] = firstSquares) throws -> DatasetPackage {
        try DatasetPackage.create(at: "\(folder)/pkg", build: { staging in
            let loaded = try MetadataReader.read(bytes: Array(metadata().utf8), format: .json, file: "mifa.json")
            try writeFile(String(decoding: try loaded.document.canonicalJSON(), as: UTF8.self), "\(staging)/mifa.json")
            let store = try DirectoryStore(root: "\(staging)/images/img1", create: true)
            var pixels = NDArray<UInt8>(shape: [32, 32], repeating: 0)
            for y in 0..<32 { for x in 0..<32 { pixels[y, x] = UInt8((x * 7 + y * 3) % 251) } }
            let writer = try OMEZarrImageWriter(store: store, shape: [32, 32], dataType: .uint8, options: OMEZarrWriteOptions(levels: 1, chunks: [16, 16]))
            try writer.write(AnyNDArray(pixels))
            _ = try writer.finish()
            try writeCells(try cells(), root: staging)
            var document = try GeoJSONReader.read(bytes: Array(self.squares(squares).utf8)).document
            document.images = [ImageReference(id: "img1", fileName: "images/img1", width: 32, height: 32)]
            try writeFile(String(decoding: try GeoJSONWriter.encode(document), as: UTF8.self), "\(staging)/annotations/nuclei/annotations.geojson")
        }, makeRecord: { context in
            let document = try MetadataReader.read(contentsOf: "\(context.stagingRoot)/mifa.json").document
            return VersionRecord(
                version: "1", timestamp: "2026-01-01T00:00:00Z", changes: "First release.", previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0, creditedAnnotators: document.creditedAnnotators,
                changeSummary: ChangeSummary(files: context.fileChanges))
        })
    }

    /// Writes text to a new file in `folder` and returns its path.
    static func file(_ text: String, named name: String, in folder: String) throws -> String {
        let path = "\(folder)/inputs/\(name)"
        try writeFile(text, path)
        return path
    }

    /// Every file under the package root with its bytes (history included, the empty writers' lock
    /// file `.mifa-lock` left out), to prove a refused change left the package as it was.
    static func snapshot(_ root: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if relative == ".mifa-lock" { continue }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(root)/\(relative)", isDirectory: &isDirectory)
            if !isDirectory.boolValue { result[relative] = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(relative)")) }
        }
        return result
    }
}
