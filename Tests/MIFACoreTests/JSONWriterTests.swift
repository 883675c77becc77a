import Foundation
import TestSupport
import Testing
@testable import MIFACore

/// The one writer (``JSONWriter``) and the one encoder (``JSONValueEncoder``) against the Foundation
/// writers they replace: the same bytes, so files, digests and `--json` outputs do not change.
@Suite struct JSONWriterTests {
    static func foundation(_ value: some Encodable, _ formatting: JSONEncoder.OutputFormatting, snakeCase: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return [UInt8](try encoder.encode(value))
    }

    @Test func canonicalJSONWritesWhatFoundationWrote() throws {
        var rng = SeededGenerator(seed: 16)
        var nonEmpty = 0
        for _ in 0..<500 {
            let value = JSONRoundTripTests.randomValue(&rng, depth: 0)
            let expected = try Self.foundation(value, [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + [0x0A]
            let written = try CanonicalJSON.encode(value)
            #expect(written == expected, "\(String(decoding: written, as: UTF8.self)) vs \(String(decoding: expected, as: UTF8.self))")
            if written.count > 8 { nonEmpty += 1 }
        }
        #expect(nonEmpty > 100)
    }

    @Test func compactSortedWithEscapedSlashesIsFoundationsDefault() throws {
        var rng = SeededGenerator(seed: 61)
        for _ in 0..<300 {
            let value = JSONRoundTripTests.randomValue(&rng, depth: 0)
            let normalized = try JSONValueEncoder().encode(value)
            let written = JSONWriter.bytes(of: normalized, options: JSONWriter.Options(escapesSlashes: true), sortingKeys: true)
            #expect(written == (try Self.foundation(value, [.sortedKeys])), "\(String(decoding: written, as: UTF8.self))")
        }
    }

    struct Record: Codable {
        struct Inner: Codable {
            var pixelSizeX: Float
            var imageURLPath: String?
        }
        var batchSize = 32
        var imageIDs = ["a/b", "c"]
        var ratio = 0.1
        var large = 1e20
        var whole = 100.0
        var negativeZero = -0.0
        var tiny: Float = 1e-7
        var small: Int8 = -3
        var big = UInt64.max
        var missing: Int? = nil
        var present: String? = "x"
        var when = Date(timeIntervalSinceReferenceDate: 12.25)
        var bytes = Data([0, 1, 2, 250])
        var link = URL(string: "https://example.org/a/b?c=d")!
        var amount = Decimal(string: "1.10")!
        var byName: [String: Int] = ["camelCase": 1, "B": 2, "a10": 3, "a9": 4, "é": 5]
        var byNumber: [Int: String] = [2: "two", 10: "ten"]
        var inner = [Inner(pixelSizeX: 0.1, imageURLPath: nil), Inner(pixelSizeX: 2, imageURLPath: "p")]
        var nested: [[Double]] = [[], [1.5, -2]]
        var text = "q\"\\\u{8}\u{C}\n\r\t\u{1}\u{1F}\u{7F}é\u{2028}😀"
    }

    @Test(arguments: [false, true]) func encodableTypesEncodeAsJSONEncoderDoes(snakeCase: Bool) throws {
        let value = try JSONValueEncoder(convertsKeysToSnakeCase: snakeCase).encode(Record())
        let pretty = JSONWriter.bytes(of: value, options: JSONWriter.Options(prettyPrinted: true), sortingKeys: true)
        let expected = try Self.foundation(Record(), [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes], snakeCase: snakeCase)
        #expect(pretty == expected, "\(String(decoding: pretty, as: UTF8.self))")
        if snakeCase {
            #expect(value["batch_size"] != nil && value["image_i_ds"] != nil && value["inner"]?[0]?["image_url_path"] == nil)
            #expect(value["inner"]?[1]?["image_url_path"] == "p")
            #expect(value["by_name"]?["camelCase"] == 1)  // a dictionary's keys are data, not member names
        }
    }

    @Test func snakeCaseFollowsJSONEncoder() throws {
        struct Keys: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: JSONCodingKey.self)
                for key in ["a", "aB", "URLValue", "myURLValue", "already_snake", "x1Y2", "ABC", "aBC", "_lead", "trail_", "éÉé"] {
                    try container.encode(1, forKey: JSONCodingKey(key))
                }
            }
        }
        let written = JSONWriter.bytes(of: try JSONValueEncoder(convertsKeysToSnakeCase: true).encode(Keys()), sortingKeys: true)
        #expect(written == (try Self.foundation(Keys(), [.sortedKeys], snakeCase: true)), "\(String(decoding: written, as: UTF8.self))")
    }

    @Test func nonFiniteNumbersAreRefusedNotWritten() {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([1, Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(["a": Float.infinity]) }
    }

    @Test func streamingLayoutMatchesTheTreeLayout() throws {
        for pretty in [false, true] {
            var writer = JSONWriter(options: JSONWriter.Options(prettyPrinted: pretty))
            writer.beginObject()
            writer.key("a")
            writer.doubles([1, 0.5, 3e20])
            writer.key("b")
            writer.beginArray()
            writer.endArray()
            writer.key("c")
            writer.beginObject()
            writer.key("d")
            writer.null()
            writer.endObject()
            writer.endObject()
            let tree: JSONValue = ["a": [1, 0.5, .number(JSONNumber(literal: "3e+20")!)], "b": [], "c": ["d": nil]]
            #expect(writer.bytes == JSONWriter.bytes(of: tree, options: writer.options), "\(String(decoding: writer.bytes, as: UTF8.self))")
        }
    }

    @Test func writtenValuesReadBackEqual() throws {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<300 {
            let value = JSONRoundTripTests.randomValue(&rng, depth: 0)
            for options in [JSONWriter.Options(), JSONWriter.Options(prettyPrinted: true, escapesSlashes: true)] {
                let bytes = JSONWriter.bytes(of: value, options: options)
                #expect(try JSONParser.parse(bytes) == value, "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
