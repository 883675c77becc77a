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

/// One finding of the validator: where (JSON pointer into the attributes) and what.
public struct NGFFIssue: Sendable, Hashable, CustomStringConvertible {
    /// How bad the finding is: an error breaks the schema or a rule of the specification; a
    /// warning means the specification asks for something (a SHOULD, or a MUST the official suites
    /// accept documents without) that the document does not do. The validator reports no info.
    public typealias Severity = IssueSeverity

    /// Error or warning.
    public var severity: Severity
    /// Where in the attributes document, e.g. `/ome/multiscales/0/axes`.
    public var pointer: JSONPointer
    /// What is wrong and how to fix it.
    public var message: String

    /// A finding.
    public init(_ severity: Severity, at pointer: JSONPointer, _ message: String) {
        self.severity = severity
        self.pointer = pointer
        self.message = message
    }

    /// `error at /pointer: message`.
    public var description: String {
        "\(severity.rawValue) at \(pointer.isRoot ? "(document root)" : pointer.description): \(message)"
    }

    /// The finding as JSON: `{"severity", "pointer", "message"}`.
    public var json: JSONValue {
        ["severity": .string(severity.rawValue), "pointer": .string(pointer.description), "message": .string(message)]
    }
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
