public import MIFACore

/// The OME-NGFF documents the official JSON Schemas describe, one per kind of group.
///
/// See the schemas at https://ngff.openmicroscopy.org/0.4/schemas/ and https://ngff.openmicroscopy.org/0.5/schemas/.
public enum NGFFDocumentKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A multiscale image (`image.schema`): `multiscales`, optional `omero`.
    case image
    /// A label image's `image-label` block (`label.schema`).
    case label
    /// A high-content screening plate (`plate.schema`).
    case plate
    /// A well of a plate (`well.schema`).
    case well
    /// A bioformats2raw container (`bf2raw.schema`): `bioformats2raw.layout`.
    case bioformats2raw
    /// The `OME` group of a bioformats2raw container (`ome.schema`): `series`.
    case series
}

/// One finding of the OME-NGFF validator (``NGFFValidator``) or of opening an image
/// (``OMEZarrImage/warnings``): a MIFACore `Diagnostic` with an ``NGFFIssueCode``, at a JSON pointer into
/// the attributes document (`/ome/multiscales/0/axes`). An error breaks the schema or a rule of the
/// specification; a warning means the specification asks for something (a SHOULD, or a MUST the
/// official suites accept documents without) that the document does not do. The validator reports
/// no info.
public typealias NGFFIssue = Diagnostic<NGFFIssueCode>

/// The stable codes of ``NGFFIssue``.
public enum NGFFIssueCode: String, DiagnosticCode {
    /// `path`: the group (relative to the store root) whose attributes the pointer points into,
    /// when it is not the group described.
    public static var fileMember: String { "path" }
    /// A key the schema requires is missing.
    case missingRequired = "missing-required"
    /// A value has the wrong JSON type (an object, list, string, number, integer or Boolean expected).
    case wrongType = "wrong-type"
    /// A value outside what the schema allows (an enum, a bound, a pattern, a fixed value).
    case invalidValue = "invalid-value"
    /// A list with fewer or more items than the schema allows.
    case itemCount = "item-count"
    /// A list repeats an item, or a name or colour, that must be unique.
    case duplicate = "duplicate"
    /// The axes break a rule of the specification (how many space axes, at most one time or
    /// channel axis, their order).
    case invalidAxes = "invalid-axes"
    /// The coordinate transformations break a rule (one scale first, at most one translation, one
    /// value per axis).
    case invalidTransformations = "invalid-transformations"
    /// A well's row or column index points past the plate's rows or columns, or its path does not
    /// name them.
    case invalidWellReference = "invalid-well-reference"
    /// The pyramid levels are not ordered from the highest resolution to the lowest.
    case levelOrder = "level-order"
    /// A level holds another data type than level 0.
    case levelDataType = "level-data-type"
    /// An OME-NGFF 0.5 array does not name its dimensions.
    case dimensionNamesMissing = "dimension-names-missing"
    /// A label image's colours and properties describe different label values.
    case labelValuesMismatch = "label-values-mismatch"
    /// The group has no OME-NGFF metadata at all.
    case notOMEZarr = "not-ome-zarr"
    /// A plate lists a well whose group has no well metadata.
    case wellMissing = "well-missing"
    /// A well has more fields than its plate's `field_count`.
    case fieldCount = "field-count"
    /// A well lists a field whose group has no image metadata.
    case fieldMissing = "field-missing"
    /// A group, array or its metadata could not be read or opened (the message says why).
    case unreadable = "unreadable"
}

extension Diagnostic where C == NGFFIssueCode {
    /// A finding at `pointer` in the attributes document.
    public init(_ severity: IssueSeverity, _ code: NGFFIssueCode, at pointer: JSONPointer, _ message: String) {
        self.init(severity, code, message, context: ErrorContext(pointer: pointer.description))
    }

    /// Where in the attributes document, e.g. `/ome/multiscales/0/axes`.
    public var pointer: JSONPointer { JSONPointer(parsing: context.pointer ?? "") ?? .root }
}

/// What the validator found in one document.
public struct NGFFValidationReport: Sendable, Hashable {
    /// The kind of document checked.
    public var kind: NGFFDocumentKind
    /// The version checked against.
    public var version: NGFFVersion
    /// Whether the strict schema's extra requirements were checked too.
    public var strict: Bool
    /// Every finding, in document order.
    public var issues: [NGFFIssue]

    /// A report.
    public init(kind: NGFFDocumentKind, version: NGFFVersion, strict: Bool, issues: [NGFFIssue]) {
        self.kind = kind
        self.version = version
        self.strict = strict
        self.issues = issues
    }

    /// Whether the document has no errors (warnings allowed): the official suites' verdict.
    public var isValid: Bool { !issues.contains { $0.severity == .error } }

    /// The errors.
    public var errors: [NGFFIssue] { issues.filter { $0.severity == .error } }

    /// The warnings.
    public var warnings: [NGFFIssue] { issues.filter { $0.severity == .warning } }

    /// Throws when the document has errors.
    /// - Parameter file: the metadata document, for the error's context.
    /// - Throws: ``OMEZarrError`` `.invalidMetadata` with the first error's pointer and up to five messages.
    public func check(file: String?) throws {
        let errors = self.errors
        guard let first = errors.first else { return }
        let listed = errors.prefix(5).map { "\($0.pointer.isRoot ? "(root)" : $0.pointer.description): \($0.message)" }
        let more = errors.count > 5 ? "; and \(errors.count - 5) more" : ""
        throw OMEZarrError(.invalidMetadata, "the OME-NGFF \(version) \(kind.rawValue) metadata is invalid: \(listed.joined(separator: "; "))\(more)",
                           file: file, pointer: first.pointer)
    }
}
