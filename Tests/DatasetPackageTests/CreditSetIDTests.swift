import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import Testing
import TestSupport

/// `--annotator NAME=SET` for sets not called `setN`: a set is named by its `set_id` in mifa.json.
@Suite struct CreditSetIDTests {
    /// A random set id of the safe alphabet that is not `set<N>`.
    static func randomSetID(using random: inout SeededGenerator) -> String {
        let first = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        let rest = first + Array(".-")
        let name = String(first.randomElement(using: &random)!) + String((0..<Int.random(in: 0...12, using: &random)).map { _ in rest.randomElement(using: &random)! })
        return name.hasPrefix("set") ? "x" + name : name
    }

    @Test(arguments: 0..<3 as Range<UInt64>) func annotatorsAreCreditedOnASetNamedBySetID(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let set = Self.randomSetID(using: &random)
        let folder = try temporaryFolder("set-id-\(seed)")
        let package = try CreditFixture.makeHistory(in: folder)
        // Version 4 declares the set by its set_id and adds its objects, credited to Alan Turing.
        var metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: package.path("mifa.json")))) as! [String: Any]
        var sets = metadata["annotations"] as! [[String: Any]]
        sets.append(["set_id": set, "annotation_overview": "Cell outlines", "annotation_type": ["geometrical_annotations"], "annotation_method": "Drawn by hand."])
        metadata["annotations"] = sets
        metadata["version"] = ["version": "4", "timestamp": "2026-01-04T00:00:00Z", "changes": "cells"]
        let metadataFile = "\(folder)/inputs/mifa4.json"
        try writeFile(String(decoding: try JSONSerialization.data(withJSONObject: metadata), as: UTF8.self), metadataFile)
        let objects = try VersionFixture.file(try CreditFixture.setDocument([("k1", 4, 4, 5), ("k2", 14, 4, 5)]), named: "cells.geojson", in: folder)
        try VersionMaker.make(
            VersionRequest(version: "4", changes: "cells", edits: [.replaceMetadata(file: metadataFile), .setAnnotations(set: set, file: objects)],
                           annotators: [try AnnotatorCredit.parseGrant("Alan Turing=\(set)")], timestamp: "2026-01-04T00:00:00Z"),
            in: package)
        let record = try package.record("4").record
        #expect(record.setCredits?.mapValues { $0.map(\.authorLastName) } == [set: ["Turing"]], "\(set)")
        let document = try MetadataReader.read(contentsOf: package.path("mifa.json")).document
        #expect(document.annotations?[2].authors?.map(\.authorLastName) == ["Turing"])
        #expect(document.annotationSetIDs == ["set1", "set2", set])
        let turing = try #require(try package.creditHistory().people.first { $0.name == "Alan Turing" })
        #expect(turing.sets == [set])
        #expect(turing.contributions == [PersonCredit.Contribution(version: "4", set: set, created: 2, changed: 0, removed: 0)])
        #expect(try PackageAuditor().audit(package.root).findings.filter { $0.severity == .error }.isEmpty, "\(set)")
    }

    @Test func setIDsMustBeSafeAndUnique() throws {
        func errors(_ ids: [String?]) throws -> [String] {
            let sets = ids.map { id in
                #"{"annotation_overview": "x", "annotation_type": ["geometrical_annotations"], "annotation_method": "y""# + (id.map { #", "set_id": "\#($0)""# } ?? "") + "}"
            }
            let text = #"{"annotations": [\#(sets.joined(separator: ", "))]}"#
            return try MetadataReader.read(bytes: Array(text.utf8), format: .json, file: "m.json").report.issues(.error).map(\.pointer.description).filter { $0.hasSuffix("set_id") }
        }
        #expect(try errors(["cells", nil, "outlines"]) == [])
        #expect(try errors([nil, "set1"]) == ["/annotations/1/set_id"])
        #expect(try errors(["../x"]) == ["/annotations/0/set_id"])
        #expect(try errors(["-x"]) == ["/annotations/0/set_id"])
    }
}
