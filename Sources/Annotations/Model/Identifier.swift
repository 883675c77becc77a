/// An id as annotation formats write them: COCO uses integers, GeoJSON and QuPath strings (UUIDs).
public enum Identifier: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// An integer id.
    case int(Int64)
    /// A string id.
    case string(String)

    /// An integer id.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A string id.
    public init(stringLiteral value: String) { self = .string(value) }

    /// The id as text (`42`, `a1b2-...`).
    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .string(let value): value
        }
    }

    /// The integer, if this is an integer id or a string of decimal digits.
    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .string(let value): Int64(value)
        }
    }

    /// Integers sort before strings, integers numerically, strings by their UTF-8 bytes.
    public static func < (lhs: Identifier, rhs: Identifier) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): a < b
        case (.int, .string): true
        case (.string, .int): false
        case (.string(let a), .string(let b)): Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        }
    }
}
