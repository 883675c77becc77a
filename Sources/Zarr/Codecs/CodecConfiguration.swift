public import MIFACore

/// A codec description being read by a codec factory: typed access to the configuration members,
/// with errors that name the member's JSON pointer and the metadata file.
public struct CodecConfiguration: Sendable {
    /// The description being read.
    public let description: CodecDescription
    /// The metadata file, for errors.
    public let file: String?

    /// A configuration to read.
    public init(_ description: CodecDescription, file: String?) {
        self.description = description
        self.file = file
    }

    /// The codec name as written.
    public var name: String { description.name }

    /// An `.invalidMetadata` error at `member` (or the configuration itself).
    public func error(_ message: String, member: String? = nil, kind: ZarrError.Code = .invalidMetadata) -> ZarrError {
        var pointer = JSONPointer(parsing: description.pointer) ?? .root
        pointer = pointer.appending("configuration")
        if let member { pointer = pointer.appending(member) }
        return ZarrError(kind, "codec '\(name)': \(message)", context: ErrorContext(file: file, pointer: pointer.description))
    }

    /// The raw member.
    public subscript(member: String) -> JSONValue? {
        description.configuration[member]
    }

    /// An integer member; `defaultValue` when absent (required when `nil`).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when missing, not an integer, or outside `range`.
    public func int(_ member: String, default defaultValue: Int? = nil, in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let value = self[member], !value.isNull else {
            if let defaultValue { return defaultValue }
            throw error("the configuration member '\(member)' is missing", member: member)
        }
        guard let int = value.numberValue?.intValue else {
            throw error("'\(member)' must be an integer, found \(value.summary)", member: member)
        }
        if let range, !range.contains(int) {
            throw error("'\(member)' must be in \(range.lowerBound)...\(range.upperBound), found \(int)", member: member)
        }
        return int
    }

    /// A string member; `defaultValue` when absent (required when `nil`).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when missing or not a string, or not one of `allowed`.
    public func string(_ member: String, default defaultValue: String? = nil, allowed: [String]? = nil) throws -> String {
        guard let value = self[member], !value.isNull else {
            if let defaultValue { return defaultValue }
            throw error("the configuration member '\(member)' is missing", member: member)
        }
        guard let text = value.stringValue else {
            throw error("'\(member)' must be a string, found \(value.summary)", member: member)
        }
        if let allowed, !allowed.contains(text) {
            throw error("'\(member)' must be one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), found \"\(text)\"", member: member)
        }
        return text
    }

    /// A Boolean member; `defaultValue` when absent (required when `nil`).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when missing or not a Boolean.
    public func bool(_ member: String, default defaultValue: Bool? = nil) throws -> Bool {
        guard let value = self[member], !value.isNull else {
            if let defaultValue { return defaultValue }
            throw error("the configuration member '\(member)' is missing", member: member)
        }
        guard let flag = value.boolValue else {
            throw error("'\(member)' must be true or false, found \(value.summary)", member: member)
        }
        return flag
    }

    /// A list of codec descriptions (the nested chains of `sharding_indexed`).
    /// - Throws: ``ZarrError`` `.invalidMetadata` when the member is not a list of codecs.
    public func codecs(_ member: String) throws -> [CodecDescription]? {
        guard let value = self[member], !value.isNull else { return nil }
        let pointer = (JSONPointer(parsing: description.pointer) ?? .root).appending("configuration").appending(member)
        let field = MetadataField(value, pointer: pointer, file: file)
        return try field.array().map(ArrayMetadata.parseCodec)
    }
}
