public import MIFACore

/// Checks OME-NGFF 0.4 and 0.5 metadata against the rules of the official JSON Schemas
/// (`image`, `label`, `plate`, `well`, `bf2raw`, `ome` and their `strict_` variants) and the
/// specification's rules that the schemas cannot express.
///
/// The document is what the schemas validate: the `.zattrs` object (0.4) or the `attributes` of a
/// `zarr.json` (0.5, metadata under `ome`). A document is valid when the report has no errors; this
/// is the verdict of the official validation suites for every case of both versions. Errors beyond
/// the schemas: axis names unique, at most one time, channel and custom axis, time first and space
/// last, `scale` first and at most one `translation` after it, and (0.5) a well's path made of its
/// row and column names. Warnings: transformation lengths that differ from the axes count (an error
/// when an image is opened or written, see ``OMEZarrImage``; the 0.4 suite accepts such a document),
/// scales that shrink from one level to the next, a column-first well path in 0.4 (its suite accepts
/// one), and `image-label` colours or properties that repeat or disagree on label values.
/// See https://ngff.openmicroscopy.org/0.4/ and https://ngff.openmicroscopy.org/0.5/.
public struct NGFFValidator: Sendable {
    /// The version to check against.
    public var version: NGFFVersion
    /// Whether to apply the strict schemas' extra requirements (the metadata MIFAKit writes meets them).
    public var strict: Bool

    /// A validator for one version.
    public init(version: NGFFVersion, strict: Bool = false) {
        self.version = version
        self.strict = strict
    }

    /// Validates a document as one kind.
    public func validate(_ document: JSONValue, as kind: NGFFDocumentKind) -> NGFFValidationReport {
        var check = SchemaCheck()
        if let root = check.object(document, .root, "the attributes") {
            switch kind {
            case .image: validateImageDocument(root, &check)
            case .label: validateLabelDocument(root, &check)
            case .plate: validatePlateDocument(root, &check)
            case .well: validateWellDocument(root, &check)
            case .bioformats2raw: validateBioformats2RawDocument(root, &check)
            case .series: validateSeriesDocument(root, &check)
            }
        }
        return NGFFValidationReport(kind: kind, version: version, strict: strict, issues: check.issues)
    }

    /// Validates a document with ``validate(_:as:)``.
    public static func validate(_ document: JSONValue, as kind: NGFFDocumentKind, version: NGFFVersion, strict: Bool = false) -> NGFFValidationReport {
        NGFFValidator(version: version, strict: strict).validate(document, as: kind)
    }

    /// The kinds whose keys the document has (`multiscales`, `image-label`, `plate`, `well`,
    /// `bioformats2raw.layout`, `series`), looked up where this version keeps them.
    public func kinds(of document: JSONValue) -> [NGFFDocumentKind] {
        guard let metadata = version == .v05 ? document["ome"]?.objectValue : document.objectValue else { return [] }
        let keys: [(String, NGFFDocumentKind)] = [
            ("multiscales", .image), ("image-label", .label), ("plate", .plate), ("well", .well),
            ("bioformats2raw.layout", .bioformats2raw), ("series", .series),
        ]
        return keys.filter { metadata.contains(key: $0.0) }.map(\.1)
    }

    // MARK: Shared parts

    /// The object that holds the metadata (the document for 0.4, `ome` for 0.5) and its pointer,
    /// after checking `ome` and its `version`; `requiredKeys` must be present in it (0.5 only, where
    /// the schemas require them; 0.4 documents may omit the block entirely).
    func metadataObject(_ root: JSONObject, _ check: inout SchemaCheck, requiredKeys: [String]) -> (JSONObject, JSONPointer)? {
        guard version == .v05 else { return (root, .root) }
        guard let omeValue = root["ome"] else {
            check.error(.missingRequired, .root, "the attributes are missing the required key 'ome' (OME-NGFF 0.5 keeps its metadata under attributes.ome)")
            return nil
        }
        let pointer = JSONPointer.root.appending("ome")
        guard let ome = check.object(omeValue, pointer, "'ome'") else { return nil }
        check.require(requiredKeys + ["version"], in: ome, pointer, "'ome'")
        if let version = ome["version"] {
            check.string(version, pointer.appending("version"), "'ome.version'", oneOf: ["0.5"])
        }
        return (ome, pointer)
    }

    /// Checks the 0.4 `version` member of a block against `0.4`.
    func checkVersionMember(_ object: JSONObject, _ pointer: JSONPointer, _ what: String, required: Bool, _ check: inout SchemaCheck) {
        guard version == .v04 else { return }
        if let value = object["version"] {
            check.string(value, pointer.appending("version"), "\(what) version", oneOf: ["0.4"])
        } else if required {
            check.error(.missingRequired, pointer, "\(what) is missing the required key 'version' (required by the strict schema)")
        }
    }
}
