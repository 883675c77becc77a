/// Keyed access to a JSON object.
struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let decoder: JSONValueDecoderImpl

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    private func access(_ key: Key) {
        decoder.state.access(key.stringValue, in: decoder.decodedPointer)
    }

    func contains(_ key: Key) -> Bool {
        access(key)
        return object[key.stringValue] != nil
    }

    /// The decoder for a present member, or a missing-member error (strict) / stand-in (lenient).
    private func memberDecoder(_ key: Key) throws -> JSONValueDecoderImpl {
        access(key)
        if let value = object[key.stringValue] { return decoder.child(key, value: value) }
        guard decoder.lenient else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: codingPath, debugDescription: "missing member '\(key.stringValue)'"))
        }
        var missing = decoder.child(key, value: .null)
        missing.isMissing = true
        return missing
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        access(key)
        return object[key.stringValue]?.isNull ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try memberDecoder(key).decodeValue(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        access(key)
        guard let value = object[key.stringValue] else { return nil }
        let child = decoder.child(key, value: value)
        if value.isNull {
            if decoder.state.options.reportsNullMembers { decoder.state.record(.nullMember, at: child.sourcePointer) }
            return nil
        }
        return try child.decodeOptional(type)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try memberDecoder(key).decodeValue(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try memberDecoder(key).decodeValue(type) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeIfPresent(type, generic: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeIfPresent(type, generic: key) }

    private func decodeIfPresent<T: Decodable>(_ type: T.Type, generic key: Key) throws -> T? {
        try decodeIfPresent(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try memberDecoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try memberDecoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.child(JSONCodingKey("super"), value: object["super"] ?? .null)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try memberDecoder(key)
    }
}

/// Sequential access to a JSON array (after lenient reshaping).
struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: JSONValueDecoderImpl
    private(set) var currentIndex = 0

    init(elements: [JSONValue], decoder: JSONValueDecoderImpl) {
        self.elements = elements
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private func elementDecoder() throws -> JSONValueDecoderImpl {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self,
                DecodingError.Context(codingPath: codingPath + [JSONCodingKey(intValue: currentIndex)], debugDescription: "the list has no more elements"))
        }
        return decoder.child(JSONCodingKey(intValue: currentIndex), value: elements[currentIndex])
    }

    mutating func decodeNil() throws -> Bool {
        let element = try elementDecoder()
        if element.value.isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try elementDecoder().decodeValue(type)
        currentIndex += 1
        return value
    }

    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        let value = try elementDecoder().decodeOptional(type)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try elementDecoder().container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try elementDecoder().unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let element = try elementDecoder()
        currentIndex += 1
        return element
    }
}

/// Access to a single scalar (or a whole value, for types that decode themselves).
struct JSONSingleValueContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoderImpl

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeValue(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeValue(type) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeValue(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeValue(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeValue(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeValue(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeValue(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeValue(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeValue(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeValue(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeValue(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeValue(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeValue(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeValue(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
