import MIFACore
import Testing
@testable import MIFAModel

/// Each rule: the complete fixture passes (positive), one mutation makes exactly that rule fire at
/// the right pointer (negative).
@Suite struct ValidationRuleTests {
    @Test func completeDocumentIsValidWithNothingToNormalise() throws {
        let loaded = try Fixtures.load(Fixtures.validJSON)
        #expect(loaded.kind == .combined)
        #expect(loaded.report.issues.isEmpty, "\(loaded.report.issues)")
        #expect(loaded.document.validate().issues.isEmpty)
        // Canonical JSON of the model is the fixture's value.
        #expect(try JSONParser.parse(try loaded.normalizedJSON()) == Fixtures.validValue)
    }

    /// Loads the fixture with one change and returns the issues with `code`.
    func mutated(_ pointer: JSONPointer, _ value: JSONValue?) -> LoadedMetadata {
        Fixtures.load(Fixtures.validValue.setting(pointer, to: value))
    }

    func expectOnly(_ code: ValidationIssue.Code, at pointer: String, after change: (JSONPointer, JSONValue?), severity: ValidationIssue.Severity = .error) {
        let loaded = mutated(change.0, change.1)
        let issues = loaded.report.issues.filter { $0.severity != .info }
        #expect(issues.count == 1, "\(change.0): \(issues)")
        #expect(issues.first?.code == code, "\(change.0): \(issues)")
        #expect(issues.first?.pointer.description == pointer, "\(change.0): \(issues)")
        #expect(issues.first?.severity == severity)
        #expect(loaded.report.isValid == (severity != .error))
    }

    @Test(arguments: [
        "/study", "/annotations", "/version", "/study/title", "/study/description", "/study/keywords", "/study/license",
        "/study/funding_statement", "/study/link_url",
        "/study/authors/0/organisation/0/organisation_name", "/study/publications/0/publication_title",
        "/study/publications/0/publication_authors", "/study/publications/0/publication_doi", "/study/grants/0/grant_id",
        "/study/grants/0/funder", "/images/0/id", "/annotations/0/annotation_overview", "/annotations/0/annotation_method",
        "/annotations/0/file_metadata/0/annotation_id", "/annotations/0/file_metadata/0/annotation_type",
        "/annotations/0/file_metadata/0/source_image_id", "/version/version", "/version/timestamp",
    ])
    func requiredFields(pointer: String) throws {
        let target = try #require(JSONPointer(parsing: pointer))
        let isList = ["keywords", "link_url", "annotation_type", "annotations"].contains(target.lastToken ?? "")
        let isModule = ["study", "version"].contains(target.lastToken ?? "")
        // Absent, null, and blank text or an empty list all count as missing; only that error is reported.
        var variants: [JSONValue?] = [nil, .null]
        if isList { variants.append([]) } else if !isModule { variants += ["", " \t "] }
        for variant in variants {
            let loaded = mutated(target, variant)
            #expect(loaded.errors.map(\.pointer.description) == [pointer], "\(pointer) = \(String(describing: variant)): \(loaded.errors)")
            #expect(loaded.errors.first?.code == .missingRequired)
        }
    }

    /// Issue 14: a single-name annotator was refused. MIFA's author needs a name; a mononym is one.
    @Test(arguments: ["author_first_name", "author_last_name"])
    func aPersonKnownByOneNameIsValid(kept: String) throws {
        let other = kept == "author_first_name" ? "author_last_name" : "author_first_name"
        for base in ["/study/authors/0", "/annotations/0/authors/0"] {
            for removal in [nil, JSONValue.null] {
                let loaded = mutated(try #require(JSONPointer(parsing: "\(base)/\(other)")), removal)
                #expect(loaded.errors.isEmpty, "\(base) without \(other): \(loaded.errors)")
                #expect(loaded.report.issues(.warning).isEmpty)
            }
        }
    }

    @Test func anAuthorWithoutAnyNameOrWithABlankNameIsAnError() throws {
        let both = Fixtures.load(Fixtures.validValue
            .setting("/study/authors/0/author_first_name", to: nil).setting("/study/authors/0/author_last_name", to: nil))
        #expect(both.errors.map(\.pointer.description) == ["/study/authors/0/author_first_name", "/study/authors/0/author_last_name"])
        #expect(both.errors.allSatisfy { $0.code == .missingRequired })
        for blank: JSONValue in ["", " \t "] {
            let loaded = mutated("/study/authors/0/author_first_name", blank)
            #expect(loaded.errors.map(\.pointer.description) == ["/study/authors/0/author_first_name"])
        }
    }

    /// Issue 14: `license: CC-BY` silently became CC-BY-4.0. A version the text does not name is a
    /// warning (the stored id and the exact id to write); the Archive's own `CC_BY` (defined as 4.0) stays a note.
    @Test func aLicenseWithoutVersionIsStoredLoudly() throws {
        for spelling in ["CC-BY", "CC BY", "cc-by-nc"] {
            let loaded = mutated("/study/license", .string(spelling))
            let warnings = loaded.report.issues(.warning)
            #expect(loaded.report.isValid)
            #expect(warnings.map(\.code) == [.normalizedLicense], "\(spelling): \(loaded.report.issues)")
            #expect(warnings.first?.pointer.description == "/study/license")
            let stored = try #require(loaded.document.study?.license)
            #expect(warnings.first?.suggestion?.contains(stored) == true)
            #expect(stored.hasSuffix("-4.0"))
        }
        for exact in ["CC_BY", "CC0", "CC BY 4.0", "CC_BY_40", "https://creativecommons.org/licenses/by/4.0/"] {
            let loaded = mutated("/study/license", .string(exact))
            #expect(loaded.report.issues(.warning).isEmpty, "\(exact): \(loaded.report.issues)")
            #expect(loaded.pointers(.normalizedLicense) == ["/study/license"], "\(exact)")
        }
    }

    @Test func annotationSetTypeIsDerivedWhenAbsent() {
        let loaded = mutated("/annotations/0/annotation_type", nil)
        #expect(loaded.report.isValid)
        #expect(loaded.pointers(.derivedAnnotationType) == ["/annotations/0/annotation_type"])
        #expect(loaded.document.annotations?[0].annotationType == [.segmentationMask, .classLabels])
        // With no file types to derive from, it is missing.
        let bare = Fixtures.validValue.setting("/annotations/0/annotation_type", to: nil).setting("/annotations/0/file_metadata", to: [])
        #expect(Fixtures.load(bare).pointers(.missingRequired) == ["/annotations/0/annotation_type"])
    }

    @Test func rules() {
        expectOnly(.invalidAnnotationType, at: "/annotations/0/annotation_type/0", after: ("/annotations/0/annotation_type", ["Segmentation masks"]))
        expectOnly(.invalidAnnotationType, at: "/annotations/0/file_metadata/1/annotation_type/1", after: ("/annotations/0/file_metadata/1/annotation_type/1", "labels"))
        expectOnly(.orcidCheckDigit, at: "/study/authors/0/orcid_id", after: ("/study/authors/0/orcid_id", "0000-0000-0000-0000"))
        expectOnly(.invalidORCID, at: "/annotations/0/authors/0/orcid_id", after: ("/annotations/0/authors/0/orcid_id", "Ada's ORCID"))
        expectOnly(.invalidEmail, at: "/study/authors/0/email", after: ("/study/authors/0/email", "josiah.carberry(at)example.org"))
        expectOnly(.invalidLicense, at: "/study/license", after: ("/study/license", "All rights reserved"))
        expectOnly(.deprecatedLicense, at: "/study/license", after: ("/study/license", "GPL-2.0"), severity: .warning)
        expectOnly(.invalidDateTime, at: "/version/timestamp", after: ("/version/timestamp", "2026-03-10T09:00:00"))
        expectOnly(.invalidDateTime, at: "/version/timestamp", after: ("/version/timestamp", "2026-02-30T09:00:00Z"))
        expectOnly(.invalidDateTime, at: "/annotations/0/file_metadata/0/annotation_creation_time", after: ("/annotations/0/file_metadata/0/annotation_creation_time", "March 2nd"))
        expectOnly(.invalidDOI, at: "/study/publications/0/publication_doi", after: ("/study/publications/0/publication_doi", "10.12/x"))
        expectOnly(.duplicateAnnotationID, at: "/annotations/0/file_metadata/1/annotation_id", after: ("/annotations/0/file_metadata/1/annotation_id", "AN1"))
        expectOnly(.duplicateImageID, at: "/images/2/id", after: ("/images", [["id": "IM1"], ["id": "IM2"], ["id": "IM1"]]))
        expectOnly(.unknownSourceImage, at: "/annotations/0/file_metadata/1/source_image_id", after: ("/annotations/0/file_metadata/1/source_image_id", "IM9"), severity: .warning)
        expectOnly(.invalidAnnotationSourceIndicator, at: "/annotations/0/annotation_source_indicator", after: ("/annotations/0/annotation_source_indicator", "by name"))
        expectOnly(.unknownKey, at: "/study/authors/0/orcid", after: ("/study/authors/0/orcid", "0000-0002-1825-0097"), severity: .warning)
        expectOnly(.missingRequired, at: "/annotations", after: ("/annotations", []))
        expectOnly(.missingRequired, at: "/images/0/split", after: ("/images/0/split", " "))
        expectOnly(.missingRequired, at: "/annotations/0/file_metadata/0/split", after: ("/annotations/0/file_metadata/0/split", ""))
    }

    /// An image's machine-learning split is part of the model (issue 14): read, kept, and not an unknown key.
    @Test func anImagesSplitIsReadAndKept() {
        let loaded = mutated("/images/0/split", "test")
        #expect(loaded.report.issues.filter { $0.severity != .info }.isEmpty, "\(loaded.report.issues)")
        #expect(loaded.document.images?[0].split == "test")
    }

    @Test func suggestionsAndMessages() {
        let type = mutated("/annotations/0/annotation_type", ["Segmentation masks"]).issues(.invalidAnnotationType).first
        #expect(type?.suggestion == "use 'segmentation_mask'")
        #expect(type?.found == "'Segmentation masks'")
        let key = mutated("/study/authors/0/orcid", "x").issues(.unknownKey).first
        #expect(key?.suggestion == "did you mean 'orcid_id'?")
        let orcid = mutated("/study/authors/0/orcid_id", "0000-0000-0000-0000").issues(.orcidCheckDigit).first
        #expect(orcid?.expected?.contains("'1'") == true)
        let license = mutated("/study/license", "CC-BY-4").issues(.invalidLicense).first
        #expect(license?.suggestion?.contains("CC-BY-4.0") == true || license == nil)
        let time = mutated("/version/timestamp", "2026-03-10T09:00:00").issues(.invalidDateTime).first
        #expect(time?.suggestion == "add 'Z' for UTC or the offset such as '+01:00': 2026-03-10T09:00:00Z")
        let duplicate = mutated("/annotations/0/file_metadata/1/annotation_id", "AN1").issues(.duplicateAnnotationID).first
        #expect(duplicate?.message.contains("first at /annotations/0/file_metadata/0/annotation_id") == true)
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let text = """
            study:
              title: T
              keywords: [a, "  "]
              license: nope
              authors:
                - author_first_name: A
                  author_last_name: " "
                  email: not-an-email
                  orcid_id: 0000-0000-0000-0000
            annotations:
              - annotation_overview: O
                annotation_method: M
                annotation_type: Segmentation masks
                file_metadata:
                  - {annotation_id: X, annotation_type: points, source_image_id: I}
                  - {annotation_id: X, annotation_type: segmentation_mask, source_image_id: I, annotation_creation_time: today}
            version: {version: 1, timestamp: 2023-01-01}
            """
        let loaded = try Fixtures.load(text, .yaml)
        let codes = Set(loaded.errors.map(\.code))
        #expect(codes == [.missingRequired, .invalidLicense, .invalidEmail, .orcidCheckDigit, .invalidAnnotationType, .duplicateAnnotationID, .invalidDateTime])
        #expect(Set(loaded.pointers(.missingRequired)) == ["/study/description", "/study/keywords/1", "/study/funding_statement", "/study/link_url", "/study/authors/0/author_last_name"])
        #expect(loaded.errors.allSatisfy { $0.position != nil })
    }

    @Test func singleModuleDocumentsUseTheirOwnPointers() throws {
        let loaded = try Fixtures.load(#"{"annotation_overview": "o", "annotation_method": "m", "file_metadata": [{"annotation_id": "a", "annotation_type": "tracks", "source_image_id": 5}]}"#)
        #expect(loaded.kind == .annotations)
        #expect(loaded.pointers(.wrongType) == ["/file_metadata/0/source_image_id"])
        #expect(loaded.pointers(.wrappedInList) == ["/file_metadata/0/annotation_type"])
        #expect(loaded.document.annotations?[0].annotationType == [.tracks])
    }

    @Test func kindDetection() {
        let cases: [(JSONValue, MIFADocument.Kind)] = [
            (["study": [:]], .combined), (["version": ["version": "1"]], .combined), (["version": "1"], .version),
            (["title": "t", "version": "1"], .study), (["file_metadata": []], .annotations), (["authors": []], .combined),
            ([:], .combined), ("text", .combined), (["images": []], .combined),
        ]
        for (value, kind) in cases {
            #expect(MetadataPipeline.detectKind(value) == kind, "\(value)")
        }
    }

    @Test func publicationsKeyedByDOIAreReadAsAList() throws {
        let loaded = try Fixtures.load(#"{"title": "t", "publications": {"10.1234/abcd": {"publication_title": "P", "publication_authors": "A"}, "10.1/bad": {"publication_title": "Q", "publication_authors": "B"}}}"#)
        #expect(loaded.document.study?.publications?.map(\.publicationDOI) == ["10.1234/abcd", "10.1/bad"])
        #expect(loaded.pointers(.publicationsKeyedByDOI) == ["/publications"])
        #expect(loaded.pointers(.invalidDOI) == ["/publications/10.1~1bad/publication_doi"])
    }
}
