/// Where two JSON documents differ, as JSON pointers (RFC 6901).
public struct JSONDifferences: Codable, Sendable, Hashable {
    /// Members and array elements only the newer document has.
    public var added: [String] = []
    /// Members and array elements only the older document has.
    public var removed: [String] = []
    /// Values present in both whose content differs (the deepest place that differs: a scalar,
    /// or a value whose type changed).
    public var changed: [String] = []

    /// No differences.
    public init() {}

    /// Whether the documents are equal.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}

extension JSONValue {
    /// Where `newer` differs from this document: objects are compared member by member, arrays
    /// element by element (by position), everything else by value; the pointers are in document order.
    public func differences(to newer: JSONValue) -> JSONDifferences {
        var result = JSONDifferences()
        Self.compare(self, newer, at: .root, into: &result)
        return result
    }

    private static func compare(_ old: JSONValue, _ new: JSONValue, at pointer: JSONPointer, into result: inout JSONDifferences) {
        switch (old, new) {
        case (.object(let a), .object(let b)):
            for member in a.members {
                let place = pointer.appending(member.key)
                if let other = b[member.key] {
                    compare(member.value, other, at: place, into: &result)
                } else {
                    result.removed.append(place.description)
                }
            }
            for member in b.members where !a.contains(key: member.key) {
                result.added.append(pointer.appending(member.key).description)
            }
        case (.array(let a), .array(let b)):
            for index in 0..<min(a.count, b.count) {
                compare(a[index], b[index], at: pointer.appending(index: index), into: &result)
            }
            for index in b.count..<max(a.count, b.count) where b.count < a.count {
                result.removed.append(pointer.appending(index: index).description)
            }
            for index in a.count..<max(a.count, b.count) where a.count < b.count {
                result.added.append(pointer.appending(index: index).description)
            }
        default:
            if old != new { result.changed.append(pointer.description) }
        }
    }
}
