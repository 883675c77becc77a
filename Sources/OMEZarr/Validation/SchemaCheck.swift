import MIFACore

/// The JSON Schema (draft 2020-12) primitives the OME-NGFF schemas use, applied by hand: types,
/// `required`, `enum`, `minItems`/`maxItems`, `uniqueItems`, `minimum`/`exclusiveMinimum` and the
/// alphanumeric `pattern`s. Each check records an issue at its JSON pointer and returns the typed
/// value when the check passed, so callers descend only into well-typed parts.
struct SchemaCheck {
    /// The findings so far.
    var issues: [NGFFIssue] = []

    mutating func error(_ code: NGFFIssueCode, _ pointer: JSONPointer, _ message: String) {
        issues.append(NGFFIssue(.error, code, at: pointer, message))
    }

    mutating func warning(_ code: NGFFIssueCode, _ pointer: JSONPointer, _ message: String) {
        issues.append(NGFFIssue(.warning, code, at: pointer, message))
    }

    /// The object, or an issue.
    mutating func object(_ value: JSONValue, _ pointer: JSONPointer, _ what: String) -> JSONObject? {
        guard let object = value.objectValue else {
            error(.wrongType, pointer, "\(what) must be an object, found \(value.summary)")
            return nil
        }
        return object
    }

    /// The list, or an issue; also checks `minItems`, `maxItems` and `uniqueItems` (and still
    /// returns the list when only those fail, so its items are checked too).
    mutating func array(_ value: JSONValue, _ pointer: JSONPointer, _ what: String, minItems: Int? = nil, maxItems: Int? = nil,
                        unique: Bool = false) -> [JSONValue]? {
        guard let items = value.arrayValue else {
            error(.wrongType, pointer, "\(what) must be a list, found \(value.summary)")
            return nil
        }
        if let minItems, items.count < minItems {
            error(.itemCount, pointer, items.isEmpty ? "\(what) must not be empty" : "\(what) must have at least \(minItems) items, found \(items.count)")
        }
        if let maxItems, items.count > maxItems {
            error(.itemCount, pointer, "\(what) must have at most \(maxItems) items, found \(items.count)")
        }
        if unique, let (first, second) = Self.firstDuplicate(items) {
            error(.duplicate, pointer.appending(index: second), "\(what) must not repeat an item; item \(second) equals item \(first)")
        }
        return items
    }

    /// The string, or an issue; also checks `enum` and the `^[A-Za-z0-9]+$` pattern.
    @discardableResult
    mutating func string(_ value: JSONValue, _ pointer: JSONPointer, _ what: String, oneOf allowed: [String]? = nil,
                         alphanumeric: Bool = false) -> String? {
        guard let text = value.stringValue else {
            error(.wrongType, pointer, "\(what) must be a string, found \(value.summary)")
            return nil
        }
        if let allowed, !allowed.contains(text) {
            error(.invalidValue, pointer, "\(what) must be \(allowed.map { "\"\($0)\"" }.joined(separator: " or ")), found \"\(text)\"")
            return nil
        }
        if alphanumeric, !Self.isAlphanumeric(text) {
            error(.invalidValue, pointer, "\(what) must be letters and digits only (A-Z, a-z, 0-9), found \"\(text)\"")
            return nil
        }
        return text
    }

    /// The number, or an issue.
    @discardableResult
    mutating func number(_ value: JSONValue, _ pointer: JSONPointer, _ what: String) -> JSONNumber? {
        guard let number = value.numberValue else {
            error(.wrongType, pointer, "\(what) must be a number, found \(value.summary)")
            return nil
        }
        return number
    }

    /// The integer (a number without fractional part), or an issue; also checks bounds.
    @discardableResult
    mutating func integer(_ value: JSONValue, _ pointer: JSONPointer, _ what: String, minimum: Int? = nil,
                          exclusiveMinimum: Int? = nil) -> JSONNumber? {
        guard let number = value.numberValue, Self.isInteger(number) else {
            error(.wrongType, pointer, "\(what) must be an integer, found \(value.summary)")
            return nil
        }
        if let minimum, Self.compare(number, minimum) < 0 {
            error(.invalidValue, pointer, "\(what) must be at least \(minimum), found \(number.literal)")
            return nil
        }
        if let exclusiveMinimum, Self.compare(number, exclusiveMinimum) <= 0 {
            error(.invalidValue, pointer, "\(what) must be greater than \(exclusiveMinimum), found \(number.literal)")
            return nil
        }
        return number
    }

    /// The Boolean, or an issue.
    mutating func boolean(_ value: JSONValue, _ pointer: JSONPointer, _ what: String) {
        if value.boolValue == nil { error(.wrongType, pointer, "\(what) must be true or false, found \(value.summary)") }
    }

    /// An issue per missing key.
    mutating func require(_ keys: [String], in object: JSONObject, _ pointer: JSONPointer, _ what: String, strict: Bool = false) {
        for key in keys where !object.contains(key: key) {
            let reason = strict ? " (required by the strict schema)" : ""
            error(.missingRequired, pointer, "\(what) is missing the required key '\(key)'\(reason)")
        }
    }

    // MARK: Predicates

    /// Whether the number has no fractional part (JSON Schema's `integer`: `1.0` is one).
    static func isInteger(_ number: JSONNumber) -> Bool {
        if number.int64Value != nil || number.uint64Value != nil { return true }
        let text = number.literal.lowercased()
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1].replacingOccurrences(of: "+", with: "")) ?? Int.max : 0
        let fraction = mantissa.split(separator: ".", maxSplits: 1).dropFirst().first.map { String($0.reversed().drop { $0 == "0" }.reversed()) } ?? ""
        if mantissa.allSatisfy({ $0 == "0" || $0 == "." || $0 == "-" }) { return true }
        return exponent >= fraction.count
    }

    /// The sign of `number - bound`.
    static func compare(_ number: JSONNumber, _ bound: Int) -> Int {
        if let value = number.doubleValue {
            return value < Double(bound) ? -1 : (value > Double(bound) ? 1 : 0)
        }
        return number.literal.hasPrefix("-") ? -1 : 1
    }

    /// Whether the text is non-empty ASCII letters and digits (`^[A-Za-z0-9]+$`).
    static func isAlphanumeric(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    /// The first pair of equal items (JSON equality), as indices.
    static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        // Objects whose member named like the first object's first member holds a different
        // integer in each are all different: checking those integers is far cheaper than hashing
        // whole objects (label colours and properties: one object per label value).
        if case .object(let first)? = items.first, !first.isEmpty {
            let key = first[0].key
            var values = Set<Int64>(minimumCapacity: items.count)
            let distinct = items.allSatisfy { item in
                guard case .object(let object) = item, case .number(let number)? = object[key], let value = number.int64Value else { return false }
                return values.insert(value).inserted
            }
            if distinct { return nil }
        }
        var seen: [JSONValue: Int] = [:]
        for (index, item) in items.enumerated() {
            if let first = seen[item] { return (first, index) }
            seen[item] = index
        }
        return nil
    }
}
