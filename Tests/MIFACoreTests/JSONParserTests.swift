import TestSupport
import Testing
@testable import MIFACore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindKeepingLiteralsAndOrder() throws {
        let value = try JSONParser.parse(#" {"z": [1, -2.50, 1e400, 12345678901234567890123], "a": {"t": true, "f": false, "n": null}, "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["z", "a", "s"])
        #expect(value["z"]?[1]?.numberValue?.literal == "-2.50")
        #expect(value["z"]?[2]?.numberValue?.doubleValue == nil)  // 1e400 is kept but has no Double
        #expect(value["z"]?[3]?.numberValue?.literal == "12345678901234567890123")
        #expect(value["a"]?["t"] == true)
        #expect(value["a"]?["n"] == .null)
        #expect(value["s"]?.stringValue == "x\"\\/\u{8}\u{C}\n\r\té😀")
    }

    @Test func skipsByteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
    }

    /// The first problem, with line and column.
    func failure(_ text: String, _ bytes: [UInt8]? = nil) -> CoreError? {
        do {
            _ = try JSONParser.parse(bytes ?? Array(text.utf8), file: "doc.json")
            return nil
        } catch let error as CoreError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: [
        ("", 1, 1, "empty"),
        ("{\"a\": 1,}", 1, 9, "trailing comma"),
        ("[1, 2,]", 1, 7, "trailing comma"),
        ("{\"a\" 1}", 1, 6, "expected ':'"),
        ("{\n  \"a\": \"unterminated\n}", 2, 21, "control character"),
        ("\"abc", 1, 5, "not closed"),
        ("[\"\\q\"]", 1, 3, "invalid escape"),
        ("[\"\\ud800\"]", 1, 3, "lone high surrogate"),
        ("[\"\\udc00\"]", 1, 3, "lone low surrogate"),
        ("[\"\\ud800\\u0041\"]", 1, 9, "not a low surrogate"),
        ("[01]", 1, 2, "leading zeros"),
        ("[1.]", 1, 4, "decimal point"),
        ("[-]", 1, 3, "digit"),
        ("[+1]", 1, 2, "numbers start"),
        ("{'a': 1}", 1, 2, "member name"),
        ("[1] x", 1, 5, "after the end"),
        ("{\"a\": 1,\n \"a\": 2}", 2, 2, "appears twice"),
        ("[nul]", 1, 2, "'null'"),
        ("// c\n[1]", 1, 1, "no comments"),
        ("[\"tab\there\"]", 1, 6, "tab"),
    ])
    func reportsProblemsWithLineAndColumn(text: String, line: Int, column: Int, words: String) {
        guard let error = failure(text) else {
            Issue.record("accepted \(text.debugDescription)")
            return
        }
        #expect(error.kind == .invalidJSON)
        #expect(error.context.file == "doc.json")
        #expect(error.context.line == line, "\(error)")
        #expect(error.context.column == column, "\(error)")
        #expect(error.message.contains(words), "\(error.message)")
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            let error = failure("", bytes)
            #expect(error?.message.contains("UTF-8") == true, "\(bytes)")
            #expect(error?.context.column == 2)
        }
        #expect(failure("", [0x22, 0xE2, 0x82, 0xAC, 0x22]) == nil)  // "€"
    }

    @Test func columnsCountCharactersNotBytes() {
        let error = failure("[\"é€😀\", x]")
        #expect(error?.context.column == 9)
    }

    @Test func duplicateKeyNamesTheFirstPlace() {
        let error = failure("{\"a\": 1,\n \"a\": 2}")
        #expect(error?.message.contains("first at 1:2") == true, "\(String(describing: error))")
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(failure(deep)?.message.contains("nested more than 512") == true)
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
        #expect(throws: CoreError.self) { try JSONParser.parse("[[[1]]]", options: .init(maximumDepth: 2)) }
    }

    @Test func recordsPositions() throws {
        let (_, positions) = try JSONParser.parseWithPositions(Array("{\n  \"a\": [1,\n    {\"b\": \"é\"}]\n}".utf8))
        #expect(positions.position(of: .root) == SourcePosition(line: 1, column: 1))
        #expect(positions.position(of: "/a") == SourcePosition(line: 2, column: 8))
        #expect(positions.position(of: "/a/1/b") == SourcePosition(line: 3, column: 11))
        #expect(positions.nearestPosition(of: "/a/1/missing") == SourcePosition(line: 3, column: 5))
    }

    /// Random byte strings over JSON's alphabet: each either parses to a value that writes and
    /// reads back equal, or is refused with an `invalidJSON` error at a line and column inside the
    /// input; nothing else (no other error, no crash). Both outcomes must occur.
    @Test func hostileInputsAreParsedOrRefusedWithAPlace() throws {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("{}[],:\"\\ 0123456789-+.eEtrufalsn\u{0}\n".utf8) + [0xFF, 0xC3, 0xA9]
        var parsed = 0, refused = 0
        for _ in 0..<2000 {
            let length = Int(generator.next() % 40)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let lines = bytes.filter { $0 == 0x0A }.count + 1
            do {
                let value = try JSONParser.parse(bytes)
                parsed += 1
                guard let written = try? CanonicalJSON.encode(value) else { continue }  // e.g. 1e999: not representable
                #expect(try JSONParser.parse(written) == value, "\(bytes)")
            } catch let error as CoreError {
                refused += 1
                #expect(error.kind == .invalidJSON, "\(bytes): \(error)")
                let line = error.context.line ?? 0, column = error.context.column ?? 0
                #expect((1...lines).contains(line) && column >= 1, "\(bytes): \(error)")
            } catch {
                Issue.record("\(bytes): not a CoreError: \(error)")
            }
        }
        #expect(parsed > 0 && refused > 0, "parsed \(parsed), refused \(refused)")
    }
}

