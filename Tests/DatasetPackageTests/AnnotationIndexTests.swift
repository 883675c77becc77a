import Annotations
@testable import DatasetPackage
import Foundation
import MIFACore
import Testing
import TestSupport
import Zarr

/// Per-image annotation access (package format 2): the set's GeoJSON grouped by image with an
/// index of byte ranges; one image read alone equals the whole set filtered to it; a hostile
/// index is refused; a format-1 package opens and is upgraded by its next version.
@Suite struct AnnotationIndexTests {
    typealias Fixture = AnnotationIndexFixture

    /// The whole set's objects on `image`, from the GeoJSON read whole (the definition a per-image read must meet).
    static func filtered(_ package: DatasetPackage, _ image: String) throws -> AnnotationDocument {
        let whole = try GeoJSONReader.read(bytes: package.reader.read(PackageLayout.annotationFile("cells")), file: "cells").document
        return VectorSetReader.only(image, of: whole)
    }

    @Test(arguments: 0..<8 as Range<UInt64>) func oneImageReadAloneEqualsTheWholeSetFiltered(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let images = Int.random(in: 1...5, using: &random)
        let squares = Fixture.squares(images: images, using: &random)
        let package = try Fixture.makePackage(in: try temporaryFolder("index-\(seed)"), images: images, squares: squares)
        #expect(try package.formatVersion() == PackageLayout.formatVersion)
        // Read through a store that counts: opening reads the index and the header, each image one range.
        let counting = CountingStore(try DirectoryStore(root: package.root, readOnly: true))
        let remote = try DatasetPackage.open(PackageReader(store: counting))
        let set = try VectorSetReader(snapshot: PackageSnapshot(package: remote), set: "cells")
        #expect(set.index != nil)
        #expect(set.imageIDs == Set(squares.map(\.image)).sorted())
        for image in (1...images).map({ "img\($0)" }) {
            let before = counting.count
            let document = try set.annotations(of: image)
            #expect(counting.count - before == (set.index!.images[image] == nil ? 0 : 1))
            #expect(document == (try Self.filtered(package, image)))
            // Independently of the reader: the source's objects on the image, in the source's order.
            #expect(document.annotations.map { $0.id?.description } == squares.filter { $0.image == image }.map(\.id))
            #expect(document.annotations.allSatisfy { $0.imageID == .string(image) })
            #expect(try package.vectorAnnotations(set: "cells", image: image) == document)
        }
        // The file is still one valid GeoJSON of every object, grouped by image.
        let whole = try GeoJSONReader.read(bytes: package.reader.read(PackageLayout.annotationFile("cells")), file: "cells").document
        #expect(Set(whole.annotations.compactMap { $0.id?.description }) == Set(squares.map(\.id)))
        let order = whole.annotations.map { AnnotationIndex.imageID(of: $0, in: whole)! }
        #expect(order == order.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }.flatMap { image in order.filter { $0 == image } })
        let report = try PackageAuditor().audit(package.root)
        #expect(!report.findings.contains { [.annotationIndexInvalid, .annotationIndexMissing, .formatOutdated].contains($0.code) })
    }

    /// Every way an index can lie about its file is refused before a byte is read through it.
    @Test(arguments: 0..<6 as Range<UInt64>) func hostileIndexesAreRefused(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let images = Int.random(in: 2...5, using: &random)
        var squares = Fixture.squares(images: images, using: &random)
        squares += [Fixture.Square(id: "x1", image: "img1", x: 1, y: 1, category: nil), Fixture.Square(id: "x2", image: "img2", x: 2, y: 2, category: "a")]
        let package = try Fixture.makePackage(in: try temporaryFolder("hostile-\(seed)"), images: images, squares: squares)
        let indexFile = PackageLayout.annotationIndex("cells")
        let file = try package.manifest().files[PackageLayout.annotationFile("cells")]!
        let good = try AnnotationIndex.decode(package.reader.read(indexFile), describing: file, file: indexFile)
        let ranges = good.images.sorted { $0.value.offset < $1.value.offset }
        let (first, second) = (ranges[0], ranges[1])
        let mutations: [(String, (inout AnnotationIndex) -> Void)] = [
            ("past the end", { $0.images[first.key]!.length = file.bytes - first.value.offset + Int.random(in: 1...1 << 40, using: &random) }),
            ("negative offset", { $0.images[first.key]!.offset = -Int.random(in: 1...1000, using: &random) }),
            ("inside the header", { $0.images[first.key]!.offset = Int.random(in: 0..<good.headerBytes, using: &random) }),
            ("overlapping", { $0.images[second.key]!.offset = first.value.offset + Int.random(in: 0..<first.value.length, using: &random) }),
            ("huge object count", { $0.images[first.key]!.objects = Int.random(in: first.value.length...Int.max, using: &random) }),
            ("unsafe image id", { $0.images["../\(first.key)"] = $0.images.removeValue(forKey: first.key) }),
            ("another file", { $0.file.bytes += 1 }),
            ("header past the end", { $0.headerBytes = file.bytes + Int.random(in: 1...1 << 40, using: &random) }),
        ]
        for (name, mutate) in mutations {
            var hostile = good
            mutate(&hostile)
            #expect(throws: PackageError.self, "\(name)") { try AnnotationIndex.decode(CanonicalJSON.encode(hostile), describing: file, file: indexFile) }
            do {
                try hostile.validate(describing: file, file: indexFile)
                Issue.record("\(name): accepted")
            } catch let error as PackageError {
                #expect(error.kind == .malformed && error.context.file == indexFile, "\(name)")
            }
        }
        // A range inside the file that holds another image's objects: refused when read, reported by the audit.
        var swapped = good
        swapped.images[first.key] = second.value
        swapped.images[second.key] = first.value
        let header = try package.reader.read(PackageLayout.annotationFile("cells"), offset: 0, length: good.headerBytes)
        let bytes = try package.reader.read(PackageLayout.annotationFile("cells"), offset: second.value.offset, length: second.value.length)
        #expect(throws: PackageError.self) { try VectorSetReader.indexed(first.key, entry: second.value, header: header, features: bytes, set: "cells") }
        try AtomicFile.write(CanonicalJSON.encode(swapped), to: package.path(indexFile))
        let report = try PackageAuditor().audit(package.root)
        #expect(report.findings.contains { $0.code == .annotationIndexInvalid && $0.path == indexFile })
    }

    @Test(arguments: 0..<4 as Range<UInt64>) func aFormat1PackageOpensAndItsNextVersionUpgradesIt(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let images = Int.random(in: 2...4, using: &random)
        let squares = Fixture.squares(images: images, using: &random)
        let package = try Fixture.makePackage(in: try temporaryFolder("v1-\(seed)"), images: images, squares: squares)
        try Fixture.downgradeToFormat1(package, squares: squares, images: images)
        let old = try DatasetPackage.open(package.root)
        #expect(try old.formatVersion() == "1")
        let before = try PackageAuditor().audit(package.root)
        #expect(before.verdict != "errors", "\(before.findings.filter { $0.severity == .error })")
        #expect(before.findings.contains { $0.code == .formatOutdated && $0.severity == .info })
        let set = try VectorSetReader(snapshot: PackageSnapshot(package: old), set: "cells")
        #expect(set.index == nil)
        var expected: [String: AnnotationDocument] = [:]
        for image in (1...images).map({ "img\($0)" }) {
            expected[image] = try set.annotations(of: image)
            #expect(expected[image] == (try Self.filtered(old, image)))
        }
        let record = try VersionMaker.make(VersionRequest(version: "2", changes: "Package format 2", timestamp: "2026-02-01T00:00:00Z"), in: old)
        let objectChanges = record.changeSummary.annotations.values.filter { !$0.isEmpty }
        #expect(objectChanges.isEmpty)
        #expect(record.changeSummary.files.added.contains(PackageLayout.annotationIndex("cells")))
        let upgraded = try DatasetPackage.open(package.root)
        #expect(try upgraded.formatVersion() == PackageLayout.formatVersion)
        let indexed = try VectorSetReader(snapshot: PackageSnapshot(package: upgraded), set: "cells")
        #expect(indexed.index != nil)
        for (image, document) in expected { #expect(try indexed.annotations(of: image) == document) }
        // The earlier version still reads (whole, as it was written), and the chain audits.
        let first = try VectorSetReader(snapshot: PackageSnapshot(package: upgraded, version: "1"), set: "cells")
        #expect(first.index == nil)
        let after = try PackageAuditor().audit(package.root)
        #expect(after.verdict != "errors", "\(after.findings.filter { $0.severity == .error })")
        #expect(!after.findings.contains { [.annotationIndexInvalid, .annotationIndexMissing, .formatOutdated].contains($0.code) })
    }

    @Test func aFutureFormatIsRefusedWithAClearError() throws {
        let package = try Fixture.makePackage(in: try temporaryFolder(), images: 1, squares: [])
        let future = String(decoding: DatasetPackage.rootGroupJSON, as: UTF8.self).replacingOccurrences(of: #""version": "2""#, with: #""version": "9""#)
        try writeFile(future, package.path(PackageLayout.rootGroup))
        #expect(DatasetPackage.isPackage(at: package.root))
        do {
            _ = try DatasetPackage.open(package.root)
            Issue.record("format 9 opened")
        } catch let error as PackageError {
            #expect(error.kind == .notAPackage && error.message.contains("'9'") && error.context.pointer == "/attributes/mifa/version")
        }
    }
}
