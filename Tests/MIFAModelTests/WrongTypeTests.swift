import MIFACore
import Testing
@testable import MIFAModel

/// Every field of a complete document, given a value of the wrong type, produces an error at that
/// field's pointer, and nothing crashes.
@Suite struct WrongTypeTests {
    /// Values that are the wrong type for the field at `pointer` in the fixture.
    func wrongValues(for value: JSONValue) -> [JSONValue] {
        switch value {
        case .string: return [42, true, ["k": "v"], [["nested"]]]
        case .array: return [42, ["k": "v"]]
        case .object: return [42, "text", [1, 2]]
        default: return []
        }
    }

    @Test func everyFieldOfTheFixtureRejectsWrongTypes() {
        let fixture = Fixtures.validValue
        var checked = 0
        for pointer in fixture.allPointers where !pointer.isRoot {
            guard let value = pointer.resolve(in: fixture) else { continue }
            for wrong in wrongValues(for: value) {
                let loaded = Fixtures.load(fixture.setting(pointer, to: wrong))
                #expect(!loaded.report.isValid, "\(pointer) = \(wrong)")
                if case .string = value {
                    // A text field: the error is a wrong type, exactly there.
                    let wrongType = loaded.errors.first { $0.pointer == pointer && $0.code == .wrongType }
                    #expect(wrongType != nil, "\(pointer) = \(wrong): \(loaded.errors)")
                    #expect(wrongType?.expected == "a string" && wrongType?.found != nil)
                } else {
                    // A list or object: the error is there or inside it (a single object where a list of
                    // objects is expected is read as a list of one, whose missing fields are reported).
                    #expect(loaded.errors.contains { $0.pointer.hasPrefix(pointer) }, "\(pointer) = \(wrong): \(loaded.errors)")
                }
                checked += 1
            }
        }
        #expect(checked > 200)
    }

    @Test func wrongTypesInYAMLAreReportedWithLines() throws {
        let text = """
            title: [not, text]
            keywords: {a: b}
            license: CC0
            authors: Jane Doe
            """
        let loaded = try Fixtures.load(text, .yaml)
        let wrong = loaded.issues(.wrongType)
        #expect(wrong.map(\.pointer.description) == ["/title", "/keywords", "/authors"])
        #expect(wrong.map { $0.position?.line } == [1, 2, 4])
        #expect(wrong[2].expected == "an object")
        #expect(wrong[2].found == "string \"Jane Doe\"")
        // Problems below a wrongly typed value are not repeated.
        #expect(!loaded.pointers(.missingRequired).contains("/authors/author_first_name"))
    }

    @Test func numbersWhereTextIsExpectedSuggestQuoting() throws {
        let loaded = try Fixtures.load(#"{"version": 1.10, "timestamp": "2023-01-17T10:04:00Z"}"#)
        let issue = try #require(loaded.issues(.wrongType).first)
        #expect(issue.pointer.description == "/version")
        #expect(issue.found == "number 1.10")
        #expect(issue.suggestion == #"write it as text, in quotes: "1.10""#)
    }

    @Test func nonObjectDocumentsAreInvalidNotFatal() throws {
        for text in ["[]", "42", "\"text\"", "null", "true", "[{\"study\": {}}]"] {
            let loaded = try Fixtures.load(text)
            #expect(!loaded.report.isValid, "\(text)")
            #expect(loaded.errors.map(\.pointer) == [.root], "\(text): \(loaded.errors)")
        }
    }
}
