import TestSupport
import Testing
@testable import MIFACore

/// The one CSV/TSV reader: random tables written with RFC 4180 quoting and any line ending read
/// back field for field, with the line each record starts on.
@Suite struct DelimitedTableTests {
    static let pieces = ["a", "b c", "é", "细胞", ",", "\t", "\"", "\n", "\r\n", "\r", " ", "1.5", ""]

    /// A field as a writer quotes it: in quotes (quotes doubled) when it holds the separator, a
    /// quote, a line break, starts with a space, or is only spaces and tabs (so a one-field row of
    /// them is not read as a blank line).
    static func written(_ field: String, separator: Character) -> String {
        let needs = field.contains(separator) || field.contains("\"") || field.contains("\n") || field.contains("\r") || field.contains("\r\n")
            || field.allSatisfy { $0 == " " || $0 == "\t" } || field.first == " "
        return needs ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    /// Line breaks in UTF-8 bytes: \n, \r\n and a lone \r each count once.
    static func lineBreaks(_ bytes: [UInt8]) -> Int {
        bytes.indices.filter { bytes[$0] == 0x0A || (bytes[$0] == 0x0D && ($0 + 1 == bytes.count || bytes[$0 + 1] != 0x0A)) }.count
    }

    @Test(arguments: [Character(","), Character("\t")])
    func randomTablesReadBack(separator: Character) throws {
        var generator = SeededGenerator(seed: separator == "," ? 5 : 6)
        for _ in 0..<300 {
            let columns = Int.random(in: 1...4, using: &generator)
            let rows = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                (0..<columns).map { _ in (0..<Int.random(in: 0...3, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined() }
            }
            var text = "\u{FEFF}"
            var expectedLines: [Int] = []
            var line = 1
            for row in rows {
                expectedLines.append(line)
                let record = row.map { Self.written($0, separator: separator) }.joined(separator: String(separator))
                text += record + ["\n", "\r\n", "\r"].randomElement(using: &generator)!
                // Line breaks inside quoted fields count as lines (\r\n as one).
                line += 1 + Self.lineBreaks(Array(record.utf8))
            }
            let table = try DelimitedTable(bytes: Array(text.utf8), separator: UInt8(ascii: separator.unicodeScalars.first!))
            #expect(table.records.map(\.fields) == rows, "\(text.debugDescription)")
            #expect(table.records.map(\.line) == expectedLines, "\(text.debugDescription)")
        }
    }

    @Test func separatorIsSniffedFromTheFirstLine() throws {
        #expect(try DelimitedTable(bytes: Array("Files\tSplit\na,b\tc\n".utf8)).records.map(\.fields) == [["Files", "Split"], ["a,b", "c"]])
        #expect(try DelimitedTable(bytes: Array("x,y\n1,2".utf8)).records.map(\.fields) == [["x", "y"], ["1", "2"]])
    }

    @Test func blankLinesAreSkippedAndShortRowsKept() throws {
        let table = try DelimitedTable(bytes: Array("a,b\n\n  \n1\n2,3\n".utf8))
        #expect(table.records.map(\.fields) == [["a", "b"], ["1"], ["2", "3"]])
        #expect(table.records.map(\.line) == [1, 4, 5])
    }

    @Test func badTablesAreRefusedWithAPlace() {
        do {
            _ = try DelimitedTable(bytes: Array("a,b\n1,\"open\n2,3\n".utf8), file: "t.csv")
            Issue.record("an unclosed quote was read")
        } catch let error as CoreError {
            #expect(error.kind == .malformedTable && error.context.line == 2 && error.context.file == "t.csv")
        } catch {
            Issue.record("not a CoreError: \(error)")
        }
        #expect(throws: CoreError.self) { try DelimitedTable(bytes: [0x61, 0xFF, 0x0A]) }
    }
}
