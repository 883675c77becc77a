/// Translates pointers into a decoded (normalised) document back to the document as written.
///
/// When a reader changes the shape of a document while reading it (a single value read as a
/// one-element list, `null` list elements left out, a keyed object read as a list), a problem found
/// later in the decoded value must still be reported at the place the user wrote. Each change is
/// recorded here, keyed by the pointer of the list in the decoded document.
public struct JSONPointerMap: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        /// The decoded list at this pointer is the written single value, as element 0.
        case wrappedValue
        /// Decoded element `i` is the written child whose token is `tokens[i]`.
        case elements([String])
    }

    private var steps: [JSONPointer: Step] = [:]

    /// A map that changes nothing.
    public init() {}

    /// Whether no change has been recorded.
    public var isEmpty: Bool { steps.isEmpty }

    /// Records that the list at `decoded` was read from a single value (its element 0 is that value).
    public mutating func recordWrappedValue(at decoded: JSONPointer) {
        steps[decoded] = .wrappedValue
    }

    /// Records that element `i` of the list at `decoded` was read from the written child
    /// `sourceTokens[i]` (an array index or an object member name).
    public mutating func recordElementSources(of decoded: JSONPointer, sourceTokens: [String]) {
        steps[decoded] = .elements(sourceTokens)
    }

    /// Where the value at `decoded` (a pointer into the decoded document) was written.
    public func sourcePointer(for decoded: JSONPointer) -> JSONPointer {
        if steps.isEmpty { return decoded }
        var decodedCursor = JSONPointer.root
        var sourceCursor = JSONPointer.root
        for token in decoded.tokens {
            sourceCursor = sourceChild(ofDecoded: decodedCursor, source: sourceCursor, token: token)
            decodedCursor = decodedCursor.appending(token)
        }
        return sourceCursor
    }

    /// The written place of child `token` of the decoded value at `decodedParent`, whose written
    /// place is `sourceParent`.
    public func sourceChild(ofDecoded decodedParent: JSONPointer, source sourceParent: JSONPointer, token: String) -> JSONPointer {
        switch steps[decodedParent] {
        case .wrappedValue?:
            return token == "0" ? sourceParent : sourceParent.appending(token)
        case .elements(let tokens)?:
            if let index = JSONPointer.arrayIndex(token), index < tokens.count {
                return sourceParent.appending(tokens[index])
            }
            return sourceParent.appending(token)
        case nil:
            return sourceParent.appending(token)
        }
    }
}
