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
            #expect(try VectorSetReader(snapshot: PackageSnapshot(package: package), set: "cells").annotations(of: image) == document)
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
            ("kinds that add up to more", { $0.images[first.key]!.kinds = ["polygon": first.value.objects, "point": Int.random(in: 1...first.value.objects, using: &random)] }),
            ("kinds that add up to less", { $0.images[first.key]!.kinds = ["polygon": first.value.objects, "point": 0] }),
            ("a kind with more objects than the image", { $0.images[first.key]!.kinds = ["polygon": Int.random(in: first.value.objects + 1...Int.max, using: &random)] }),
            ("a nameless kind", { $0.images[first.key]!.kinds = ["": first.value.objects] }),
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

    /// A set's summary (per image, its objects of each kind) comes from the index with no further
    /// read; from an index written before kinds were counted, from the whole set (one read), the
    /// same summary; the next version rewrites such an index with its kinds and leaves the GeoJSON
    /// as it is (its `mifa.json` changes too, as in any version).
    @Test(arguments: 0..<6 as Range<UInt64>) func theSummaryComesFromTheIndexAndAnIndexWithoutKindsIsUpgraded(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let images = Int.random(in: 1...4, using: &random)
        var squares = Fixture.squares(images: images, using: &random)
        for index in squares.indices { squares[index].isPoint = Bool.random(using: &random) }
        var expected: [String: [String: Int]] = [:]
        for square in squares { expected[square.image, default: [:]][square.isPoint ? "point" : "polygon", default: 0] += 1 }
        let package = try Fixture.makePackage(in: try temporaryFolder("kinds-\(seed)"), images: images, squares: squares)
        func summary(_ package: DatasetPackage) throws -> (kinds: [String: [String: Int]], reads: [(key: String, range: ByteRange?)], countsKinds: Bool) {
            let counting = CountingStore(try DirectoryStore(root: package.root, readOnly: true))
            let set = try VectorSetReader(snapshot: PackageSnapshot(package: DatasetPackage.open(PackageReader(store: counting))), set: "cells")
            let before = counting.history.count
            let kinds = try set.objectKinds()
            return (kinds, Array(counting.history[before...]), set.index?.countsKinds ?? false)
        }
        let fresh = try summary(package)
        #expect(fresh.countsKinds && fresh.kinds == expected && fresh.reads.isEmpty, "seed \(seed): \(fresh.reads)")
        try Fixture.dropKinds(package)
        let old = try summary(package)
        #expect(!old.countsKinds && old.kinds == expected, "seed \(seed)")
        #expect(old.reads.map(\.key) == [PackageLayout.annotationFile("cells")] && old.reads.allSatisfy { $0.range == nil }, "one whole read: \(old.reads)")
        let before = try PackageAuditor().audit(package.root)
        #expect(!before.findings.contains { [.annotationIndexInvalid, .annotationIndexMissing].contains($0.code) }, "\(before.findings)")
        let record = try VersionMaker.make(VersionRequest(version: "2", changes: "count kinds", timestamp: "2026-02-01T00:00:00Z"), in: DatasetPackage.open(package.root))
        let files = record.changeSummary.files
        #expect(files.modified.contains(PackageLayout.annotationIndex("cells")) && !files.modified.contains(PackageLayout.annotationFile("cells")) && files.added.isEmpty, "\(files)")
        let upgraded = try summary(DatasetPackage.open(package.root))
        #expect(upgraded.countsKinds && upgraded.kinds == expected && upgraded.reads.isEmpty)
        // An index whose kinds do not match the set's objects is reported by the audit.
        let indexFile = PackageLayout.annotationIndex("cells")
        var index = try PackageJSON.decode(AnnotationIndex.self, from: package.reader.read(indexFile), file: indexFile)
        let image = index.images.keys.sorted()[0], objects = index.images[image]!.objects
        index.images[image]!.kinds = index.images[image]!.kinds == ["line": objects] ? ["point": objects] : ["line": objects]
        try AtomicFile.write(CanonicalJSON.encode(index), to: package.path(indexFile))
        let report = try PackageAuditor().audit(package.root)
        #expect(report.findings.contains { $0.code == .annotationIndexInvalid && $0.pointer == "/images/\(image)/kinds" }, "\(report.findings)")
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

    @Test func theKindsCountedAreTheOnesTheWrittenSetReadsAs() throws {
        // A mask is written as its traced outline: the index counts what a reader finds (one
        // outline: a polygon; two apart: a multipolygon), as the audit counts the set.
        var mask = NDArray<UInt8>(shape: [8, 8])
        for y in 1..<3 { for x in 1..<3 { mask[y, x] = 1 } }
        let one = try RLE(mask: mask)
        for y in 5..<7 { for x in 5..<7 { mask[y, x] = 1 } }
        let two = try RLE(mask: mask)
        let document = AnnotationDocument(images: [ImageReference(id: .string("a"))], annotations: [
            Annotation(id: .int(1), value: .mask(one)), Annotation(id: .int(2), value: .mask(two)),
            Annotation(id: .int(3), value: .box(BoundingBox(x: 0, y: 0, width: 2, height: 2))),
        ])
        let encoded = try AnnotationIndex.encode(document, file: "set.geojson")
        let index = try AnnotationIndex.decode(encoded.index, describing: ManifestEntry(sha256: SHA256Digest(of: encoded.geojson), bytes: encoded.geojson.count), file: "index.json")
        #expect(index.images["a"]?.kinds == ["polygon": 1, "multipolygon": 1, "box": 1])
        let read = try GeoJSONReader.read(bytes: encoded.geojson, file: "set.geojson")
        #expect(read.document.annotations.map(\.value.kindName).sorted() == ["box", "multipolygon", "polygon"])
    }

    @Test func aFutureFormatIsRefusedWithAClearError() throws {
        let package = try Fixture.makePackage(in: try temporaryFolder(), images: 1, squares: [])
        let future = String(decoding: DatasetPackage.rootGroupJSON, as: UTF8.self).replacingOccurrences(of: #""version": "2""#, with: #""version": "9""#)
        try writeFile(future, package.path(PackageLayout.rootGroup))
        #expect(try DatasetPackage.isPackage(at: package.root))
        do {
            _ = try DatasetPackage.open(package.root)
            Issue.record("format 9 opened")
        } catch let error as PackageError {
            #expect(error.kind == .notAPackage && error.message.contains("'9'") && error.context.pointer == "/attributes/mifa/version")
        }
    }
}
