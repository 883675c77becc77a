import Foundation
import TestSupport
import Testing
@testable import MIFACore

/// The one diagnostic type: JSON both ways for random findings, the file member a kind chooses,
/// and the text the CLI prints.
@Suite struct DiagnosticTests {
    enum Sample: String, DiagnosticCode {
        case first = "first-code"
        case second = "second-code"
    }

    enum Pathed: String, DiagnosticCode {
        case only = "only"
        static var fileMember: String { "path" }
    }

    static func maybe(_ rng: inout SeededGenerator, _ text: String) -> String? {
        rng.next() % 2 == 0 ? nil : text + String(rng.next() % 1000)
    }

    static func random(_ rng: inout SeededGenerator) -> Diagnostic<Sample> {
        let context = ErrorContext(
            file: maybe(&rng, "images/a"), line: rng.next() % 2 == 0 ? nil : Int(rng.next() % 500) + 1,
            column: rng.next() % 2 == 0 ? nil : Int(rng.next() % 80) + 1, pointer: maybe(&rng, "/study/"),
            key: maybe(&rng, "c/0/"), offset: rng.next() % 3 == 0 ? Int(rng.next() % 10_000) : nil,
            shape: rng.next() % 3 == 0 ? [Int(rng.next() % 9), Int(rng.next() % 9)] : nil)
        return Diagnostic(IssueSeverity.allCases[Int(rng.next() % 3)], Sample.allCases[Int(rng.next() % 2)], "message \(rng.next() % 100)",
                          context: context, expected: maybe(&rng, "x"), found: maybe(&rng, "y"), suggestion: maybe(&rng, "do "),
                          changesDocument: rng.next() % 2 == 0)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomFindingsSurviveJSON(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            let finding = Self.random(&rng)
            let data = try JSONEncoder().encode(finding)
            let back = try JSONDecoder().decode(Diagnostic<Sample>.self, from: data)
            #expect(back == finding, "seed \(seed): \(String(decoding: data, as: UTF8.self))")
            // Unknown parts are left out, never written as null.
            #expect(!String(decoding: data, as: UTF8.self).contains("null"))
        }
    }

    @Test func aKindNamesItsFileMember() throws {
        let finding = Diagnostic<Pathed>(.warning, .only, "m", context: ErrorContext(file: "mifa.json", pointer: "/study"))
        #expect(finding.json["path"] == "mifa.json" && finding.json["file"] == nil)
        #expect(Diagnostic<Sample>(.info, .first, "m", context: ErrorContext(file: "a")).json["file"] == "a")
        let back = try JSONDecoder().decode(Diagnostic<Pathed>.self, from: JSONEncoder().encode(finding))
        #expect(back.context.file == "mifa.json")
    }

    @Test func anUnknownCodeOrSeverityIsRefused() {
        for text in [#"{"severity":"error","code":"nope","message":"m"}"#, #"{"severity":"fatal","code":"first-code","message":"m"}"#,
                     #"{"severity":"error","code":"first-code"}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(Diagnostic<Sample>.self, from: Data(text.utf8)) }
        }
    }

    @Test func theTextNamesThePlaceThenTheDetails() {
        let located = Diagnostic<Sample>(.error, .first, "not an ORCID iD", context: ErrorContext(line: 7, column: 3, pointer: "/study/authors/0/orcid_id"),
                                         expected: "0000-0000-0000-0000", found: "12", suggestion: "copy it from orcid.org")
        #expect(located.description == "/study/authors/0/orcid_id (line 7): not an ORCID iD (expected 0000-0000-0000-0000, found 12) — copy it from orcid.org")
        #expect(Diagnostic<Sample>(.error, .first, "m", context: ErrorContext(pointer: "")).description == "(document root): m")
        #expect(Diagnostic<Sample>(.warning, .second, "m", context: ErrorContext(file: "a.json", line: 2, pointer: "/x")).description == "a.json:2 /x: m")
        #expect(Diagnostic<Sample>(.warning, .second, "m").description == "m")
    }
}
