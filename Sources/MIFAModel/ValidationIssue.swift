public import MIFACore

/// One problem (or one normalisation) found in a metadata document: a MIFACore `Diagnostic` with a
/// ``ValidationIssueCode``.
///
/// The `pointer` addresses the value in the document as the user wrote it (a JSON pointer, also
/// for YAML files); `position` adds the line and column when the document came from a file. An
/// error makes the document invalid, a warning is allowed but probably not what was meant, info
/// notes something the reader normalised or derived (`changesDocument`).
public typealias ValidationIssue = Diagnostic<ValidationIssueCode>

/// The stable, machine-readable codes of ``ValidationIssue``.
public enum ValidationIssueCode: String, DiagnosticCode {
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

extension Diagnostic where C == ValidationIssueCode {
    /// An issue with all its parts.
    public init(
        _ severity: IssueSeverity, _ code: ValidationIssueCode, at pointer: JSONPointer, message: String, expected: String? = nil,
        found: String? = nil, suggestion: String? = nil, position: SourcePosition? = nil, changesDocument: Bool = false
    ) {
        self.init(severity, code, message, context: ErrorContext(line: position?.line, column: position?.column, pointer: pointer.description),
                  expected: expected, found: found, suggestion: suggestion, changesDocument: changesDocument)
    }

    /// Where, in the document as written.
    public var pointer: JSONPointer {
        get { JSONPointer(parsing: context.pointer ?? "") ?? .root }
        set { context.pointer = newValue.description }
    }

    /// Line and column in the file, when known.
    public var position: SourcePosition? {
        get { context.line.map { SourcePosition(line: $0, column: context.column ?? 1) } }
        set {
            context.line = newValue?.line
            context.column = newValue?.column
        }
    }
}
