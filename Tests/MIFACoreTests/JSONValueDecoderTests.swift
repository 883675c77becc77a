import Testing
@testable import MIFACore

@Suite struct JSONValueDecoderTests {
    struct Inner: Codable, Equatable {
        var name: String?
        var tags: [String]?
    }

    struct Outer: Codable, Equatable {
        var title: String?
        var count: Int?
        var ratio: Double?
        var flag: Bool?
        var inner: Inner?
        var items: [Inner]?
        var raw: JSONValue?
    }

    struct Required: Codable {
        var id: String
        var size: UInt8
    }

    @Test func strictDecodesAndThrowsAtTheFirstProblem() throws {
        let value: JSONValue = ["title": "t", "count": 3, "ratio": 0.5, "flag": true, "inner": ["name": "n", "tags": ["a"]], "raw": [1, "x"]]
        let decoded = try JSONValueDecoder().decode(Outer.self, from: value)
        #expect(decoded == Outer(title: "t", count: 3, ratio: 0.5, flag: true, inner: Inner(name: "n", tags: ["a"]), items: nil, raw: [1, "x"]))
        do {
            _ = try JSONValueDecoder().decode(Outer.self, from: ["inner": ["tags": ["a", 5]]])
            Issue.record("expected a type mismatch")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(JSONPointer(codingPath: context.codingPath).description == "/inner/tags/1")
            #expect(context.debugDescription == "expected a string, found number 5")
        }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Required.self, from: ["id": "x"]) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Required.self, from: ["id": "x", "size": 300]) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Outer.self, from: ["count": 1.5]) }
    }

    @Test func lenientCollectsEveryProblemWithSourcePointers() throws {
        let value: JSONValue = [
            "title": 12, "count": "3", "flag": nil, "inner": "just text", "unknown": 1,
            "items": [["name": "a"], nil, ["name": 7, "tagz": []], "b", ["tags": "one"]],
        ]
        let result = try JSONValueDecoder(options: .lenient).decodeCollectingProblems(Outer.self, from: value)
        let byPointer = Dictionary(grouping: result.problems, by: { $0.pointer.description })
        #expect(result.value.title == nil)
        #expect(result.value.inner == nil)
        #expect(result.value.items?.count == 4)
        #expect(result.value.items?[3].tags == ["one"])
        #expect(byPointer["/title"]?.first?.kind == .typeMismatch(expected: "a string", found: "number 12"))
        #expect(byPointer["/count"]?.first?.kind == .typeMismatch(expected: "an integer", found: "string \"3\""))
        #expect(byPointer["/flag"]?.first?.kind == .nullMember)
        #expect(byPointer["/inner"]?.first?.kind == .typeMismatch(expected: "an object", found: "string \"just text\""))
        #expect(byPointer["/items/1"]?.first?.kind == .nullListElement)
        #expect(byPointer["/items/2/name"]?.first?.kind == .typeMismatch(expected: "a string", found: "number 7"))
        #expect(byPointer["/items/2/tagz"]?.first?.kind == .unknownKey("tagz", knownKeys: ["name", "tags"]))
        #expect(byPointer["/items/3"]?.first?.kind == .typeMismatch(expected: "an object", found: "string \"b\""))
        #expect(byPointer["/items/4/tags"]?.first?.kind == .wrappedInList)
        #expect(byPointer["/unknown"]?.first?.kind == .unknownKey("unknown", knownKeys: ["count", "flag", "inner", "items", "ratio", "raw", "title"]))
        // Pointers into the decoded value translate back to the document as written.
        #expect(result.pointerMap.sourcePointer(for: "/items/3/name").description == "/items/4/name")
        #expect(result.pointerMap.sourcePointer(for: "/items/3/tags/0").description == "/items/4/tags")
    }

    @Test func lenientNeverThrowsOnWrongShapes() throws {
        let shapes: [JSONValue] = [nil, true, 1, "s", [], [nil], [[1]], ["x": ["y": [1, "2", nil]]]]
        for shape in shapes {
            let result = try JSONValueDecoder(options: .lenient).decodeCollectingProblems(Outer.self, from: shape)
            if case .object = shape {} else { #expect(!result.problems.isEmpty) }
            for key in ["title", "count", "ratio", "flag", "inner", "items", "raw"] {
                _ = try JSONValueDecoder(options: .lenient).decodeCollectingProblems(Outer.self, from: [key: shape])
            }
        }
        let missing = try JSONValueDecoder(options: .lenient).decodeCollectingProblems(Required.self, from: [:])
        #expect(missing.problems.count == 2)
    }
}
