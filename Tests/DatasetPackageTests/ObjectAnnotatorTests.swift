import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import Testing
import TestSupport

/// Per-object credit: objects that name their annotator (CSV column, CVAT attribute, QuPath
/// metadata) are credited to them; the others to the set's annotators.
@Suite struct ObjectAnnotatorTests {
    static let pool = [
        "Ada Lindqvist <0000-0002-9079-593X>", CreditFixture.mina, "Alan Turing", "Rosalind Franklin <https://orcid.org/0000-0003-4567-890X>",
    ]

    /// `annotator` placed in one of the three places the sources use.
    static func properties(_ annotator: String, place: Int) -> JSONObject {
        switch place {
        case 0: ["annotator": .string(annotator)]
        case 1: ["attributes": .object(["occluded": .bool(false), "annotator": .string(annotator)])]
        default: ["objectType": "annotation", "metadata": .object(["annotator": .string(annotator)])]
        }
    }

    /// A set document of squares (side 6, as the fixture's) with the given annotators (`nil`: none) in random places.
    static func setDocument(_ objects: [(id: String, x: Double, y: Double, annotator: String?)], using random: inout SeededGenerator) throws -> String {
        var document = try GeoJSONReader.read(bytes: Array(try CreditFixture.setDocument(objects.map { ($0.id, $0.x, $0.y, 6) }).utf8)).document
        for (index, object) in objects.enumerated() {
            if let annotator = object.annotator { document.annotations[index].properties = properties(annotator, place: Int.random(in: 0...2, using: &random)) }
        }
        return String(decoding: try GeoJSONWriter.encode(document), as: UTF8.self)
    }

    @Test(arguments: 0..<6 as Range<UInt64>) func objectsNamingTheirAnnotatorAreCreditedToThem(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let folder = try temporaryFolder("objects-\(seed)")
        let package = try CreditFixture.makePackage(in: folder)
        // Version 2 of set1 (a, b, c in version 1): each kept unchanged, moved or removed, plus new objects.
        var objects: [(id: String, x: Double, y: Double, annotator: String?)] = []
        var created: [String: String?] = [:], changed: [String: String?] = [:], removed = 0
        func someone() -> String? { Bool.random(using: &random) ? nil : Self.pool.randomElement(using: &random)! }
        for (id, x, y) in [("a", 2.0, 2.0), ("b", 12.0, 2.0), ("c", 2.0, 12.0)] {
            switch Int.random(in: 0...2, using: &random) {
            case 0: objects.append((id, x, y, nil))
            case 1:
                let who = someone()
                objects.append((id, x + 1, y, who))
                changed[id] = .some(who)
            default: removed += 1
            }
        }
        for index in 0..<Int.random(in: 1...6, using: &random) {
            let who = someone()
            objects.append(("n\(index)", Double(Int.random(in: 0...25, using: &random)), Double(Int.random(in: 18...25, using: &random)), who))
            created["n\(index)"] = .some(who)
        }
        let file = try VersionFixture.file(try Self.setDocument(objects, using: &random), named: "v2.geojson", in: folder)
        try VersionMaker.make(
            VersionRequest(version: "2", changes: "second pass", edits: [.setAnnotations(set: "set1", file: file)],
                           annotators: [try AnnotatorCredit.parseGrant(CreditFixture.grace)], timestamp: "2026-01-02T00:00:00Z"),
            in: package)

        let history = try package.creditHistory()
        // Expected counts per person (display form), from the objects as made.
        var expected: [String: (created: Int, changed: Int)] = [:]
        let grace = AnnotatorCredit.display(try AnnotatorCredit.parseAnnotator(CreditFixture.grace))
        expected[grace] = (0, 0)
        for who in created.values { expected[who.map { AnnotatorCredit.display(try! AnnotatorCredit.parseAnnotator($0)) } ?? grace, default: (0, 0)].created += 1 }
        for who in changed.values { expected[who.map { AnnotatorCredit.display(try! AnnotatorCredit.parseAnnotator($0)) } ?? grace, default: (0, 0)].changed += 1 }

        let set1 = try #require(history.versions[1].sets["set1"])
        #expect(set1.created == created.count && set1.changed == changed.count && set1.removed == removed, "seed \(seed)")
        var named: [String: (created: Int, changed: Int)] = [:]
        for count in set1.objectAnnotators ?? [] { named[AnnotatorCredit.display(count.annotator)] = (count.created, count.changed) }
        #expect(named.mapValues { "\($0.created)/\($0.changed)" } == expected.filter { $0.key != grace }.mapValues { "\($0.created)/\($0.changed)" }, "seed \(seed)")
        #expect(set1.objectAnnotators == nil || !(set1.objectAnnotators!.isEmpty), "seed \(seed)")

        for person in history.people {
            let key = AnnotatorCredit.display(Author(authorFirstName: person.name.split(separator: " ").dropLast().joined(separator: " "),
                                                     authorLastName: String(person.name.split(separator: " ").last!), orcidID: person.orcid))
            let inTwo = person.contributions.filter { $0.version == "2" }
            if let want = expected[key] {
                #expect(inTwo.map { "\($0.set) \($0.created)/\($0.changed)/\($0.removed)" } == ["set1 \(want.created)/\(want.changed)/\(key == grace ? removed : 0)"], "seed \(seed) \(key)")
            } else {
                #expect(inTwo.isEmpty, "seed \(seed) \(key)")
            }
        }
        // Everyone the objects name is among the people; the record's people come first.
        #expect(Array(history.people.prefix(3).map(\.name)) == ["Ada Lindqvist", "Josiah Carberry", "Grace Hopper"])
        #expect(Set(history.people.map { $0.name }).isSuperset(of: expected.keys.map { $0.components(separatedBy: " (")[0] }), "seed \(seed)")
        // Each object's provenance names its annotator as the version made it.
        for (id, who) in created.merging(changed, uniquingKeysWith: { a, _ in a }) {
            let want = try who.map { try AnnotatorCredit.parseAnnotator($0) }
            #expect(history.objects["set1"]?[id]?.annotator.map(AnnotatorCredit.display) == want.map(AnnotatorCredit.display), "seed \(seed) \(id)")
        }
        #expect(try PackageAuditor().audit(package.root).findings.filter { $0.severity == .error }.isEmpty, "seed \(seed)")
    }

    @Test func theThreePlacesAreReadAndBadValuesNamed() throws {
        func annotator(_ properties: JSONObject) throws -> Author? {
            try ObjectAnnotator.annotator(of: Annotation(id: "x", value: .classLabel, properties: properties), object: "x", file: "f.json")
        }
        for place in 0...2 { #expect(try annotator(Self.properties("Alan Turing", place: place))?.authorLastName == "Turing") }
        #expect(try annotator([:]) == nil)
        #expect(try annotator(["attributes": .object(["annotator": ""])]) == nil)
        #expect(try annotator(["annotator": "Alan Turing", "metadata": .object(["annotator": "Alan  Turing"])])?.authorFirstName == "Alan")
        func message(_ properties: JSONObject) -> String {
            do { _ = try annotator(properties) } catch let error as PackageError {
                #expect(error.context.file == "f.json")
                return error.message
            } catch { return "\(error)" }
            return "accepted"
        }
        #expect(message(["annotator": .number(JSONNumber(3))]).contains("not text"))
        #expect(message(["annotator": "Ada Lindqvist <0000-0002-9079-5930>"]).contains("ORCID"))
        #expect(message(["annotator": "Alan Turing", "attributes": .object(["annotator": "Ada Lindqvist"])]).contains("two annotators"))
    }

    @Test func aPointsTableAnnotatorColumnNamesEachPointsAnnotator() throws {
        let folder = try temporaryFolder()
        var random = SeededGenerator(seed: 11)
        var lines = ["index,axis-0,axis-1,annotator"]
        var expected: [String?] = []
        for index in 0..<20 {
            let who = Bool.random(using: &random) ? nil : Self.pool.randomElement(using: &random)!
            expected.append(who)
            lines.append("\(index),\(Int.random(in: 0..<32, using: &random)),\(Int.random(in: 0..<32, using: &random)),\(who.map { "\"\($0)\"" } ?? "")")
        }
        let path = "\(folder)/points.csv"
        try writeFile(lines.joined(separator: "\n") + "\n", path)
        let document = try Converter.read(path, format: .napariPointsCSV).document
        let named = try ObjectAnnotator.annotators(of: document, file: path)
        let found = document.annotations.enumerated().map { named[$0.element.id?.description ?? "#\($0.offset)"].map(AnnotatorCredit.display) }
        #expect(found == (try expected.map { try $0.map { AnnotatorCredit.display(try AnnotatorCredit.parseAnnotator($0)) } }))
    }

    @Test func aVersionWhoseObjectsNameABadAnnotatorIsRefusedAndTamperingIsReported() throws {
        let folder = try temporaryFolder()
        let package = try CreditFixture.makePackage(in: folder)
        let before = try VersionFixture.snapshot(package.root)
        var random = SeededGenerator(seed: 7)
        let bad = try VersionFixture.file(try Self.setDocument([("a", 2, 2, "Ada Lindqvist <0000-0002-9079-5930>")], using: &random), named: "bad.geojson", in: folder)
        #expect(throws: PackageError.self) {
            try VersionMaker.make(VersionRequest(version: "2", changes: "x", edits: [.setAnnotations(set: "set1", file: bad)], timestamp: "2026-01-02T00:00:00Z"), in: package)
        }
        expectUnchanged(package, before)
        // A stored annotator edited afterwards: the file no longer matches its digest.
        let path = package.path("annotations/set2/annotations.geojson")
        var document = try GeoJSONReader.read(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path)))).document
        document.annotations[0].properties = ["annotator": "Alan Turing"]
        try Data(try GeoJSONWriter.encode(document)).write(to: URL(fileURLWithPath: path))
        let codes = try PackageAuditor().audit(package.root).findings.filter { $0.severity == .error }.map(\.code)
        #expect(codes.contains(.digestMismatch))
        // An unreadable one (not text) is named by the audit itself.
        document.annotations[0].properties = ["annotator": .bool(true)]
        try Data(try GeoJSONWriter.encode(document)).write(to: URL(fileURLWithPath: path))
        #expect(try PackageAuditor().audit(package.root).findings.contains { $0.code == .annotatorInvalid && $0.path == "annotations/set2/annotations.geojson" })
    }
}
