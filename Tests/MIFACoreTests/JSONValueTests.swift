import Testing
@testable import MIFACore

@Suite struct JSONValueTests {
    @Test func numbersCompareByValue() {
        let hundred = ["100", "100.0", "1e2", "1.00E+2", "10000e-2"].compactMap(JSONNumber.init(literal:))
        #expect(hundred.count == 5)
        for number in hundred {
            #expect(number == hundred[0])
            #expect(number.hashValue == hundred[0].hashValue)
            #expect(number.int64Value == 100)
        }
        #expect(JSONNumber(literal: "-0") == JSONNumber(literal: "0"))
        #expect(JSONNumber(literal: "0.1") != JSONNumber(literal: "0.10000000000000001"))
        #expect(JSONNumber(literal: "1.5")?.int64Value == nil)
        #expect(JSONNumber(literal: "18446744073709551615")?.uint64Value == UInt64.max)
        #expect(JSONNumber(literal: "18446744073709551615")?.int64Value == nil)
        #expect(JSONNumber(literal: "-1")?.uint64Value == nil)
        #expect(JSONNumber(literal: "1e99999999999999999999")?.int64Value == nil)
        for bad in ["", "-", "01", "1.", ".5", "+1", "1e", "0x10", "inf", "NaN", " 1"] {
            #expect(JSONNumber(literal: bad) == nil, "\(bad)")
        }
        #expect(JSONNumber(100.0)?.literal == "100")
        #expect(JSONNumber(Double.nan) == nil)
    }

    @Test func objectsKeepOrderButCompareUnordered() {
        var a: JSONObject = ["x": 1, "y": 2]
        let b: JSONObject = ["y": 2, "x": 1]
        #expect(a.keys == ["x", "y"])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        a["x"] = nil
        #expect(a.keys == ["y"])
        a["z"] = 3
        a["y"] = 4
        #expect(a.keys == ["y", "z"])
        #expect(a["y"] == 4)
    }

    @Test func summariesDescribeValues() {
        #expect(JSONValue.number(JSONNumber(literal: "1.10")!).summary == "number 1.10")
        #expect(JSONValue.array([1, 2]).summary == "a list of 2 items")
        #expect(JSONValue.object(["a": 1]).summary == "an object with keys a")
        #expect(JSONValue.string(String(repeating: "x", count: 100)).summary.count < 75)
    }
}

@Suite struct JSONPointerTests {
    @Test func escapesAndParses() throws {
        let pointer = JSONPointer(tokens: ["a/b", "m~n", "", "0"])
        #expect(pointer.description == "/a~1b/m~0n//0")
        #expect(JSONPointer(parsing: pointer.description) == pointer)
        #expect(JSONPointer(parsing: "") == .root)
        #expect(JSONPointer(parsing: "a") == nil)
        #expect(JSONPointer(parsing: "/a~2") == nil)
        #expect(JSONPointer(parsing: "/~") == nil)
        #expect(JSONPointer(parsing: "/~01")?.tokens == ["~1"])
        #expect(JSONPointer(parsing: "/\u{7E}\u{301}") == nil)  // a tilde followed by a combining accent is still a bare tilde
    }

    @Test func resolvesPerRFC6901() throws {
        // The example document of RFC 6901 section 5.
        let document = try JSONParser.parse(#"{"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8}"#)
        let cases: [(String, JSONValue?)] = [
            ("", document), ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1), ("/c%d", 2), ("/e^f", 3),
            ("/g|h", 4), ("/i\\j", 5), ("/k\"l", 6), ("/ ", 7), ("/m~0n", 8), ("/foo/01", nil), ("/foo/2", nil), ("/foo/-", nil),
        ]
        for (text, expected) in cases {
            #expect(JSONPointer(parsing: text)?.resolve(in: document) == expected, "\(text)")
        }
    }

    @Test func ordersIndicesNumerically() {
        #expect(JSONPointer(parsing: "/a/2")! < JSONPointer(parsing: "/a/10")!)
        #expect(JSONPointer(parsing: "/a")! < JSONPointer(parsing: "/a/0")!)
        #expect(JSONPointer(parsing: "/a/b")!.hasPrefix("/a"))
        #expect(!JSONPointer(parsing: "/ab")!.hasPrefix("/a"))
        #expect(JSONPointer(codingPath: [JSONCodingKey("x"), JSONCodingKey(intValue: 3)]).description == "/x/3")
    }
}

/// Equality and hashing of numbers agree however a value is spelled (random values, several
/// spellings each), including the fast path for plain integers.
@Suite struct JSONNumberSpellingTests {
    private static func spellings(_ value: Int64) -> [String] {
        var out = [String(value)]
        let sign = value < 0 ? "-" : ""
        let magnitude = String(value.magnitude)
        out.append("\(sign)\(magnitude).0")
        out.append("\(sign)\(magnitude)e0")
        if value != 0 { out.append("\(sign)\(magnitude)0e-1") }  // "00e-1" is not JSON
        if magnitude.hasSuffix("0"), magnitude.count > 1 {
            out.append("\(sign)\(magnitude.dropLast())e1")
            out.append("\(sign)\(magnitude.dropLast()).0E+1")
        }
        if magnitude.count > 1 {
            let head = magnitude.prefix(1), tail = magnitude.dropFirst()
            out.append("\(sign)\(head).\(tail)e\(tail.count)")
        }
        return out
    }

    @Test func everySpellingOfAnIntegerIsEqualAndHashesAlike() {
        var generator = SystemRandomNumberGenerator()
        var values: [Int64] = [0, -1, 1, 10, 100, -100, Int64.max, Int64.min + 1, 999_999_999_999_999_999]
        for _ in 0..<300 {
            let digits = Int.random(in: 1...19, using: &generator)
            let bound = digits >= 19 ? Int64.max : (0..<digits).reduce(Int64(1)) { power, _ in power * 10 }
            values.append(Int64.random(in: -bound...bound, using: &generator))
        }
        for value in values {
            let numbers = Self.spellings(value).compactMap(JSONNumber.init(literal:))
            #expect(numbers.count == Self.spellings(value).count)
            for number in numbers {
                #expect(number.int64Value == value, "\(number.literal)")
                #expect(number == numbers[0], "\(number.literal) vs \(numbers[0].literal)")
                #expect(number.hashValue == numbers[0].hashValue, "\(number.literal) vs \(numbers[0].literal)")
            }
            let other = JSONNumber(literal: String(value &+ 1))!
            #expect(other != numbers[0])
        }
        #expect(JSONNumber(literal: "-0")!.hashValue == JSONNumber(literal: "0.0")!.hashValue)
        #expect(JSONNumber(literal: "1.5")! == JSONNumber(literal: "15e-1")!)
        #expect(JSONNumber(literal: "1.5")!.hashValue == JSONNumber(literal: "15e-1")!.hashValue)
        #expect(JSONNumber(literal: "12345678901234567890123")! == JSONNumber(literal: "1.2345678901234567890123e22")!)
        #expect(JSONNumber(literal: "12345678901234567890123")!.hashValue == JSONNumber(literal: "1.2345678901234567890123e22")!.hashValue)
    }
}
