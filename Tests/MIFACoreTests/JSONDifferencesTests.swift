import MIFACore
import Testing

@Suite struct JSONDifferencesTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func equalDocumentsHaveNoDifferences() throws {
        let document = try parse(#"{"a": [1, {"b": null}], "c": "x"}"#)
        #expect(document.differences(to: document).isEmpty)
    }

    @Test func membersAndElementsAddedRemovedAndChangedArePointedAt() throws {
        let old = try parse(#"{"study": {"title": "A", "keywords": ["x", "y"]}, "gone": 1, "a/b": true}"#)
        let new = try parse(#"{"study": {"title": "B", "keywords": ["x"], "license": "CC0-1.0"}, "a/b": false, "new": [1]}"#)
        let differences = old.differences(to: new)
        #expect(differences.added == ["/study/license", "/new"])
        #expect(differences.removed == ["/study/keywords/1", "/gone"])
        #expect(differences.changed == ["/study/title", "/a~1b"])
    }

    @Test func aTypeChangeIsOneChangeAtThatPlace() throws {
        let differences = try parse(#"{"x": [1, 2]}"#).differences(to: try parse(#"{"x": {"0": 1}}"#))
        #expect(differences.changed == ["/x"])
        #expect(differences.added.isEmpty && differences.removed.isEmpty)
    }

    @Test func longerArraysListEveryAddedElement() throws {
        let differences = try parse("[1]").differences(to: try parse("[1, 2, 3]"))
        #expect(differences.added == ["/1", "/2"])
    }
}
