import TestSupport
import Testing
@testable import MIFACore

/// The one scanner, two ways: the pull reader that the annotation formats stream through, and the
/// tree that ``JSONParser`` builds with it. Both must accept the same documents as the same values
/// and refuse the same documents at the same place with the same message.
@Suite("JSON pull reader")
struct JSONReaderTests {
    func value(_ text: String) throws -> JSONValue {
        try JSONReader.read(Array(text.utf8), file: "t.json") { try $0.readValue() }
    }

    @Test("reads what the tree parser reads, to the same value")
    func agreesWithJSONParser() throws {
        for text in [
            #"{"a": [1, 2.50, -0, 1e2, 1E-7, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {}}"#,
            "[]", "  \"\u{FEFF}text\"  ", "12345678901234567890123", "-0.0000001234", "[1e400]",
        ] {
            #expect(try value(text) == (try JSONParser.parse(text)), "\(text)")
        }
    }

    @Test("numbers are correctly rounded, fast path or not")
    func numbers() throws {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<3000 {
            let double = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random(using: &rng) ? 1 : -1)
            let texts = [double.description, String(Double(Int.random(in: -100000...100000, using: &rng)) / 100), "\(Int.random(in: 0...999)).\(Int.random(in: 0...999_999))"]
            for text in texts where JSONNumber(literal: text) != nil {
                let read = try JSONReader.read(Array(text.utf8), file: nil) { try $0.readDouble() }
                #expect(read == Double(text)!, "\(text)")
            }
        }
    }

    @Test("strict: the errors RFC 8259 asks for, with line and column", arguments: [
        ("{\"a\": 1,}", 1, 9), ("[1 2]", 1, 4), ("{\"a\": 1, \"a\": 2}", 1, 10), ("\"\\x\"", 1, 2), ("[01]", 1, 2), ("[1.]", 1, 4),
        ("\"\\ud800\"", 1, 2), ("[NaN]", 1, 2), ("\"a\nb\"", 1, 3), ("[1]x", 1, 4), ("", 1, 1), ("\n\n  {\"a\" 1}", 3, 8),
        ("\r\n[\r1,]", 3, 3),
    ])
    func strict(text: String, line: Int, column: Int) {
        #expect {
            _ = try value(text)
        } throws: { error in
            guard let error = error as? CoreError else { return false }
            return error.kind == .invalidJSON && error.context.line == line && error.context.column == column && error.context.file == "t.json"
        }
    }

    @Test("errors carry the JSON pointer of the value being read")
    func pointers() {
        for (text, pointer) in [(#"{"a": [1, {"b": tru}]}"#, "/a/1/b"), (#"{"a": 1, "a": 2}"#, ""), (#"[0, [1,]]"#, "/1/1")] {
            do {
                _ = try value(text)
                Issue.record("accepted \(text)")
            } catch let error as CoreError {
                #expect(error.context.pointer == pointer, "\(text): \(error)")
            } catch {
                Issue.record("\(text): \(error)")
            }
        }
    }

    @Test("nesting deeper than the limit is an error, not a stack overflow")
    func depth() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: CoreError.self) { _ = try value(text) }
        let numbers = String(repeating: "[", count: 512) + "1" + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { _ = try JSONReader.read(Array(numbers.utf8), file: nil) { try $0.skipValue() } }
        // A list of numbers is a level like any other, whichever way it is read.
        var values: [Double] = []
        let deep = String(repeating: "[", count: 513) + "1" + String(repeating: "]", count: 513)
        #expect(throws: CoreError.self) {
            _ = try JSONReader.read(Array(deep.utf8), file: nil) { reader in
                func down(_ reader: inout JSONReader, _ level: Int) throws {
                    if level == 512 { try reader.readDoubleArray(into: &values) } else { try reader.readArray { inner, _ in try down(&inner, level + 1) } }
                }
                try down(&reader, 0)
            }
        }
    }

    @Test("a key given twice is refused however many members come before it")
    func duplicateKeys() {
        let members = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        for text in ["{\(members), \"k3\": 1}", "{\(members), \"k39\": 1}", "{\(members), \"k0\": 1}"] {
            #expect(throws: CoreError.self, "\(text)") { _ = try value(text) }
            #expect(throws: CoreError.self, "\(text)") { _ = try JSONReader.read(Array(text.utf8), file: nil) { try $0.skipValue() } }
        }
    }

    @Test("invalid UTF-8 in a string is an error at the byte")
    func utf8() {
        do {
            _ = try JSONReader.read([0x22, 0x61, 0xC3, 0x28, 0x22], file: nil) { try $0.readString() }
            Issue.record("accepted invalid UTF-8")
        } catch let error as CoreError {
            #expect(error.context.column == 3 && error.message.contains("UTF-8"), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }

    /// Random values, written compact and pretty, read back equal as a tree and through the
    /// pull reader (value by value, and skipped).
    @Test("written values read back equal through the tree and the stream")
    func roundTrip() throws {
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<300 {
            let original = JSONRoundTripTests.randomValue(&rng, depth: 0)
            for options in [JSONWriter.Options(), JSONWriter.Options(prettyPrinted: true)] {
                let bytes = JSONWriter.bytes(of: original, options: options)
                #expect(try JSONParser.parse(bytes) == original)
                #expect(try JSONReader.read(bytes, file: nil) { try $0.readValue() } == original)
                #expect(throws: Never.self) { try JSONReader.read(bytes, file: nil) { try $0.skipValue() } }
            }
        }
        var writer = JSONWriter()
        writer.doubles([1, 0.1, -2.5e-300, 1e21, 3])
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[1,0.1,-2.5e-300,1e+21,3]")
    }

    /// Random byte strings over JSON's alphabet, and valid documents with one byte changed: the tree
    /// parser and the skipping pull reader accept the same ones and refuse the others with the same
    /// message at the same line and column (the parser leaves the reader's pointer out). Both
    /// outcomes must occur.
    @Test("the tree and the stream refuse the same inputs at the same place")
    func sameRefusals() throws {
        var rng = SeededGenerator(seed: 77)
        let alphabet = Array("{}[],:\"\\ 0123456789-+.eEtrufalsn\u{0}\n\r".utf8) + [0xFF, 0xC3, 0xA9]
        var accepted = 0, refused = 0
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            } else {
                bytes = JSONWriter.bytes(of: JSONRoundTripTests.randomValue(&rng, depth: 0), options: JSONWriter.Options(prettyPrinted: rng.next() % 2 == 0))
                if !bytes.isEmpty { bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            }
            let tree = Result { try JSONParser.parse(bytes, file: "x.json") }
            let stream = Result { try JSONReader.read(bytes, file: "x.json") { try $0.skipValue() } }
            switch (tree, stream) {
            case (.success, .success): accepted += 1
            case (.failure(let a as CoreError), .failure(let b as CoreError)):
                refused += 1
                var streamPlace = b.context
                streamPlace.pointer = nil
                #expect(a.kind == .invalidJSON && a.message == b.message && a.context == streamPlace, "\(bytes): \(a) vs \(b)")
            default: Issue.record("\(bytes): tree \(tree), stream \(stream)")
            }
        }
        #expect(accepted > 100 && refused > 100, "accepted \(accepted), refused \(refused)")
    }
}
