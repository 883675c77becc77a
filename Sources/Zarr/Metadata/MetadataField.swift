import MIFACore

/// A value inside a metadata document with its JSON pointer and file, so that every error names
/// exactly where the problem is (`.zarray /chunks/1: expected a non-negative integer`).
struct MetadataField {
    let value: JSONValue
    let pointer: JSONPointer
    let file: String?

    init(_ value: JSONValue, pointer: JSONPointer = .root, file: String?) {
        self.value = value
        self.pointer = pointer
        self.file = file
    }

    /// An `.invalidMetadata` error at this value.
    func fail(_ message: String, _ kind: ZarrError.Code = .invalidMetadata) -> ZarrError {
        ZarrError(kind, message, context: ErrorContext(file: file, pointer: pointer.description))
    }

    func expected(_ what: String) -> ZarrError {
        fail("expected \(what), found \(value.summary)")
    }

    func object() throws -> JSONObject {
        guard case .object(let object) = value else { throw expected("an object") }
        return object
    }

    /// The member `key`, which must be present.
    func member(_ key: String) throws -> MetadataField {
        let object = try object()
        guard let child = object[key] else {
            throw fail("the required member '\(key)' is missing")
        }
        return MetadataField(child, pointer: pointer.appending(key), file: file)
    }

    /// The member `key`, or `nil` when absent.
    func optionalMember(_ key: String) throws -> MetadataField? {
        let object = try object()
        return object[key].map { MetadataField($0, pointer: pointer.appending(key), file: file) }
    }

    /// The member `key` unless it is absent or `null`.
    func nonNullMember(_ key: String) throws -> MetadataField? {
        guard let child = try optionalMember(key), !child.value.isNull else { return nil }
        return child
    }

    func string() throws -> String {
        guard case .string(let text) = value else { throw expected("a string") }
        return text
    }

    func bool() throws -> Bool {
        guard case .bool(let flag) = value else { throw expected("true or false") }
        return flag
    }

    func int() throws -> Int {
        guard case .number(let number) = value, let int = number.intValue else { throw expected("an integer") }
        return int
    }

    func nonNegativeInt() throws -> Int {
        let int = try int()
        guard int >= 0 else { throw expected("a non-negative integer") }
        return int
    }

    func array() throws -> [MetadataField] {
        guard case .array(let items) = value else { throw expected("a list") }
        return items.enumerated().map { MetadataField($1, pointer: pointer.appending(index: $0), file: file) }
    }

    func intArray(positive: Bool = false) throws -> [Int] {
        try array().map { item in
            let int = try item.nonNegativeInt()
            if positive && int == 0 { throw item.expected("a positive integer") }
            return int
        }
    }

    /// Refuses members not in `known`, unless they are objects with `"must_understand": false`.
    func refuseUnknownMembers(known: Set<String>) throws {
        for member in try object() where !known.contains(member.key) {
            if case .object(let inner) = member.value, inner["must_understand"] == .bool(false) { continue }
            throw ZarrError(.unsupportedExtension,
                            "unknown metadata member '\(member.key)' must be understood and is not; only members marked \"must_understand\": false can be ignored",
                            context: ErrorContext(file: file, pointer: pointer.appending(member.key).description))
        }
    }
}
