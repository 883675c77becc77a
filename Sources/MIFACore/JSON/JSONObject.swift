/// A JSON object: string keys, each at most once, in document order.
///
/// Iteration and ``keys`` follow the order the members were read or inserted in. Equality follows
/// JSON semantics (RFC 8259 §4: an object is an unordered collection), so `{"a":1,"b":2}` equals
/// `{"b":2,"a":1}`; the hash is computed to match.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One `key: value` member.
    public struct Member: Sendable, Hashable {
        /// The member name.
        public var key: String
        /// The member value.
        public var value: JSONValue

        /// A member with its name and value.
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in document order.
    public private(set) var members: [Member] = []
    private var positions: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// An object with these members; a repeated key replaces the earlier value in its place.
    public init(_ members: some Sequence<Member>) {
        for member in members { self[member.key] = member.value }
    }

    /// An object with these `(key, value)` pairs, in order; a repeated key replaces the earlier value.
    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// An object literal; later duplicates replace earlier values.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// The member names in order.
    public var keys: [String] { members.map(\.key) }

    /// The value for `key`, or `nil` when absent. Setting `nil` removes the member; setting a new key
    /// appends it; setting an existing key replaces its value in place.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { members[$0].value } }
        set {
            if let position = positions[key] {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    positions[key] = nil
                    for index in position..<members.count { positions[members[index].key] = index }
                }
            } else if let newValue {
                positions[key] = members.count
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Whether the object has a member named `key`.
    public func contains(key: String) -> Bool { positions[key] != nil }

    /// The position of `key` in document order, or `nil`.
    public func index(forKey key: String) -> Int? { positions[key] }

    // MARK: RandomAccessCollection

    /// The first member's position.
    public var startIndex: Int { members.startIndex }
    /// One past the last member's position.
    public var endIndex: Int { members.endIndex }
    /// The member at `position`.
    public subscript(position: Int) -> Member { members[position] }

    // MARK: Hashable (order-insensitive)

    /// Equal when both objects have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }

    /// An order-independent hash, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined = combined &+ memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}
