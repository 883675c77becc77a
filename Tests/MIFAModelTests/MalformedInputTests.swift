import TestSupport
import Foundation
import MIFACore
import Testing
@testable import MIFAModel

@Suite struct MalformedInputTests {
    func failure(_ text: String, _ format: MetadataFormat) -> MetadataError? {
        failure(Array(text.utf8), format)
    }

    func failure(_ bytes: [UInt8], _ format: MetadataFormat) -> MetadataError? {
        do {
            _ = try MetadataReader.read(bytes: bytes, format: format, file: "meta.\(format.rawValue)")
            return nil
        } catch let error as MetadataError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func malformedJSONNamesFileLineAndColumn() throws {
        let error = try #require(failure("{\n  \"study\": {\n    \"title\": \"x\",\n  }\n}", .json))
        #expect(error.kind == .invalidJSON)
        #expect(error.context.file == "meta.json")
        #expect(error.context.line == 4)
        #expect(error.context.column == 3)
        #expect(error.description.hasPrefix("meta.json:4:3: "))
    }

    @Test(arguments: [
        ("title: [unclosed\nkeywords: x\n", 2, "flow sequence"),
        ("title: a\n  bad: indentation\n", 2, "mapping values"),
        ("title: \"open\n", 2, "quoted scalar"),
        ("a: 1\na: 2\n", 1, "appears twice"),
        ("? [a, b]\n: c\n", 1, "plain text"),
        ("title: a\n---\ntitle: b\n", 2, "single document"),
        ("key: @reserved\n", 1, "cannot start any token"),
        ("title: *undefined\n", 1, "alias"),
    ] as [(String, Int, String)])
    func malformedYAMLNamesLine(text: String, line: Int, words: String) throws {
        let error = try #require(failure(text, .yaml), "accepted \(text.debugDescription)")
        #expect(error.kind == .invalidYAML)
        #expect(error.context.file == "meta.yaml")
        #expect(error.context.line == line, "\(error)")
        #expect(error.context.column != nil)
        #expect(error.description.lowercased().contains(words.lowercased()), "\(error)")
    }

    @Test func encodingAndEmptyDocuments() {
        #expect(failure([0x74, 0x3A, 0x20, 0xFF, 0x0A], .yaml)?.kind == .invalidEncoding)
        #expect(failure([0x74, 0x3A, 0x20, 0xFF, 0x0A], .yaml)?.context.column == 4)
        #expect(failure("", .yaml)?.kind == .emptyDocument)
        #expect(failure("# only a comment\n", .yaml)?.kind == .emptyDocument)
        #expect(failure("  \n", .json)?.kind == .emptyDocument)
        #expect(failure("title: \u{0}\n", .yaml)?.kind == .invalidYAML)
    }

    @Test func aliasBombsAreBounded() throws {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        let start = Date()
        let error = try #require(failure(lines.joined(separator: "\n"), .yaml))
        #expect(error.kind == .tooLarge)
        #expect(Date().timeIntervalSince(start) < 10)
        // Modest alias use is fine.
        let loaded = try Fixtures.load("authors: &people\n  - {author_first_name: A, author_last_name: B}\ntitle: t\n", .yaml)
        #expect(loaded.document.study?.authors?.count == 1)
    }

    @Test func aliasesWithComplexKeysAreRefusedBeforeParsing() {
        let text = "a: &a [x, x]\n? *a\n: value\n"
        #expect(failure(text, .yaml)?.kind == .invalidYAML)
        #expect(failure("a: &a [x]\n[*a]: v\n", .yaml)?.kind == .invalidYAML)
        #expect(YAMLPreScan.mayHashExpandedAliases("title: a\nnote: 2 * 3 ? yes\n") == false)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deepYAML = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(failure(deepYAML, .yaml) != nil)
        let deepJSON = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(failure(deepJSON, .json)?.kind == .invalidJSON)
        let blockYAML = (0..<600).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + " v\n"
        #expect(failure(blockYAML, .yaml) != nil)
    }

    @Test func unreadableFiles() throws {
        #expect(throws: MetadataError.self) { try MetadataReader.read(contentsOf: "/nonexistent/mifa.yaml") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mifa-model-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try MetadataReader.read(contentsOf: directory)
            Issue.record("a folder without metadata was read")
        } catch let error as MetadataError {
            #expect(error.kind == .unreadable)
        }
        try AtomicFile.write(Array(Fixtures.validJSON.utf8), to: directory + "/mifa.json")
        #expect(try MetadataReader.read(contentsOf: directory).report.isValid)
        #expect(MetadataReader.metadataFile(inDirectory: directory) == directory + "/mifa.json")
    }

    /// Random texts made of metadata fragments: each is either refused by the parser with a
    /// parse error code, or read and then reported invalid with at least one error issue (no
    /// fragment soup is a complete MIFA document); never accepted as valid, never another error.
    @Test func randomTextsAreRefusedOrReportedInvalid() {
        var generator = SeededGenerator(seed: 99)
        let pieces = ["study:", "title:", " - ", "[", "]", "{", "}", ": ", "\n", "  ", "&a ", "*a ", "\"", "'", "null", "1.10", "? ", "#", ",", "author_first_name: x", "license: CC_BY"]
        let parseCodes: Set<MetadataErrorCode> = [.invalidJSON, .invalidYAML, .emptyDocument, .invalidEncoding, .tooLarge]
        var refused = 0, reported = 0
        for _ in 0..<1500 {
            let text = (0..<Int(generator.next() % 30)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            for format in MetadataFormat.allCases {
                do {
                    let loaded = try MetadataReader.read(bytes: Array(text.utf8), format: format)
                    reported += 1
                    #expect(!loaded.report.isValid && !loaded.report.issues(.error).isEmpty, "\(format) \(text.debugDescription)")
                } catch let error as MetadataError {
                    refused += 1
                    #expect(parseCodes.contains(error.kind), "\(format) \(text.debugDescription): \(error)")
                } catch {
                    Issue.record("\(format) \(text.debugDescription): not a MetadataError: \(error)")
                }
            }
        }
        #expect(refused > 0 && reported > 0, "refused \(refused), reported \(reported)")
    }
}
