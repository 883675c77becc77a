import Annotations
@testable import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import OMEZarr
import TestSupport
import Zarr

/// Random packages for the annotation index tests: images `img1` ... `imgN` (16x16) and one vector
/// set `cells` of random squares, each on a random image with a random class, in random order
/// (so the images' objects interleave in the source).
enum AnnotationIndexFixture {
    /// One object of the set.
    struct Square {
        var id: String
        var image: String
        var x: Int, y: Int
        var category: String?
        /// Drawn as a point at `(x, y)` instead of a square.
        var isPoint = false
    }

    /// Random objects on `images` images (some images may get none).
    static func squares(images: Int, using random: inout SeededGenerator) -> [Square] {
        (0..<Int.random(in: 1...30, using: &random)).map { index in
            Square(id: "o\(index)", image: "img\(Int.random(in: 1...images, using: &random))", x: Int.random(in: 0...10, using: &random),
                   y: Int.random(in: 0...10, using: &random), category: ["a", "b", "c", nil].randomElement(using: &random)!)
        }
    }

    /// The set's GeoJSON as a source tool writes it: objects in the given order, each naming its image.
    static func geojson(_ squares: [Square], images: Int) -> String {
        let listed = (1...images).map { #"{"id": "img\#($0)", "file_name": "images/img\#($0)", "width": 16, "height": 16}"# }
        let features = squares.map { square -> String in
            let (x, y) = (square.x, square.y)
            let ring = "[[\(x), \(y)], [\(x + 4), \(y)], [\(x + 4), \(y + 4)], [\(x), \(y + 4)], [\(x), \(y)]]"
            let geometry = square.isPoint ? #"{"type": "Point", "coordinates": [\#(x), \#(y)]}"# : #"{"type": "Polygon", "coordinates": [\#(ring)]}"#
            let classification = square.category.map { #", "classification": {"name": "\#($0)"}"# } ?? ""
            return #"{"type": "Feature", "id": "\#(square.id)", "geometry": \#(geometry), "properties": {"image_id": "\#(square.image)"\#(classification)}}"#
        }
        return #"{"type": "FeatureCollection", "mifa:images": [\#(listed.joined(separator: ", "))], "features": [\#(features.joined(separator: ",\n"))]}"#
    }

    /// A package at `<folder>/pkg` (format 2: `create` indexes the set) holding `squares` on `images` images.
    static func makePackage(in folder: String, images: Int, squares: [Square]) throws -> DatasetPackage {
        try DatasetPackage.create(at: "\(folder)/pkg", build: { staging in
            let loaded = try MetadataReader.read(bytes: Array(VersionFixture.metadata().utf8), format: .json, file: "mifa.json")
            try writeFile(String(decoding: try loaded.document.canonicalJSON(), as: UTF8.self), "\(staging)/mifa.json")
            for image in 1...images {
                let store = try DirectoryStore(root: "\(staging)/images/img\(image)", create: true)
                let writer = try OMEZarrImageWriter(store: store, shape: [16, 16], dataType: .uint8, options: OMEZarrWriteOptions(levels: 1, chunks: [16, 16]))
                try writer.write(AnyNDArray(NDArray<UInt8>(shape: [16, 16], repeating: UInt8(image))))
                _ = try writer.finish()
            }
            try writeFile(geojson(squares, images: images), "\(staging)/annotations/cells/annotations.geojson")
        }, makeRecord: { context in
            VersionRecord(
                version: "1", timestamp: "2026-01-01T00:00:00Z", changes: "First release.", previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0,
                creditedAnnotators: try MetadataReader.read(contentsOf: "\(context.stagingRoot)/mifa.json").document.creditedAnnotators,
                changeSummary: ChangeSummary(files: context.fileChanges))
        })
    }

    /// Turns a fresh one-version package into what format 1 wrote: no index, the set normalised in
    /// the order the source gave, `attributes.mifa.version` "1"; file list, record and manifest rewritten to match.
    static func downgradeToFormat1(_ package: DatasetPackage, squares: [Square], images: Int) throws {
        let root = package.root
        try FileManager.default.removeItem(atPath: "\(root)/\(PackageLayout.annotationIndex("cells"))")
        // As format 1 wrote it: the normalised GeoJSON, in the source's order.
        let source = try GeoJSONReader.read(bytes: Array(geojson(squares, images: images).utf8)).document
        try AtomicFile.write(try GeoJSONWriter.encode(source), to: "\(root)/\(PackageLayout.annotationFile("cells"))")
        let rootGroup = String(decoding: DatasetPackage.rootGroupJSON, as: UTF8.self).replacingOccurrences(of: #""version": "2""#, with: #""version": "1""#)
        try writeFile(rootGroup, "\(root)/\(PackageLayout.rootGroup)")
        try rewriteVersion1(package)
    }

    /// Turns a fresh one-version package's index into what format 2 wrote before indexes counted
    /// kinds (no `kinds`); file list, record and manifest rewritten to match.
    static func dropKinds(_ package: DatasetPackage) throws {
        let indexFile = PackageLayout.annotationIndex("cells")
        var index = try PackageJSON.decode(AnnotationIndex.self, from: package.reader.read(indexFile), file: indexFile)
        for image in index.images.keys { index.images[image]!.kinds = nil }
        try AtomicFile.write(CanonicalJSON.encode(index), to: package.path(indexFile))
        try rewriteVersion1(package)
    }

    /// Rewrites the file list, record and manifest of a one-version package to match its files as they are now.
    static func rewriteVersion1(_ package: DatasetPackage) throws {
        let root = package.root
        let list = try ContentScanner().fileList(of: root)
        _ = try package.objects.store(list.canonicalJSON())
        var record = try package.record("1").record
        // The format-2 file list is no version's any more.
        try FileManager.default.removeItem(atPath: package.path(PackageLayout.object(record.manifestSHA256)))
        record.manifestSHA256 = try list.digest()
        record.fileCount = list.files.count
        record.totalBytes = list.totalBytes
        record.changeSummary = ChangeSummary(files: FileChanges(added: list.paths))
        let recordBytes = try record.canonicalJSON()
        try AtomicFile.write(recordBytes, to: "\(root)/\(PackageLayout.versionRecord("1"))")
        try AtomicFile.write(try CanonicalJSON.encode(Manifest(version: "1", versionRecordSHA256: SHA256Digest(of: recordBytes), fileList: list)), to: "\(root)/\(PackageLayout.manifest)")
    }
}
