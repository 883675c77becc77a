import MIFACore

/// Checks every rule of MIFA-MODEL.md on a (normalised) document and collects all issues at once.
///
/// Pointers are in decoded coordinates; ``translate`` turns them into the document as written
/// for messages that mention another place (the first use of a duplicate id).
struct MetadataValidator {
    let kind: MIFADocument.Kind
    let translate: (JSONPointer) -> JSONPointer
    private(set) var issues: [ValidationIssue] = []
    private var annotationIDs: [String: JSONPointer] = [:]
    private var imageIDs: Set<String> = []

    init(kind: MIFADocument.Kind, translate: @escaping (JSONPointer) -> JSONPointer = { $0 }) {
        self.kind = kind
        self.translate = translate
    }

    mutating func validate(_ document: MIFADocument) {
        let bases = ModuleBases(kind: kind)
        if kind == .combined {
            if document.study == nil { missing(.root.appending("study"), expected: "an object with the study module") }
            if document.version == nil { missing(.root.appending("version"), expected: "an object with the version module", hint: "the version module (version and timestamp)") }
            if (document.annotations ?? []).isEmpty {
                missing(.root.appending("annotations"), expected: "a list of at least one annotation set", found: document.annotations == nil ? nil : "an empty list")
            }
            validateImages(document.images ?? [])
        }
        if let study = document.study { validate(study, at: bases.study) }
        var setIDs: [String: Int] = [:]
        for (index, set) in (document.annotations ?? []).enumerated() {
            validate(set, at: bases.annotationSet(index))
            let id = document.annotationSetIDs[index]
            if let first = setIDs[id] {
                add(
                    .error, .invalidValue, at: bases.annotationSet(index).appending("set_id"),
                    "annotation sets \(first + 1) and \(index + 1) both have the set id '\(id)'", expected: "a set id no other annotation set has",
                    found: "'\(id)'", suggestion: "give set_id a name no other set has (a set without set_id is set<N>, N its place)")
            } else {
                setIDs[id] = index
            }
        }
        if let version = document.version {
            let base = bases.version
            requireText(version.version, at: base.appending("version"))
            if requireText(version.timestamp, at: base.appending("timestamp")), let timestamp = version.timestamp {
                checkDateTime(timestamp, at: base.appending("timestamp"))
            }
        }
    }

    private mutating func validateImages(_ images: [ImageMetadata]) {
        var seen: [String: JSONPointer] = [:]
        for (index, image) in images.enumerated() {
            let pointer = ModuleBases(kind: kind).image(index)
            if let split = image.split { _ = requireText(split, at: pointer.appending("split")) }
            guard requireText(image.id, at: pointer.appending("id")), let id = image.id else { continue }
            if let first = seen[id] {
                add(
                    .error, .duplicateImageID, at: pointer.appending("id"),
                    "image id '\(id)' is used twice (first at \(translate(first)))", expected: "an id no other image has",
                    found: "'\(id)'", suggestion: "give each image its own id")
            } else {
                seen[id] = pointer.appending("id")
            }
        }
        imageIDs = Set(seen.keys)
    }

    // MARK: Shared rules

    /// Reports a missing required value.
    mutating func missing(_ pointer: JSONPointer, expected: String, found: String? = nil, hint: String? = nil) {
        let field = pointer.lastToken.flatMap { JSONPointer.arrayIndex($0) == nil ? $0 : nil } ?? "value"
        let hint = hint ?? FieldHints.hint(for: field)
        add(
            .error, .missingRequired, at: pointer, "'\(field)' is required" + (hint.map { ": \($0)" } ?? ""),
            expected: expected, found: found ?? "nothing", suggestion: "add '\(field)'")
    }

    /// Requires a non-blank string; returns whether it is there.
    @discardableResult
    mutating func requireText(_ value: String?, at pointer: JSONPointer) -> Bool {
        guard let value else {
            missing(pointer, expected: "a non-empty text")
            return false
        }
        if value.isBlank {
            missing(pointer, expected: "a non-empty text", found: value.isEmpty ? "an empty string" : "only whitespace")
            return false
        }
        return true
    }

    /// Requires a non-empty list of non-blank strings.
    mutating func requireTextList(_ values: [String]?, at pointer: JSONPointer) {
        guard let values, !values.isEmpty else {
            missing(pointer, expected: "a list of at least one non-empty text", found: values == nil ? nil : "an empty list")
            return
        }
        for (index, value) in values.enumerated() where value.isBlank {
            missing(pointer.appending(index: index), expected: "a non-empty text", found: value.isEmpty ? "an empty string" : "only whitespace")
        }
    }

    mutating func checkDateTime(_ text: String, at pointer: JSONPointer) {
        guard let problem = RFC3339.check(text) else { return }
        let expected = "an RFC 3339 date-time with offset, e.g. 2023-03-07T14:37:00Z or 2023-03-07T14:37:00+01:00"
        var message = "not a date-time with offset"
        var suggestion: String?
        switch problem {
        case .notADateTime:
            suggestion = "write it as YYYY-MM-DDThh:mm:ss followed by Z or an offset such as +01:00"
        case .dateOnly:
            message = "a date without a time"
            suggestion = "add the time and offset: \(text)T00:00:00Z"
        case .spaceSeparator:
            message = "date and time are separated by a space"
            suggestion = "write a 'T' between date and time"
        case .missingOffset:
            message = "the date-time has no UTC offset"
            suggestion = "add 'Z' for UTC or the offset such as '+01:00': \(text)Z"
        case .outOfRange(let what):
            message = "the date-time is not a real moment (\(what))"
        }
        add(.error, .invalidDateTime, at: pointer, message, expected: expected, found: "'\(text)'", suggestion: suggestion)
    }

    mutating func checkAnnotationTypes(_ types: [AnnotationType]?, at pointer: JSONPointer) {
        guard let types, !types.isEmpty else {
            missing(pointer, expected: "a list of at least one annotation type", found: types == nil ? nil : "an empty list")
            return
        }
        for (index, type) in types.enumerated() where !type.isKnown {
            let suggestion = AnnotationType.suggestion(for: type.rawValue).map { "use '\($0.rawValue)'" }
            add(
                .error, .invalidAnnotationType, at: pointer.appending(index: index),
                "'\(type.rawValue)' is not a MIFA annotation type",
                expected: "one of " + AnnotationType.allKnown.map(\.rawValue).joined(separator: ", "),
                found: "'\(type.rawValue)'", suggestion: suggestion ?? "use 'other' and describe the type in annotation_overview")
        }
    }

    mutating func registerAnnotationID(_ id: String, at pointer: JSONPointer) {
        if let first = annotationIDs[id] {
            add(
                .error, .duplicateAnnotationID, at: pointer, "annotation id '\(id)' is used twice (first at \(translate(first)))",
                expected: "an id no other annotation has", found: "'\(id)'", suggestion: "give each annotation file its own id")
        } else {
            annotationIDs[id] = pointer
        }
    }

    func isDeclaredImage(_ id: String) -> Bool? {
        imageIDs.isEmpty ? nil : imageIDs.contains(id)
    }

    mutating func add(
        _ severity: ValidationIssue.Severity, _ code: ValidationIssue.Code, at pointer: JSONPointer, _ message: String,
        expected: String? = nil, found: String? = nil, suggestion: String? = nil
    ) {
        issues.append(ValidationIssue(severity, code, at: pointer, message: message, expected: expected, found: found, suggestion: suggestion))
    }
}

/// One-line explanations of the required fields, from MIFA-MODEL.md and the Archive's model.
enum FieldHints {
    static func hint(for field: String) -> String? {
        hints[field]
    }

    private static let hints: [String: String] = [
        "title": "the dataset's title",
        "description": "what the dataset is, including its biological application",
        "keywords": "keywords describing the dataset",
        "license": "an SPDX license id such as CC-BY-4.0 or CC0-1.0",
        "funding_statement": "how the study was funded",
        "link_url": "links to related resources",
        "author_first_name": "the author's given name",
        "author_last_name": "the author's family name",
        "organisation_name": "the organisation's name",
        "publication_title": "the publication's title",
        "publication_authors": "the publication's authors as listed",
        "publication_doi": "the publication's DOI, 10.NNNN/suffix",
        "grant_id": "the grant's identifier",
        "funder": "the funding body",
        "annotation_overview": "what the annotations are and how they were made",
        "annotation_type": "the types of annotation (class_labels, segmentation_mask, ...)",
        "annotation_method": "how the annotations were created and checked",
        "annotation_id": "the annotation's identifier",
        "source_image_id": "the image the annotation was made on",
        "version": "the version's name, e.g. 1.0",
        "timestamp": "when the version was made, e.g. 2023-03-07T14:37:00Z",
        "id": "the image's identifier",
        "study": "the study module",
        "annotations": "the annotation sets",
    ]
}
