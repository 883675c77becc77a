import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import Testing

/// Records a test issue naming every file that differs from the snapshot `before`.
func expectUnchanged(_ package: DatasetPackage, _ before: [String: Data], sourceLocation: SourceLocation = #_sourceLocation) {
    guard let after = try? VersionFixture.snapshot(package.root) else {
        Issue.record("cannot read the package", sourceLocation: sourceLocation)
        return
    }
    let differing = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
    #expect(differing.isEmpty, "changed: \(differing)", sourceLocation: sourceLocation)
}

@Suite struct VersionMakerTests {
    /// Three versions after the first: each record lists exactly its edits, credit accumulates, and
    /// every version restores bit for bit to its recorded file list.
    @Test func threeVersionsRecordExactlyTheEditsAndRestoreBitForBit() throws {
        let folder = try temporaryFolder()
        let package = try VersionFixture.makePackage(in: folder)

        // Version 2: move a, delete b, add d.
        let moved = try VersionFixture.file(VersionFixture.squares([("a", 3, 2, 6), ("c", 2, 12, 6), ("d", 20, 20, 5)]), named: "v2.geojson", in: folder)
        let second = try VersionMaker.make(
            VersionRequest(version: "2", changes: "move a, delete b, add d", edits: [.setAnnotations(set: "nuclei", file: moved)], timestamp: "2026-01-02T00:00:00Z"),
            in: package)
        #expect(second.previousVersion == "1")
        #expect(second.changeSummary.files == FileChanges(modified: ["annotations/nuclei/annotations.geojson", "annotations/nuclei/index.json", "mifa.json"]))
        #expect(second.changeSummary.annotations == ["nuclei": ObjectChanges(added: ["d"], removed: ["b"], changed: ["a"])])
        #expect(second.creditedAnnotators.map(\.orcidID) == [VersionFixture.ada.orcid, VersionFixture.josiah.orcid])

        // Version 3: new metadata with a new annotator, a label edit (2 grows, 3 goes, 4 comes).
        let newMetadata = try VersionFixture.file(
            VersionFixture.metadata(annotators: [VersionFixture.ada, VersionFixture.josiah, VersionFixture.grace], overview: "Nuclei outlines and cell masks, reviewed"),
            named: "v3.json", in: folder)
        let relabel = VersionEdit.custom { staging in
            try VersionFixture.writeCells(try VersionFixture.cells(growTwo: true, dropThree: true, addFour: true), root: staging.root)
        }
        let third = try VersionMaker.make(
            VersionRequest(version: "3", changes: "review", edits: [.replaceMetadata(file: newMetadata), relabel], timestamp: "2026-01-03T00:00:00Z"),
            in: package)
        #expect(third.changeSummary.annotations == ["cells": ObjectChanges(added: ["img1:4"], removed: ["img1:3"], changed: ["img1:2"])])
        // Only mifa.json and the label image's files changed (a chunk that held only zeros before is added).
        let thirdFiles = third.changeSummary.files
        #expect(thirdFiles.modified.contains("mifa.json"))
        #expect((thirdFiles.added + thirdFiles.removed + thirdFiles.modified).allSatisfy { $0 == "mifa.json" || $0.hasPrefix("images/img1/labels/cells/") })
        #expect(third.creditedAnnotators.map(\.authorLastName) == ["Lindqvist", "Carberry", "Hopper"])
        let metadata = try MetadataReader.read(contentsOf: package.path("mifa.json")).document
        #expect(metadata.version == VersionMetadata(version: "3", timestamp: "2026-01-03T00:00:00Z", changes: "review", previousVersion: "2"))
        #expect(metadata.annotations?.first?.annotationOverview == "Nuclei outlines and cell masks, reviewed")
        #expect(metadata.creditedAnnotators.map(\.authorLastName) == ["Lindqvist", "Carberry", "Hopper"])

        // Version 4: remove the vector set.
        let fourth = try VersionMaker.make(
            VersionRequest(version: "4", changes: "drop nuclei", edits: [.removeAnnotations(set: "nuclei")], timestamp: "2026-01-04T00:00:00Z"), in: package)
        #expect(fourth.changeSummary.files.removed == ["annotations/nuclei/annotations.geojson", "annotations/nuclei/index.json"])
        #expect(fourth.changeSummary.annotations == ["nuclei": ObjectChanges(removed: ["a", "c", "d"])])
        #expect(!FileManager.default.fileExists(atPath: package.path("annotations/nuclei")))

        #expect(try package.lineage().map(\.version) == ["1", "2", "3", "4"])
        for version in ["1", "2", "3", "4"] {
            let out = "\(folder)/restored-\(version)"
            try package.restore(version: version, to: out)
            let restored = try ContentScanner().fileList(of: out)
            #expect(restored == (try package.fileList(of: version)), "version \(version)")
            #expect(try restored.digest() == (try package.record(version).record.manifestSHA256), "version \(version)")
        }
    }

    @Test func droppingAnAnnotatorIsRefusedUnlessForcedAndThenRecorded() throws {
        let folder = try temporaryFolder()
        let package = try VersionFixture.makePackage(in: folder)
        let before = try VersionFixture.snapshot(package.root)
        let onlyAda = try VersionFixture.file(VersionFixture.metadata(annotators: [VersionFixture.ada]), named: "ada.json", in: folder)
        do {
            try VersionMaker.make(VersionRequest(version: "2", changes: "metadata", edits: [.replaceMetadata(file: onlyAda)], timestamp: "2026-01-02T00:00:00Z"), in: package)
            Issue.record("dropping Josiah Carberry was accepted")
        } catch let error as PackageError {
            #expect(error.kind == .creditRemoved)
            #expect(error.message.contains("Josiah Carberry"))
        }
        expectUnchanged(package, before)

        let record = try VersionMaker.make(
            VersionRequest(version: "2", changes: "metadata", edits: [.replaceMetadata(file: onlyAda)], force: true, reason: "asked to be removed", timestamp: "2026-01-02T00:00:00Z"),
            in: package)
        #expect(record.creditedAnnotators.map(\.authorLastName) == ["Lindqvist"])
        #expect(record.creditRemoved.map(\.annotator.orcidID) == [VersionFixture.josiah.orcid])
        #expect(record.creditRemoved.first?.reason == "asked to be removed")

        // An explicit removal by ORCID iD takes the person out of mifa.json too, and needs --force.
        #expect(throws: PackageError.self) {
            try VersionMaker.make(VersionRequest(version: "3", changes: "x", creditRemovals: [VersionFixture.ada.orcid], timestamp: "2026-01-03T00:00:00Z"), in: package)
        }
        let adaAndGrace = try VersionFixture.file(VersionFixture.metadata(annotators: [VersionFixture.ada, VersionFixture.grace]), named: "grace.json", in: folder)
        let third = try VersionMaker.make(
            VersionRequest(version: "3", changes: "x", edits: [.replaceMetadata(file: adaAndGrace)], creditRemovals: ["https://orcid.org/\(VersionFixture.ada.orcid)"],
                           force: true, reason: "duplicate entry", timestamp: "2026-01-03T00:00:00Z"),
            in: package)
        #expect(third.creditedAnnotators.map(\.authorLastName) == ["Hopper"])
        #expect(third.creditRemoved.map(\.annotator.authorLastName) == ["Lindqvist"])
        #expect(try MetadataReader.read(contentsOf: package.path("mifa.json")).document.creditedAnnotators.map(\.authorLastName) == ["Hopper"])
        #expect(try package.diff(from: "1", to: "3").credit.removed.map(\.authorLastName) == ["Lindqvist", "Carberry"])
    }

    @Test func invalidDuplicateOrBackwardVersionsAreRefusedAndLeaveThePackageUnchanged() throws {
        let folder = try temporaryFolder()
        let package = try VersionFixture.makePackage(in: folder)
        let before = try VersionFixture.snapshot(package.root)
        let cases: [(VersionRequest, PackageError.Code)] = [
            (VersionRequest(version: "1", changes: "again", timestamp: "2026-01-02T00:00:00Z"), .invalidVersion),
            (VersionRequest(version: "../x", changes: "x", timestamp: "2026-01-02T00:00:00Z"), .invalidVersion),
            (VersionRequest(version: "", changes: "x", timestamp: "2026-01-02T00:00:00Z"), .invalidVersion),
            (VersionRequest(version: ".hidden", changes: "x", timestamp: "2026-01-02T00:00:00Z"), .invalidVersion),
            (VersionRequest(version: "2", changes: "  ", timestamp: "2026-01-02T00:00:00Z"), .invalidArgument),
            (VersionRequest(version: "2", changes: "earlier", timestamp: "2025-12-31T00:00:00Z"), .invalidArgument),
            (VersionRequest(version: "2", changes: "same second", timestamp: "2026-01-01T00:00:00Z"), .invalidArgument),
            (VersionRequest(version: "2", changes: "no such set", edits: [.removeAnnotations(set: "cells")], timestamp: "2026-01-02T00:00:00Z"), .invalidArgument),
        ]
        for (request, code) in cases {
            do {
                try VersionMaker.make(request, in: package)
                Issue.record("version '\(request.version)' (\(request.changes)) was accepted")
            } catch let error as PackageError {
                #expect(error.kind == code, "\(request.version): \(error.message)")
            }
            expectUnchanged(package, before)
        }
    }

    @Test func badInputsAreRefusedAndLeaveThePackageUnchanged() throws {
        let folder = try temporaryFolder()
        let package = try VersionFixture.makePackage(in: folder)
        let before = try VersionFixture.snapshot(package.root)
        let invalid = try VersionFixture.file(#"{"study": {"title": "x"}, "annotations": [], "images": []}"#, named: "bad.json", in: folder)
        let otherImage = try VersionFixture.file(
            #"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 1]}, "properties": {"image_id": "img9"}}]}"#,
            named: "other.geojson", in: folder)
        let duplicate = try VersionFixture.file(VersionFixture.squares([("a", 1, 1, 2), ("a", 5, 5, 2)]), named: "dup.geojson", in: folder)
        let cases: [(VersionEdit, PackageError.Code)] = [
            (.replaceMetadata(file: invalid), .invalidMetadata),
            (.setAnnotations(set: "nuclei", file: otherImage), .invalidInput),
            (.setAnnotations(set: "nuclei", file: duplicate), .invalidInput),
            (.setAnnotations(set: "../up", file: duplicate), .invalidArgument),
        ]
        for (edit, code) in cases {
            do {
                try VersionMaker.make(VersionRequest(version: "2", changes: "bad", edits: [edit], timestamp: "2026-01-02T00:00:00Z"), in: package)
                Issue.record("\(edit) was accepted")
            } catch let error as PackageError {
                #expect(error.kind == code, "\(error.message)")
            }
            expectUnchanged(package, before)
        }
        // A person known by one name is credited (issue 14); an annotator without any name is not.
        #expect(try AnnotatorCredit.parseAnnotator("Madonna").authorLastName == "Madonna")
        #expect(throws: PackageError.self) { try AnnotatorCredit.parseAnnotator(" <0000-0002-9079-593X>") }
        #expect(throws: PackageError.self) { try AnnotatorCredit.parseAnnotator("Ada Lindqvist <0000-0002-9079-5930>") }
        #expect(try AnnotatorCredit.parseAnnotator("Ada Maria Lindqvist <ORCID:0000-0002-9079-593X>").orcidID == VersionFixture.ada.orcid)
    }
}
