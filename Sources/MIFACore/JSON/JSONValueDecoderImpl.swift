/// The `Decoder` for one value of a ``JSONValue`` tree.
struct JSONValueDecoderImpl: Decoder {
    let value: JSONValue
    /// Where the value is in the decoded document.
    let decodedPointer: JSONPointer
    /// Where the value was written.
    let sourcePointer: JSONPointer
    let codingPath: [any CodingKey]
    let state: JSONDecodingState
    /// Set when the member is missing altogether (a lenient non-optional decode).
    var isMissing = false

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, decodedPointer: JSONPointer, sourcePointer: JSONPointer, codingPath: [any CodingKey], state: JSONDecodingState) {
        self.value = value
        self.decodedPointer = decodedPointer
        self.sourcePointer = sourcePointer
        self.codingPath = codingPath
        self.state = state
    }

    var lenient: Bool { state.options.collectsProblems }

    /// The decoder for child `key` (a member name or a decoded list index) holding `value`.
    func child(_ key: any CodingKey, value: JSONValue) -> JSONValueDecoderImpl {
        let token = key.intValue.map(String.init) ?? key.stringValue
        return JSONValueDecoderImpl(
            value: value, decodedPointer: decodedPointer.appending(token),
            sourcePointer: state.pointerMap.sourceChild(ofDecoded: decodedPointer, source: sourcePointer, token: token),
            codingPath: codingPath + [key], state: state)
    }

    /// Reports that the value is not what the type needs. Strict: throws. Lenient: records the
    /// problem, marks the value as replaced, and returns so the caller can produce a stand-in.
    func mismatch(_ type: Any.Type, expected: String) throws {
        let found = isMissing ? "nothing (the member is missing)" : value.summary
        if lenient {
            state.record(.typeMismatch(expected: expected, found: found), at: sourcePointer)
            state.substituted.insert(decodedPointer)
            return
        }
        let context = DecodingError.Context(codingPath: codingPath, debugDescription: "expected \(expected), found \(found)")
        if value.isNull { throw DecodingError.valueNotFound(type, context) }
        throw DecodingError.typeMismatch(type, context)
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            try mismatch(JSONObject.self, expected: "an object")
            return KeyedDecodingContainer(JSONKeyedContainer<Key>(object: JSONObject(), decoder: self))
        }
        state.registerObject(object, decoded: decodedPointer, source: sourcePointer)
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(object: object, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let elements):
            guard state.options.skipsNullListElements, elements.contains(where: \.isNull) else {
                return JSONUnkeyedContainer(elements: elements, decoder: self)
            }
            var kept: [JSONValue] = []
            var tokens: [String] = []
            for (index, element) in elements.enumerated() {
                let token = state.pointerMap.sourceChild(ofDecoded: decodedPointer, source: sourcePointer, token: String(index))
                if element.isNull {
                    state.record(.nullListElement, at: token)
                } else {
                    kept.append(element)
                    tokens.append(token.lastToken ?? String(index))
                }
            }
            state.pointerMap.recordElementSources(of: decodedPointer, sourceTokens: tokens)
            return JSONUnkeyedContainer(elements: kept, decoder: self)
        case .string, .number, .bool, .object:
            if state.options.wrapsSingleValuesInLists {
                state.record(.wrappedInList, at: sourcePointer)
                state.pointerMap.recordWrappedValue(at: decodedPointer)
                return JSONUnkeyedContainer(elements: [value], decoder: self)
            }
        case .null:
            break
        }
        try mismatch([JSONValue].self, expected: "a list")
        return JSONUnkeyedContainer(elements: [], decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueContainer(decoder: self)
    }

    // MARK: Values

    /// Decodes `T` from this value, handling the scalar types and ``JSONValue`` directly.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let result = try decodeScalar(type) { return result }
        return try T(from: self)
    }

    /// `T` if it is a type this decoder reads directly (strings, Booleans, numbers, JSON values),
    /// else `nil`.
    private func decodeScalar<T>(_ type: T.Type) throws -> T? {
        switch type {
        case is JSONValue.Type:
            return value as? T
        case is String.Type:
            guard case .string(let text) = value else {
                try mismatch(type, expected: "a string")
                return "" as? T
            }
            return text as? T
        case is Bool.Type:
            guard case .bool(let flag) = value else {
                try mismatch(type, expected: "true or false")
                return false as? T
            }
            return flag as? T
        case is Double.Type:
            return try decodeFloatingPoint(type) { $0 as? T }
        case is Float.Type:
            return try decodeFloatingPoint(type) { Float($0) as? T }
        case is Int.Type: return try decodeInteger(Int.self) as? T
        case is Int8.Type: return try decodeInteger(Int8.self) as? T
        case is Int16.Type: return try decodeInteger(Int16.self) as? T
        case is Int32.Type: return try decodeInteger(Int32.self) as? T
        case is Int64.Type: return try decodeInteger(Int64.self) as? T
        case is UInt.Type: return try decodeInteger(UInt.self) as? T
        case is UInt8.Type: return try decodeInteger(UInt8.self) as? T
        case is UInt16.Type: return try decodeInteger(UInt16.self) as? T
        case is UInt32.Type: return try decodeInteger(UInt32.self) as? T
        case is UInt64.Type: return try decodeInteger(UInt64.self) as? T
        default:
            return nil
        }
    }

    private func decodeFloatingPoint<T>(_ type: T.Type, _ convert: (Double) -> T?) throws -> T? {
        if case .number(let number) = value, let double = number.doubleValue { return convert(double) }
        try mismatch(type, expected: "a number")
        return convert(0)
    }

    private func decodeInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        if case .number(let number) = value {
            if let exact = number.int64Value.flatMap({ I(exactly: $0) }) ?? number.uint64Value.flatMap({ I(exactly: $0) }) {
                return exact
            }
            try mismatch(type, expected: "an integer from \(I.min) to \(I.max)")
            return 0
        }
        try mismatch(type, expected: "an integer")
        return 0
    }

    /// Decodes an optional member or element: `nil` for `null`, and in lenient mode also `nil`
    /// when the value had to be replaced or its type threw.
    func decodeOptional<T: Decodable>(_ type: T.Type) throws -> T? {
        if value.isNull { return nil }
        guard lenient else { return try decodeValue(type) }
        do {
            let result = try decodeValue(type)
            if state.substituted.remove(decodedPointer) != nil { return nil }
            return result
        } catch let error as DecodingError {
            state.record(.invalidValue(JSONValueDecoderImpl.message(of: error)), at: sourcePointer(of: error))
            return nil
        }
    }

    /// The written place a `DecodingError` thrown below this decoder refers to.
    private func sourcePointer(of error: DecodingError) -> JSONPointer {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            path = codingPath
        }
        return state.pointerMap.sourcePointer(for: JSONPointer(codingPath: path))
    }

    static func message(of error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.debugDescription
        case .keyNotFound(let key, let context):
            return "missing member '\(key.stringValue)'" + (context.debugDescription.isEmpty ? "" : ": \(context.debugDescription)")
        @unknown default:
            return "\(error)"
        }
    }
}
