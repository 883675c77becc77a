import TestSupport
import MIFACore
import Testing
@testable import Annotations

@Suite("JSON pull reader and writer")
struct JSONReaderTests {
    func value(_ text: String) throws -> JSONValue {
        try JSONReader.read(Array(text.utf8), file: "t.json") { try $0.readValue() }
    }

    @Test("reads what MIFACore's parser reads, to the same value")
    func agreesWithJSONParser() throws {
        for text in [
            #"{"a": [1, 2.50, -0, 1e2, 1E-7, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {}}"#,
            "[]", "  \"\u{FEFF}text\"  ", "12345678901234567890123", "-0.0000001234",
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

    @Test("strict: the same errors as RFC 8259 asks, with line and column", arguments: [
        ("{\"a\": 1,}", 1, 9), ("[1 2]", 1, 4), ("{\"a\": 1, \"a\": 2}", 1, 10), ("\"\\x\"", 1, 2), ("[01]", 1, 2), ("[1.]", 1, 4),
        ("\"\\ud800\"", 1, 8), ("[NaN]", 1, 2), ("\"a\nb\"", 1, 3), ("[1]x", 1, 4), ("", 1, 1), ("\n\n  {\"a\" 1}", 3, 8),
    ])
    func strict(text: String, line: Int, column: Int) {
        #expect {
            _ = try value(text)
        } throws: { error in
            guard let error = error as? AnnotationError else { return false }
            return error.kind == .malformed && error.context.line == line && error.context.column == column && error.context.file == "t.json"
        }
    }

    @Test("nesting deeper than the limit is an error, not a stack overflow")
    func depth() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: AnnotationError.self) { _ = try value(text) }
        #expect(throws: AnnotationError.self) { _ = try GeoJSONReader.read(bytes: Array(("{\"type\":\"GeometryCollection\",\"geometries\":" + text + "}").utf8)) }
    }

    @Test("invalid UTF-8 in a string is an error")
    func utf8() {
        #expect(throws: AnnotationError.self) { _ = try JSONReader.read([0x22, 0xC3, 0x28, 0x22], file: nil) { try $0.readValue() } }
    }

    @Test("the writer writes what the reader reads back")
    func writer() throws {
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<200 {
            let original = randomValue(depth: 0, using: &rng)
            var writer = JSONWriter()
            writer.value(original)
            #expect(try JSONReader.read(writer.bytes, file: nil) { try $0.readValue() } == original)
        }
        var writer = JSONWriter()
        writer.doubles([1, 0.1, -2.5e-300, 1e21, 3])
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[1,0.1,-2.5e-300,1e+21,3]")
    }

    func randomValue(depth: Int, using rng: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(JSONNumber(Double.random(in: -1e6...1e6, using: &rng))!)
        case 3: return .string(String((0..<Int.random(in: 0...8, using: &rng)).map { _ in "aé\"\\\n😀\u{1}".randomElement(using: &rng)! }))
        case 4: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(depth: depth + 1, using: &rng) })
        default:
            var object = JSONObject()
            for index in 0..<Int.random(in: 0...4, using: &rng) { object["k\(index)"] = randomValue(depth: depth + 1, using: &rng) }
            return .object(object)
        }
    }
}
