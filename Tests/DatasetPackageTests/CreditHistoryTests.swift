import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import OMEZarr
import Testing
import Zarr

/// A package whose annotation sets follow the packing convention (`set1` is annotations[0]): one
/// image, set1 (squares a, b, c) by Ada, set2 (squares p, q) by Josiah.
enum CreditFixture {
    static let mina = "Mina Okoye <0000-0002-7182-8185>"
    static let grace = "Grace Hopper <0000-0001-5109-3671>"

    static func metadata() -> String {
        func set(_ overview: String, _ who: (first: String, last: String, orcid: String)) -> String {
            #"{"annotation_overview": "\#(overview)", "annotation_type": ["geometrical_annotations"], "annotation_method": "Drawn by hand.", "authors": [{"author_first_name": "\#(who.first)", "author_last_name": "\#(who.last)", "orcid_id": "\#(who.orcid)", "role": ["data annotation"]}]}"#
        }
        return """
            {
              "study": {
                "title": "Test nuclei", "description": "Fluorescence images of nuclei for training nuclear segmentation.",
                "keywords": ["nucleus"], "license": "CC-BY-4.0", "funding_statement": "None.", "link_url": ["https://example.org"],
                "authors": [{"author_first_name": "Josiah", "author_last_name": "Carberry", "orcid_id": "0000-0002-1825-0097", "role": ["conceptualization"]}]
              },
              "images": [{"id": "img1", "path": "images/img1"}],
              "annotations": [\(set("Nuclei outlines", VersionFixture.ada)), \(set("Nuclei outlines, second reader", VersionFixture.josiah))],
              "version": {"version": "1", "timestamp": "2026-01-01T00:00:00Z", "changes": "First release."}
            }
            """
    }

    static func setDocument(_ shapes: [(id: String?, x: Double, y: Double, size: Double)]) throws -> String {
        var document = try GeoJSONReader.read(bytes: Array(VersionFixture.squares(shapes).utf8)).document
        document.images = [ImageReference(id: "img1", fileName: "images/img1", width: 32, height: 32)]
        return String(decoding: try GeoJSONWriter.encode(document), as: UTF8.self)
    }

    static func makePackage(in folder: String) throws -> DatasetPackage {
        try DatasetPackage.create(at: "\(folder)/pkg", build: { staging in
            let loaded = try MetadataReader.read(bytes: Array(metadata().utf8), format: .json, file: "mifa.json")
            try writeFile(String(decoding: try loaded.document.canonicalJSON(), as: UTF8.self), "\(staging)/mifa.json")
            let store = try DirectoryStore(root: "\(staging)/images/img1", create: true)
            let writer = try OMEZarrImageWriter(store: store, shape: [32, 32], dataType: .uint8, options: OMEZarrWriteOptions(levels: 1, chunks: [16, 16]))
            try writer.write(AnyNDArray(NDArray<UInt8>(shape: [32, 32], repeating: 7)))
            _ = try writer.finish()
            try writeFile(try setDocument([("a", 2, 2, 6), ("b", 12, 2, 6), ("c", 2, 12, 6)]), "\(staging)/annotations/set1/annotations.geojson")
            try writeFile(try setDocument([("p", 20, 20, 4), ("q", 26, 26, 4)]), "\(staging)/annotations/set2/annotations.geojson")
        }, makeRecord: { context in
            let document = try MetadataReader.read(contentsOf: "\(context.stagingRoot)/mifa.json").document
            return VersionRecord(
                version: "1", timestamp: "2026-01-01T00:00:00Z", changes: "First release.", previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0, creditedAnnotators: document.creditedAnnotators,
                changeSummary: ChangeSummary(files: context.fileChanges))
        })
    }

    /// Versions 2 (Grace moves a and adds d in set1) and 3 (Mina changes p and removes q in set2,
    /// Grace changes d in set1).
    static func makeHistory(in folder: String) throws -> DatasetPackage {
        let package = try makePackage(in: folder)
        let v2 = try VersionFixture.file(try setDocument([("a", 3, 2, 6), ("b", 12, 2, 6), ("c", 2, 12, 6), ("d", 20, 2, 5)]), named: "v2.geojson", in: folder)
        try VersionMaker.make(
            VersionRequest(version: "2", changes: "moved a, added d", edits: [.setAnnotations(set: "set1", file: v2)],
                           annotators: [try AnnotatorCredit.parseGrant(grace)], timestamp: "2026-01-02T00:00:00Z"),
            in: package)
        let v3set1 = try VersionFixture.file(try setDocument([("a", 3, 2, 6), ("b", 12, 2, 6), ("c", 2, 12, 6), ("d", 21, 2, 5)]), named: "v3-1.geojson", in: folder)
        let v3set2 = try VersionFixture.file(try setDocument([("p", 19, 20, 5)]), named: "v3-2.geojson", in: folder)
        try VersionMaker.make(
            VersionRequest(version: "3", changes: "second reading", edits: [.setAnnotations(set: "set1", file: v3set1), .setAnnotations(set: "set2", file: v3set2)],
                           annotators: [try AnnotatorCredit.parseGrant("\(mina)=set2", roles: ["validation"]), try AnnotatorCredit.parseGrant("\(grace)=set1")],
                           timestamp: "2026-01-03T00:00:00Z"),
            in: package)
        return package
    }
}

@Suite struct CreditHistoryTests {
    @Test func annotatorsAreCreditedOnTheSetsTheyChangedOnly() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makeHistory(in: folder)
        let second = try package.record("2").record
        #expect(second.setCredits?.mapValues { $0.map(\.authorLastName) } == ["set1": ["Hopper"]])
        let third = try package.record("3").record
        #expect(third.setCredits?.mapValues { $0.map(\.authorLastName) } == ["set1": ["Hopper"], "set2": ["Okoye"]])
        #expect(third.setCredits?["set2"]?.first?.role == ["Validation"])
        let metadata = try MetadataReader.read(contentsOf: package.path("mifa.json")).document
        #expect(metadata.annotations?.map { ($0.authors ?? []).map { $0.authorLastName ?? "" } } == [["Lindqvist", "Hopper"], ["Carberry", "Okoye"]])
        #expect(third.creditedAnnotators.map(\.authorLastName) == ["Lindqvist", "Carberry", "Hopper", "Okoye"])
        #expect(try PackageAuditor().audit(package.root).findings.filter { $0.severity == .error }.isEmpty)
    }

    @Test func creditsReportWhoCreatedAndChangedWhatComputedFromTheVersions() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makeHistory(in: folder)
        let history = try package.creditHistory()
        #expect(history.version == "3")
        #expect(history.objects["set1"] == [
            "a": ObjectProvenance(createdIn: "1", lastChangedIn: "2"), "b": ObjectProvenance(createdIn: "1", lastChangedIn: "1"),
            "c": ObjectProvenance(createdIn: "1", lastChangedIn: "1"), "d": ObjectProvenance(createdIn: "2", lastChangedIn: "3"),
        ])
        #expect(history.objects["set2"] == ["p": ObjectProvenance(createdIn: "1", lastChangedIn: "3")])
        #expect(history.versions.map(\.derived) == [true, false, false])
        let people = Dictionary(uniqueKeysWithValues: history.people.map { ($0.name, $0) })
        typealias C = PersonCredit.Contribution
        #expect(people["Ada Lindqvist"]?.contributions == [C(version: "1", set: "set1", created: 3, changed: 0, removed: 0)])
        #expect(people["Josiah Carberry"]?.contributions == [C(version: "1", set: "set2", created: 2, changed: 0, removed: 0)])
        #expect(people["Grace Hopper"]?.contributions == [
            C(version: "2", set: "set1", created: 1, changed: 1, removed: 0), C(version: "3", set: "set1", created: 0, changed: 1, removed: 0),
        ])
        #expect(people["Mina Okoye"]?.contributions == [C(version: "3", set: "set2", created: 0, changed: 1, removed: 1)])
        #expect(people["Mina Okoye"]?.sets == ["set2"])
        #expect(people["Mina Okoye"]?.orcid == "0000-0002-7182-8185")
        #expect(people["Mina Okoye"]?.roles == ["Validation"])
        #expect(people["Grace Hopper"]?.sets == ["set1"])

        let earlier = try package.creditHistory(upTo: "2")
        #expect(earlier.objects["set2"]?.keys.sorted() == ["p", "q"])
        #expect(earlier.people.map(\.name) == ["Ada Lindqvist", "Josiah Carberry", "Grace Hopper"])
        #expect(throws: PackageError.self) { try package.creditHistory(upTo: "9") }
    }

    @Test func creditNamingNoSetOrAnUnchangedOrUndeclaredSetIsRefused() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makeHistory(in: folder)
        let before = try VersionFixture.snapshot(package.root)
        let both1 = try VersionFixture.file(try CreditFixture.setDocument([("a", 4, 2, 6)]), named: "b1.geojson", in: folder)
        let both2 = try VersionFixture.file(try CreditFixture.setDocument([("p", 18, 20, 5)]), named: "b2.geojson", in: folder)
        let edits: [VersionEdit] = [.setAnnotations(set: "set1", file: both1), .setAnnotations(set: "set2", file: both2)]
        func refusal(_ grant: String, edits: [VersionEdit]) throws -> String {
            do {
                try VersionMaker.make(VersionRequest(version: "4", changes: "x", edits: edits, annotators: [try AnnotatorCredit.parseGrant(grant)], timestamp: "2026-01-04T00:00:00Z"), in: package)
            } catch let error as PackageError {
                #expect(error.kind == .invalidArgument)
                return error.message
            }
            Issue.record("\(grant) was accepted")
            return ""
        }
        #expect(try refusal("Alan Turing", edits: edits).contains("changes 2 annotation sets (set1, set2)"))
        #expect(try refusal("Alan Turing", edits: []).contains("no annotation object"))
        #expect(try refusal("Alan Turing=set2", edits: [edits[0]]).contains("does not change"))
        let extra = try VersionFixture.file(try CreditFixture.setDocument([("z", 4, 2, 6)]), named: "z.geojson", in: folder)
        #expect(try refusal("Alan Turing=extra", edits: [.setAnnotations(set: "extra", file: extra)]).contains("does not declare"))
        expectUnchanged(package, before)
        #expect(throws: PackageError.self) { try AnnotatorCredit.parseGrant("Alan Turing=../x") }
    }

    @Test func rolesComeFromTheControlledVocabulary() throws {
        #expect(try AnnotatorCredit.parseRoles(["validation", "data_curator", "Writing – review & editing", "annotation"]) == ["Validation", "DataCurator", "Writing - review & editing", "data annotation"])
        #expect(throws: PackageError.self) { try AnnotatorCredit.parseRoles(["drawing things"]) }
        #expect(ContributorRole(parsing: "data annotation")?.dataCiteType == "DataCurator")
        #expect(ContributorRole(parsing: "data annotation")?.creditRole == "Data curation")
        #expect(ContributorRole.dataCiteType(of: "made coffee") == "Other")
    }

    @Test func editedAttributionIsAnAuditFinding() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makeHistory(in: folder)
        // Move Mina's credit from set2 to set1 (which version 3 also changes) and to an unchanged set:
        // the record, then the manifest's record digest, are rewritten so that only the attribution is wrong.
        var record = try package.record("3").record
        record.setCredits = ["set1": record.setCredits!["set2"]!, "set9": record.setCredits!["set1"]!]
        let bytes = try record.canonicalJSON()
        try Data(bytes).write(to: URL(fileURLWithPath: package.path("versions/3.json")))
        var manifest = try package.manifest()
        manifest.versionRecordSHA256 = SHA256Digest(of: bytes)
        try Data(try CanonicalJSON.encode(manifest)).write(to: URL(fileURLWithPath: package.path("manifest.json")))
        let errors = try PackageAuditor().audit(package.root).findings.filter { $0.severity == .error }
        #expect(errors.map(\.code) == [.creditSetMismatch, .creditSetMismatch])
        #expect(errors.map(\.pointer) == ["/set_credits/set1/0", "/set_credits/set9"])
    }

    /// A package whose later version was made the way the current main branch makes versions (no
    /// `set_credits`; the new annotator added to every set) opens, audits clean, and reports credit
    /// derived from the metadata.
    @Test func packagesWithoutSetCreditsStillAuditCleanAndReportDerivedCredit() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makePackage(in: folder)
        let v2 = try VersionFixture.file(try CreditFixture.setDocument([("a", 3, 2, 6), ("b", 12, 2, 6), ("c", 2, 12, 6)]), named: "v2.geojson", in: folder)
        let transaction = try PackageTransaction(package: package)
        try transaction.stageCurrentContent()
        try? FileManager.default.removeItem(atPath: "\(transaction.stagingRoot)/annotations/set1/annotations.geojson")
        try FileManager.default.copyItem(atPath: v2, toPath: "\(transaction.stagingRoot)/annotations/set1/annotations.geojson")
        var document = try MetadataReader.read(contentsOf: package.path("mifa.json")).document
        let grace = try AnnotatorCredit.parseAnnotator("Grace Hopper")
        document.annotations = document.annotations?.map { set in var set = set; set.authors = (set.authors ?? []) + [grace]; return set }
        document.version = VersionMetadata(version: "2", timestamp: "2026-01-02T00:00:00Z", changes: "moved a", previousVersion: "1")
        try FileManager.default.removeItem(atPath: "\(transaction.stagingRoot)/mifa.json")
        try Data(try document.canonicalJSON()).write(to: URL(fileURLWithPath: "\(transaction.stagingRoot)/mifa.json"))
        _ = try transaction.commit { context in
            VersionRecord(
                version: "2", timestamp: "2026-01-02T00:00:00Z", changes: "moved a", previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0, creditedAnnotators: document.creditedAnnotators,
                changeSummary: ChangeSummary(files: context.fileChanges, annotations: ["set1": ObjectChanges(changed: ["a"])]))
        }
        #expect(!String(decoding: try Data(contentsOf: URL(fileURLWithPath: package.path("versions/2.json"))), as: UTF8.self).contains("set_credits"))
        let reopened = try DatasetPackage.open(package.root)
        #expect(try PackageAuditor().audit(reopened.root).findings.filter { $0.severity == .error }.isEmpty)
        let history = try reopened.creditHistory()
        #expect(history.versions.map(\.derived) == [true, true])
        #expect(history.versions[1].sets["set1"] == SetCredit(credited: [grace], created: 0, changed: 1, removed: 0))
        #expect(history.versions[1].sets["set2"] == SetCredit(credited: [grace], created: 0, changed: 0, removed: 0))
    }

    @Test func citationsNameEveryCreditedPersonWithORCIDRoleLicenseAndPreviousVersions() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makeHistory(in: folder)
        let citation = try PackageCitation(try PackageSnapshot(package: package))
        #expect(citation.creators.map(\.authorLastName) == ["Carberry", "Lindqvist", "Hopper", "Okoye"])
        let cff = citation.cff()
        for orcid in ["0000-0002-1825-0097", "0000-0002-9079-593X", "0000-0001-5109-3671", "0000-0002-7182-8185"] {
            #expect(cff.contains("orcid: \"https://orcid.org/\(orcid)\""), "\(orcid)")
        }
        #expect(cff.contains("license: \"CC-BY-4.0\""))
        #expect(cff.contains("version: \"3\""))
        let first = try package.record("1").sha256.hex
        #expect(cff.contains("value: \"sha256:\(first)\""))
        let dataCite = citation.dataCite()
        let contributors = dataCite["contributors"]?.arrayValue ?? []
        let pairs = Set(contributors.map { "\($0["name"]?.stringValue ?? "") \($0["contributorType"]?.stringValue ?? "")" })
        #expect(pairs == ["Carberry, Josiah DataCurator", "Carberry, Josiah Other", "Lindqvist, Ada DataCurator", "Hopper, Grace DataCurator", "Okoye, Mina Researcher"])
        #expect(dataCite["rightsList"]?[0]?["rightsIdentifier"]?.stringValue == "CC-BY-4.0")
        let croissant = try CroissantExport.document(try PackageSnapshot(package: package))
        #expect(croissant["creator"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Josiah Carberry", "Ada Lindqvist", "Grace Hopper", "Mina Okoye"])
    }
}
