import TestSupport
import Testing
@testable import MIFACore

/// Property test: random JSON values survive canonical writing (Foundation's JSONEncoder) and
/// strict parsing unchanged.
@Suite struct JSONRoundTripTests {
    static func randomString(_ rng: inout SeededGenerator) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "€", "😀", "~", "\u{7F}", "\u{2028}"]
        let length = Int(rng.next() % 8)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length { scalars.append(pool[Int(rng.next() % UInt64(pool.count))]) }
        return String(scalars)
    }

    static func randomNumber(_ rng: inout SeededGenerator) -> JSONNumber {
        switch rng.next() % 5 {
        case 0: return JSONNumber(Int64(bitPattern: rng.next()))
        case 1: return JSONNumber(rng.next())
        case 2: return JSONNumber(Int(rng.next() % 2000) - 1000)
        case 3: return JSONNumber(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF | (rng.next() & (1 << 63)))) ?? JSONNumber(0)
        default: return JSONNumber(Double(Int(rng.next() % 100_000)) / 1000) ?? JSONNumber(0)
        }
    }

    static func randomValue(_ rng: inout SeededGenerator, depth: Int) -> JSONValue {
        let choice = depth > 4 ? rng.next() % 4 : rng.next() % 6
        switch choice {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number(randomNumber(&rng))
        case 3: return .string(randomString(&rng))
        case 4: return .array((0..<Int(rng.next() % 5)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int(rng.next() % 5) { object[randomString(&rng)] = randomValue(&rng, depth: depth + 1) }
            return .object(object)
        }
    }

    @Test func randomTreesRoundTrip() throws {
        var rng = SeededGenerator(seed: 2024)
        for _ in 0..<500 {
            let value = JSONRoundTripTests.randomValue(&rng, depth: 0)
            let bytes = try CanonicalJSON.encode(value)
            let parsed = try JSONParser.parse(bytes)
            #expect(parsed == value, "\(String(decoding: bytes, as: UTF8.self))")
            // Writing is deterministic.
            #expect(try CanonicalJSON.encode(parsed) == bytes)
        }
    }

    @Test func canonicalFormIsSortedTwoSpaceAndUnescapedSlashes() throws {
        let text = try CanonicalJSON.string(["b": "x/y", "a": [1, 2.5]] as JSONValue)
        #expect(text == "{\n  \"a\" : [\n    1,\n    2.5\n  ],\n  \"b\" : \"x/y\"\n}\n")
    }

    @Test func numbersThatCannotBeWrittenExactlyThrow() {
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode(JSONValue.number(JSONNumber(literal: "1e400")!)) }
    }
}
