import Testing
@testable import MIFAModel

@Suite struct IdentifierTests {
    @Test func orcidCheckDigits() {
        #expect(ORCID.hasValidCheckDigit("0000-0002-1825-0097"))
        #expect(ORCID.hasValidCheckDigit("0000-0002-9079-593X"))
        #expect(ORCID.hasValidCheckDigit("0000-0001-7613-090X"))
        #expect(!ORCID.hasValidCheckDigit("0000-0000-0000-0000"))
        #expect(ORCID.expectedCheckDigit("0000-0000-0000-0000") == "1")
        #expect(!ORCID.hasValidCheckDigit("0000-0002-1825-0098"))
        #expect(!ORCID.hasValidCheckDigit("0000-0002-1825-009"))
    }

    @Test(arguments: [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://www.orcid.org/0000-0002-1825-0097/", "0000-0002-1825-0097"),
        ("ORCID:0000-0002-9079-593x", "0000-0002-9079-593X"),
        ("orcid:0000000290795 93X", nil),
        ("  0000000218250097 ", "0000-0002-1825-0097"),
        ("orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
    ] as [(String, String?)])
    func orcidForms(written: String, bare: String?) {
        #expect(ORCID.bareForm(of: written) == bare)
    }

    @Test func orcidGarbageIsNotWellFormed() {
        for text in ["", "0000-0002-1825", "0000-0002-1825-00A7", "X000-0002-1825-0097", "https://example.org/0000-0002-1825-0097", "0000–0002–1825–0097"] {
            #expect(ORCID.bareForm(of: text) == nil, "\(text)")
        }
    }

    @Test func doiForms() {
        #expect(DOI.bareForm(of: "https://doi.org/10.7554/eLife.55913") == "10.7554/eLife.55913")
        #expect(DOI.bareForm(of: "DOI:10.1242/jcs.033340") == "10.1242/jcs.033340")
        #expect(DOI.bareForm(of: "doi: 10.1242/jcs.033340") == "10.1242/jcs.033340")
        #expect(DOI.bareForm(of: "http://dx.doi.org/10.1038/s41597-020-00608-w") == "10.1038/s41597-020-00608-w")
        #expect(DOI.isWellFormed("10.1038/s41597-020-00608-w"))
        #expect(DOI.isWellFormed("10.123456789/x"))
        for bad in ["10.123/x", "10.1234/", "10.1234x", "11.1234/x", "10.1234/a b", "10.1234567890/x", "doi:10.1234/x"] {
            #expect(!DOI.isWellFormed(bad), "\(bad)")
        }
    }

    @Test func emailShapes() {
        for good in ["a@b.co", "jonas.m.hartmann@protonmail.com", "x+y@sub.example.org", "a@b.c"] {
            #expect(EmailAddress.isWellFormed(good), "\(good)")
        }
        for bad in ["", "a", "a@b", "@b.c", "a@.c", "a@b.", "a@@b.c", "a b@c.d", "josiah.carberry(at)example.org", "a@b.c\n"] {
            #expect(!EmailAddress.isWellFormed(bad), "\(bad)")
        }
    }

    @Test func dateTimes() {
        for good in ["2023-01-17T10:04:00-00:00", "2021-04-11T11:00:15-05:00", "2026-03-10T09:00:00Z", "2024-02-29T23:59:60.123+14:00", "2023-12-10t12:20:00z"] {
            #expect(RFC3339.isValid(good), "\(good)")
        }
        #expect(RFC3339.check("2023-01-17") == .dateOnly)
        #expect(RFC3339.check("2023-01-17T10:04:00") == .missingOffset)
        #expect(RFC3339.check("2023-01-17 10:04:00Z") == .spaceSeparator)
        #expect(RFC3339.check("2026-03-02 10:15") == .notADateTime)
        #expect(RFC3339.check("2023-02-29T10:04:00Z") == .outOfRange("day 29 of month 2 in 2023"))
        #expect(RFC3339.check("2023-13-01T10:04:00Z") == .outOfRange("month 13"))
        #expect(RFC3339.check("2023-01-01T24:00:00Z") == .outOfRange("hour 24"))
        #expect(RFC3339.check("2023-01-01T10:00:00+24:00") == .outOfRange("offset 24:0"))
        for bad in ["", "yesterday", "2023-1-17T10:04:00Z", "2023-01-17T10:04Z", "2023-01-17T10:04:00.Z", "2023-01-17T10:04:00Zjunk", "2023-01-17T10:04:00+0100"] {
            #expect(!RFC3339.isValid(bad), "\(bad)")
        }
    }

    @Test(arguments: [
        ("CC0", "CC0-1.0"), ("CC_BY", "CC-BY-4.0"), ("CC BY 4.0", "CC-BY-4.0"), ("CC_BY_40", "CC-BY-4.0"),
        ("cc-by-4.0", "CC-BY-4.0"), ("CC-BY-4.0", "CC-BY-4.0"), ("CC BY-NC 4.0", "CC-BY-NC-4.0"), ("CC BY-SA 3.0", "CC-BY-SA-3.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"), ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"), ("mit", "MIT"), (" Apache-2.0 ", "Apache-2.0"),
    ])
    func licenseSpellings(written: String, spdx: String) {
        #expect(SPDXLicense.normalizedID(for: written) == spdx)
    }

    @Test func licenseTable() {
        #expect(SPDXLicense.all.count > 600)
        #expect(SPDXLicense.license(id: "CC-BY-4.0")?.name == "Creative Commons Attribution 4.0 International")
        #expect(SPDXLicense.license(id: "cc-by-4.0") == nil)
        #expect(SPDXLicense.license(id: "CC-BY-NC-4.0")?.forbidsCommercialUse == true)
        #expect(SPDXLicense.license(id: "CC-BY-4.0")?.forbidsCommercialUse == false)
        #expect(SPDXLicense.license(id: "GPL-2.0")?.isDeprecated == true)
        #expect(SPDXLicense.normalizedID(for: "my own license") == nil)
        #expect(SPDXLicense.closestID(to: "CC-BY-4") != nil)
    }

    @Test(arguments: [
        ("Segmentation masks", "segmentation_mask"), ("segmentation mask", "segmentation_mask"), ("instance masks", "segmentation_mask"),
        ("Bounding boxes", "bounding_boxes"), ("bounding box", "bounding_boxes"), ("points", "point_annotations"),
        ("centroids", "point_annotations"), ("tracking", "tracks"), ("polygons", "geometrical_annotations"),
        ("Class labels", "class_labels"), ("classification", "class_labels"), ("cell counts", "counts"),
        ("skeletons", "graphs"), ("segmentaton_mask", "segmentation_mask"), ("weak annotation", "weak_annotations"),
    ])
    func annotationTypeSuggestions(text: String, expected: String) {
        #expect(AnnotationType.suggestion(for: text)?.rawValue == expected)
    }

    @Test func annotationTypeWithoutSuggestion() {
        #expect(AnnotationType.suggestion(for: "zzzz qqqq") == nil)
        #expect(AnnotationType.suggestion(for: "") == nil)
        #expect(AnnotationType.allKnown.count == 11)
        #expect(AnnotationType(rawValue: "tracks").isKnown)
    }

    @Test func didYouMean() {
        #expect(TextSimilarity.closest(to: "orcid", among: Author.CodingKeys.allCases.map(\.rawValue)) == "orcid_id")
        #expect(TextSimilarity.closest(to: "emial", among: Author.CodingKeys.allCases.map(\.rawValue)) == "email")
        #expect(TextSimilarity.closest(to: "first_name", among: Author.CodingKeys.allCases.map(\.rawValue)) == "author_first_name")
        #expect(TextSimilarity.closest(to: "affiliation", among: Author.CodingKeys.allCases.map(\.rawValue)) == nil)
        #expect(TextSimilarity.editDistance("kitten", "sitting") == 3)
    }
}
