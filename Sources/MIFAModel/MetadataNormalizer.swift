import MIFACore

/// Rewrites the variants MIFA-MODEL.md lists into MIFAKit's canonical forms, recording each change
/// as an info-level ``ValidationIssue`` (`changesDocument` set):
/// ORCID iDs to the bare form, DOIs to the bare form, licenses to SPDX ids, whitespace around
/// identifiers, dates and enum values trimmed, and an annotation set's missing `annotation_type`
/// derived from its files' types. Values that cannot be normalised are left as written for
/// ``MetadataValidator`` to report.
struct MetadataNormalizer {
    private(set) var issues: [ValidationIssue] = []

    /// Normalises every module of `document` in place; `kind` says where modules sit.
    mutating func normalize(_ document: inout MIFADocument, kind: MIFADocument.Kind) {
        let bases = ModuleBases(kind: kind)
        if var study = document.study {
            normalize(&study, at: bases.study)
            document.study = study
        }
        if var sets = document.annotations {
            for index in sets.indices { normalize(&sets[index], at: bases.annotationSet(index)) }
            document.annotations = sets
        }
        if var version = document.version {
            trim(&version.timestamp, at: bases.version.appending("timestamp"))
            document.version = version
        }
    }

    mutating func normalize(_ study: inout Study, at base: JSONPointer) {
        if let raw = study.license, let id = SPDXLicense.normalizedID(for: raw), id != raw {
            study.license = id
            if SPDXLicense.versionIsGuessed(raw) {
                // `CC-BY`, `CC BY-NC`: Creative Commons licenses have several versions, and the text
                // names none. Stored as 4.0, said loudly (a warning, also in --json) with the exact id to write.
                issues.append(ValidationIssue(
                    .warning, .normalizedLicense, at: base.appending("license"),
                    message: "the license names no version; stored as '\(id)', the current version",
                    expected: "an exact SPDX id such as '\(id)'", found: "'\(raw)'",
                    suggestion: "write license: \(id) if that is the license, or the SPDX id of the version the data is under (https://spdx.org/licenses/)",
                    changesDocument: true))
            } else {
                note(.normalizedLicense, at: base.appending("license"), "license stored as its SPDX id", found: "'\(raw)'", expected: "'\(id)'")
            }
        }
        if var authors = study.authors {
            for index in authors.indices { normalize(&authors[index], at: base.appending("authors").appending(index: index)) }
            study.authors = authors
        }
        if var publications = study.publications {
            for index in publications.indices {
                let pointer = base.appending("publications").appending(index: index).appending("publication_doi")
                if let raw = publications[index].publicationDOI {
                    let bare = DOI.bareForm(of: raw)
                    if bare != raw, DOI.isWellFormed(bare) {
                        publications[index].publicationDOI = bare
                        note(.normalizedDOI, at: pointer, "DOI stored in its bare form (without URL or prefix)", found: "'\(raw)'", expected: "'\(bare)'")
                    }
                }
            }
            study.publications = publications
        }
    }

    mutating func normalize(_ author: inout Author, at base: JSONPointer) {
        if let raw = author.orcidID, let bare = ORCID.bareForm(of: raw), bare != raw {
            author.orcidID = bare
            note(
                .normalizedORCID, at: base.appending("orcid_id"),
                "ORCID iD stored in its bare form (without URL or prefix)", found: "'\(raw)'", expected: "'\(bare)'")
        }
        trim(&author.email, at: base.appending("email"))
    }

    mutating func normalize(_ set: inout AnnotationSet, at base: JSONPointer) {
        trimTypes(&set.annotationType, at: base.appending("annotation_type"))
        if var indicator = set.annotationSourceIndicator?.rawValue {
            trim(&indicator, at: base.appending("annotation_source_indicator"))
            set.annotationSourceIndicator = AnnotationSourceIndicator(rawValue: indicator)
        }
        if var authors = set.authors {
            for index in authors.indices { normalize(&authors[index], at: base.appending("authors").appending(index: index)) }
            set.authors = authors
        }
        if var files = set.fileMetadata {
            for index in files.indices {
                let pointer = base.appending("file_metadata").appending(index: index)
                trimTypes(&files[index].annotationType, at: pointer.appending("annotation_type"))
                trim(&files[index].annotationCreationTime, at: pointer.appending("annotation_creation_time"))
            }
            set.fileMetadata = files
        }
        if set.annotationType == nil {
            var union: [AnnotationType] = []
            for file in set.fileMetadata ?? [] {
                for type in file.annotationType ?? [] where type.isKnown && !union.contains(type) { union.append(type) }
            }
            if !union.isEmpty {
                set.annotationType = union
                let list = union.map(\.rawValue).joined(separator: ", ")
                note(
                    .derivedAnnotationType, at: base.appending("annotation_type"),
                    "the set has no annotation_type; derived from its files' types: \(list)")
            }
        }
    }

    private mutating func trimTypes(_ types: inout [AnnotationType]?, at pointer: JSONPointer) {
        guard var list = types else { return }
        for index in list.indices {
            var text = list[index].rawValue
            trim(&text, at: pointer.appending(index: index))
            list[index] = AnnotationType(rawValue: text)
        }
        types = list
    }

    private mutating func trim(_ value: inout String?, at pointer: JSONPointer) {
        guard var text = value else { return }
        trim(&text, at: pointer)
        value = text
    }

    private mutating func trim(_ value: inout String, at pointer: JSONPointer) {
        let trimmed = value.trimmingWhitespace()
        guard trimmed != value, !trimmed.isEmpty else { return }
        note(.trimmedWhitespace, at: pointer, "whitespace around the value removed", found: "'\(value)'", expected: "'\(trimmed)'")
        value = trimmed
    }

    private mutating func note(_ code: ValidationIssue.Code, at pointer: JSONPointer, _ message: String, found: String? = nil, expected: String? = nil) {
        issues.append(ValidationIssue(.info, code, at: pointer, message: message, expected: expected, found: found, changesDocument: true))
    }
}

/// Where each module of a document sits, in decoded coordinates.
struct ModuleBases {
    let kind: MIFADocument.Kind

    var study: JSONPointer { kind == .combined ? "/study" : .root }
    var version: JSONPointer { kind == .combined ? "/version" : .root }
    func annotationSet(_ index: Int) -> JSONPointer { kind == .combined ? ("/annotations" as JSONPointer).appending(index: index) : .root }
    func image(_ index: Int) -> JSONPointer { ("/images" as JSONPointer).appending(index: index) }
}
