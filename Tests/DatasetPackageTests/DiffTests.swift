import Annotations
import DatasetPackage
import Foundation
import MIFACore
import Testing

@Suite struct DiffTests {
    func document(_ shapes: [(id: String?, x: Double, y: Double, size: Double)]) throws -> AnnotationDocument {
        var document = try GeoJSONReader.read(bytes: Array(VersionFixture.squares(shapes).utf8)).document
        document.images = [ImageReference(id: "img1", fileName: "images/img1", width: 64, height: 64)]
        return document
    }

    @Test func objectsWithoutIDsArePairedByIoU() throws {
        let old = try document([(nil, 0, 0, 10), (nil, 30, 30, 10), (nil, 50, 0, 4), (nil, 0, 50, 8)])
        // #0 moved by 2 px (IoU 0.67: changed), #1 moved by 6 px (IoU 0.25: removed + added),
        // #2 unchanged, #3 deleted, a new square added.
        let new = try document([(nil, 50, 0, 4), (nil, 2, 0, 10), (nil, 36, 30, 10), (nil, 20, 50, 5)])
        let changes = try VectorSetComparison.compare(old: old, new: new)
        #expect(changes.changed == ["#1"])
        #expect(changes.removed == ["#1", "#3"])
        #expect(changes.added == ["#2", "#3"])
        #expect(changes.matchedByIoU == 2)
        #expect(try VectorSetComparison.compare(old: old, new: old) == ObjectChanges(matchedByIoU: 4))
    }

    @Test func greedyPairingTakesTheBestOverlapFirst() throws {
        // Two old squares overlap one new square; the better overlap wins, the other is removed.
        let old = try document([(nil, 0, 0, 10), (nil, 4, 0, 10)])
        let new = try document([(nil, 3, 0, 10)])
        let changes = try VectorSetComparison.compare(old: old, new: new)
        #expect(changes == ObjectChanges(removed: ["#0"], changed: ["#0"], matchedByIoU: 1))
    }

    @Test func objectsWithIDsArePairedByID() throws {
        let old = try document([("a", 0, 0, 10), ("b", 20, 20, 5)])
        let new = try document([("b", 40, 40, 5), ("a", 0, 0, 10), ("c", 0, 0, 10)])
        #expect(try VectorSetComparison.compare(old: old, new: new) == ObjectChanges(added: ["c"], changed: ["b"]))
        #expect(try VectorSetComparison.compare(old: nil, new: new) == ObjectChanges(added: ["b", "a", "c"]))
    }

    @Test func labelValuesArePixelSets() throws {
        let old = try VersionFixture.cells()
        let new = try VersionFixture.cells(growTwo: true, dropThree: true, addFour: true)
        #expect(try LabelSetComparison.compare(old: old, new: new, imageID: "img1") == ObjectChanges(added: ["img1:4"], removed: ["img1:3"], changed: ["img1:2"]))
        #expect(try LabelSetComparison.compare(old: old, new: old, imageID: "img1").isEmpty)
        #expect(try LabelSetComparison.compare(old: nil, new: old, imageID: "x") == ObjectChanges(added: ["x:1", "x:2", "x:3"]))
    }

    @Test func diffWorksBetweenAnyTwoVersionsInEitherOrder() throws {
        let folder = try temporaryFolder()
        let package = try VersionFixture.makePackage(in: folder)
        let moved = try VersionFixture.file(VersionFixture.squares([("a", 3, 2, 6), ("c", 2, 12, 6), ("d", 20, 20, 5)]), named: "v2.geojson", in: folder)
        try VersionMaker.make(VersionRequest(version: "2", changes: "edit nuclei", edits: [.setAnnotations(set: "nuclei", file: moved)], timestamp: "2026-01-02T00:00:00Z"), in: package)
        let relabel = VersionEdit.custom { staging in
            try VersionFixture.writeCells(try VersionFixture.cells(growTwo: true, dropThree: true, addFour: true), root: staging.root)
        }
        let withGrace = try VersionFixture.file(VersionFixture.metadata(annotators: [VersionFixture.ada, VersionFixture.josiah, VersionFixture.grace]), named: "grace.json", in: folder)
        try VersionMaker.make(
            VersionRequest(version: "3", changes: "relabel", edits: [.replaceMetadata(file: withGrace), relabel], timestamp: "2026-01-03T00:00:00Z"),
            in: package)

        let forward = try package.diff(from: "1", to: "3")
        #expect(forward.annotations == [
            "nuclei": ObjectChanges(added: ["d"], removed: ["b"], changed: ["a"]),
            "cells": ObjectChanges(added: ["img1:4"], removed: ["img1:3"], changed: ["img1:2"]),
        ])
        #expect(forward.credit.added.map(\.authorLastName) == ["Hopper"])
        #expect(forward.credit.removed.isEmpty)
        #expect(forward.files.modified.contains("annotations/nuclei/annotations.geojson"))

        let backward = try package.diff(from: "3", to: "1")
        #expect(backward.annotations == [
            "nuclei": ObjectChanges(added: ["b"], removed: ["d"], changed: ["a"]),
            "cells": ObjectChanges(added: ["img1:3"], removed: ["img1:4"], changed: ["img1:2"]),
        ])
        #expect(backward.files.added == forward.files.removed && backward.files.modified == forward.files.modified)
        #expect(backward.credit.removed.map(\.authorLastName) == ["Hopper"])
        #expect(try package.diff(from: "2", to: "2").isEmpty)
        #expect(throws: PackageError.self) { try package.diff(from: "1", to: "9") }
    }
}
