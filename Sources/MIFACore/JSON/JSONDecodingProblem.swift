/// Something ``JSONValueDecoder`` noticed while decoding leniently (see
/// ``JSONValueDecoder/Options/lenient``), at the place in the document as written.
public struct JSONDecodingProblem: Sendable, Hashable, CustomStringConvertible {
    /// What was noticed.
    public enum Kind: Sendable, Hashable {
        /// The value has the wrong type; it was left out (or, inside a list, replaced by an empty value).
        case typeMismatch(expected: String, found: String)
        /// A member the target type does not know; it was ignored. `knownKeys` are the members the
        /// type reads, for did-you-mean suggestions.
        case unknownKey(String, knownKeys: [String])
        /// A single value where a list was expected; it was read as a one-element list.
        case wrappedInList
        /// A `null` element of a list; it was left out.
        case nullListElement
        /// A member whose value is `null`; it was read as absent.
        case nullMember
        /// The type rejected the value for another reason (the message of its decoding error).
        case invalidValue(String)
    }

    /// What was noticed.
    public var kind: Kind
    /// Where, in the document as written.
    public var pointer: JSONPointer

    /// A problem of this kind at this place.
    public init(_ kind: Kind, at pointer: JSONPointer) {
        self.kind = kind
        self.pointer = pointer
    }

    /// Whether the problem is an error in the document (a wrong type or an invalid value) rather
    /// than a tolerated variation.
    public var isTypeError: Bool {
        switch kind {
        case .typeMismatch, .invalidValue: return true
        default: return false
        }
    }

    /// `pointer: what`.
    public var description: String {
        let place = pointer.isRoot ? "(document root)" : pointer.description
        switch kind {
        case .typeMismatch(let expected, let found): return "\(place): expected \(expected), found \(found)"
        case .unknownKey(let key, _): return "\(place): unknown member '\(key)'"
        case .wrappedInList: return "\(place): single value read as a one-element list"
        case .nullListElement: return "\(place): null list element left out"
        case .nullMember: return "\(place): null value read as absent"
        case .invalidValue(let message): return "\(place): \(message)"
        }
    }
}
