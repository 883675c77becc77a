public import MIFACore

/// One problem (or one normalisation) found in a metadata document.
///
/// The ``pointer`` addresses the value in the document as the user wrote it (a JSON pointer, also
/// for YAML files); ``position`` adds the line and column when the document came from a file.
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// How serious the issue is: an error makes the document invalid, a warning is allowed but
    /// probably not what was meant, info notes something the reader normalised or derived.
    public typealias Severity = IssueSeverity

    /// A stable, machine-readable issue code.
    public enum Code: String, Codable, Sendable, Hashable, CaseIterable {
        /// A required field is absent, `null`, blank, or an empty list.
        case missingRequired = "missing-required"
        /// A value has the wrong JSON/YAML type.
        case wrongType = "wrong-type"
        /// A type rejected a value for another reason.
        case invalidValue = "invalid-value"
        /// A member that MIFA does not define (ignored; not written out).
        case unknownKey = "unknown-key"
        /// An ORCID iD that does not have the ORCID shape.
        case invalidORCID = "invalid-orcid"
        /// An ORCID iD whose check digit is wrong.
        case orcidCheckDigit = "orcid-check-digit"
        /// An e-mail address without the `name@domain.tld` shape.
        case invalidEmail = "invalid-email"
        /// A license that is not an SPDX id and is not a known spelling of one.
        case invalidLicense = "invalid-license"
        /// An SPDX id that SPDX has deprecated.
        case deprecatedLicense = "deprecated-license"
        /// A date-time that is not RFC 3339 with an offset, or not a real date.
        case invalidDateTime = "invalid-date-time"
        /// A DOI without the `10.NNNN/suffix` shape.
        case invalidDOI = "invalid-doi"
        /// An annotation type outside the MIFA enum.
        case invalidAnnotationType = "invalid-annotation-type"
        /// An annotation source indicator outside its enum.
        case invalidAnnotationSourceIndicator = "invalid-annotation-source-indicator"
        /// An annotation id used twice in the document.
        case duplicateAnnotationID = "duplicate-annotation-id"
        /// An image id used twice in the document.
        case duplicateImageID = "duplicate-image-id"
        /// A `source_image_id` naming no image of the document's `images`.
        case unknownSourceImage = "unknown-source-image"
        /// A `null` or blank value that was dropped.
        case blankValue = "blank-value"
        /// A single value read as a one-element list.
        case wrappedInList = "wrapped-in-list"
        /// An ORCID iD rewritten in its bare form.
        case normalizedORCID = "normalized-orcid"
        /// A DOI rewritten in its bare form.
        case normalizedDOI = "normalized-doi"
        /// A license rewritten as its SPDX id.
        case normalizedLicense = "normalized-license"
        /// Whitespace around an identifier, date or enum value removed.
        case trimmedWhitespace = "trimmed-whitespace"
        /// An annotation set's types derived from its files' types.
        case derivedAnnotationType = "derived-annotation-type"
        /// Publications given as an object keyed by DOI, read as a list.
        case publicationsKeyedByDOI = "publications-keyed-by-doi"
    }

    /// How serious.
    public var severity: Severity
    /// Where, in the document as written.
    public var pointer: JSONPointer
    /// What kind of issue.
    public var code: Code
    /// What is wrong (or what was changed), in a sentence.
    public var message: String
    /// What was expected, if that can be said.
    public var expected: String?
    /// What was found, if anything.
    public var found: String?
    /// How to fix it, when there is a likely fix (a did-you-mean, the enum value meant, ...).
    public var suggestion: String?
    /// Line and column in the file, when known.
    public var position: SourcePosition?
    /// Whether reading changed the document here (a normalisation, a derived value, or a value left
    /// out), so the normalised document differs from the one written.
    public var changesDocument: Bool

    /// An issue with all its parts.
    public init(
        _ severity: Severity, _ code: Code, at pointer: JSONPointer, message: String, expected: String? = nil,
        found: String? = nil, suggestion: String? = nil, position: SourcePosition? = nil, changesDocument: Bool = false
    ) {
        self.severity = severity
        self.code = code
        self.pointer = pointer
        self.message = message
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        self.position = position
        self.changesDocument = changesDocument
    }

    /// `pointer: message (expected X, found Y) — suggestion`, as the CLI prints it.
    public var description: String {
        var text = (pointer.isRoot ? "(document root)" : pointer.description)
        if let position { text += " (line \(position.line))" }
        text += ": " + message
        switch (expected, found) {
        case let (expected?, found?): text += " (expected \(expected), found \(found))"
        case let (expected?, nil): text += " (expected \(expected))"
        case let (nil, found?): text += " (found \(found))"
        case (nil, nil): break
        }
        if let suggestion { text += " — " + suggestion }
        return text
    }
}

extension ValidationIssue: Codable {
    enum CodingKeys: String, CodingKey {
        case severity, pointer, code, message, expected, found, suggestion, line, column
        case changesDocument = "changes_document"
    }

    /// Writes the issue as a JSON object (`pointer` as text, `line`/`column` when known).
    /// - Throws: `EncodingError` from the encoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encode(pointer.description, forKey: .pointer)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(expected, forKey: .expected)
        try container.encodeIfPresent(found, forKey: .found)
        try container.encodeIfPresent(suggestion, forKey: .suggestion)
        try container.encodeIfPresent(position?.line, forKey: .line)
        try container.encodeIfPresent(position?.column, forKey: .column)
        try container.encode(changesDocument, forKey: .changesDocument)
    }

    /// Reads an issue written by ``encode(to:)``.
    /// - Throws: `DecodingError` if a member is missing or malformed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .pointer)
        guard let pointer = JSONPointer(parsing: text) else {
            throw DecodingError.dataCorruptedError(forKey: .pointer, in: container, debugDescription: "not a JSON pointer: \(text)")
        }
        var position: SourcePosition?
        if let line = try container.decodeIfPresent(Int.self, forKey: .line) {
            position = SourcePosition(line: line, column: try container.decodeIfPresent(Int.self, forKey: .column) ?? 1)
        }
        self.init(
            try container.decode(Severity.self, forKey: .severity), try container.decode(Code.self, forKey: .code),
            at: pointer, message: try container.decode(String.self, forKey: .message),
            expected: try container.decodeIfPresent(String.self, forKey: .expected),
            found: try container.decodeIfPresent(String.self, forKey: .found),
            suggestion: try container.decodeIfPresent(String.self, forKey: .suggestion), position: position,
            changesDocument: try container.decodeIfPresent(Bool.self, forKey: .changesDocument) ?? false)
    }
}
