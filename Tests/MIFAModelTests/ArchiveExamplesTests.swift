import Foundation
import MIFACore
import Testing
@testable import MIFAModel

/// The examples live in ../shared; when it is absent these tests fail instead of being skipped.
@Suite
struct ArchiveExamplesTests {
    @Test func everyExampleFileLoadsAlone() throws {
        let directory = try #require(Fixtures.examplesDirectory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names.count == 9)
        for name in names {
            let loaded = try MetadataReader.read(contentsOf: directory + "/" + name)
            let expectedKind: MIFADocument.Kind =
                name.hasPrefix("Study") ? .study : name.hasPrefix("Annotations") ? .annotations : .version
            #expect(loaded.kind == expectedKind, "\(name)")
            if name.contains("template") {
                #expect(!loaded.report.isValid, "\(name)")
                #expect(loaded.errors.allSatisfy { $0.code == .missingRequired }, "\(name): \(loaded.errors)")
            } else {
                #expect(loaded.report.isValid, "\(name): \(loaded.errors)")
                #expect(loaded.report.count(.warning) == 0, "\(name)")
            }
        }
    }

    @Test(arguments: ["S-BIAD599", "S-BIAD634"])
    func studyFilesCombineIntoOneValidDocument(study: String) throws {
        let loaded = try Fixtures.load(try Fixtures.combinedExample(study), .yaml)
        #expect(loaded.kind == .combined)
        #expect(loaded.report.isValid, "\(loaded.errors)")
        #expect(loaded.document.annotations?.count == 1)
        #expect(loaded.document.annotations?.first?.annotationType == [.segmentationMask])
        #expect(loaded.pointers(.derivedAnnotationType) == ["/annotations/0/annotation_type"])
        #expect(loaded.document.version?.version != nil)
        // The normalised document reads back as itself, valid and with nothing left to normalise.
        let again = try MetadataReader.read(bytes: try loaded.normalizedJSON(), format: .json)
        #expect(again.report.isValid)
        #expect(again.report.issues.isEmpty, "\(again.report.issues.prefix(3))")
        #expect(again.document == loaded.document)
    }

    @Test func archiveSpellingsAreNormalised() throws {
        let study = try Fixtures.load(try Fixtures.example("Study_S-BIAD599.yaml"), .yaml)
        let document = try #require(study.document.study)
        #expect(document.license == "CC-BY-4.0")
        #expect(document.authors?[0].orcidID == "0000-0002-5600-8285")
        #expect(document.authors?[3].orcidID == "0000-0001-7613-090X")
        #expect(document.publications?[0].publicationDOI == "10.7554/eLife.55913")
        #expect(document.linkURL == ["https://idr.openmicroscopy.org/webclient/?show=project-1105"])
        #expect(document.aiModelsTrained == ["https://github.com/WhoIsJack/data-driven-analysis-lateralline"])
        #expect(study.pointers(.normalizedORCID) == ["/authors/0/orcid_id", "/authors/2/orcid_id", "/authors/3/orcid_id"])
        #expect(study.pointers(.normalizedLicense) == ["/license"])
        #expect(study.pointers(.normalizedDOI) == ["/publications/0/publication_doi"])
        #expect(study.issues(.normalizedORCID).first?.position?.line == 12)
        #expect(study.report.issues.allSatisfy { $0.severity == .info && $0.changesDocument })

        let other = try Fixtures.load(try Fixtures.example("Study_S-BIAD634.yaml"), .yaml)
        #expect(other.document.study?.license == "CC0-1.0")
        #expect(other.document.study?.authors?[3].role == ["data annotation"])
        #expect(other.pointers(.wrappedInList).contains("/authors/3/role"))

        let version = try Fixtures.load(try Fixtures.example("Version_S-BIAD634.yaml"), .yaml)
        #expect(version.document.version?.version == "1.1")
        #expect(version.document.version?.timestamp == "2023-03-07T14:37:00-00:00")
    }

    @Test func templatesReportTheirMissingRequiredFields() throws {
        let study = try Fixtures.load(try Fixtures.example("Study_template.yaml"), .yaml)
        let missing = Set(study.pointers(.missingRequired))
        for pointer in ["/title", "/description", "/keywords", "/license", "/funding_statement", "/link_url",
                        "/authors/0/author_first_name", "/authors/1/author_last_name",
                        "/authors/0/organisation/1/organisation_name", "/grants/1/funder", "/publications/0/publication_doi"] {
            #expect(missing.contains(pointer), "\(pointer)")
        }
        let annotations = try Fixtures.load(try Fixtures.example("Annotations_template.yaml"), .yaml)
        let missingAnnotations = Set(annotations.pointers(.missingRequired))
        for pointer in ["/annotation_overview", "/annotation_method", "/annotation_type", "/file_metadata/0/annotation_id",
                        "/file_metadata/0/annotation_type", "/file_metadata/1/source_image_id"] {
            #expect(missingAnnotations.contains(pointer), "\(pointer)")
        }
        let version = try Fixtures.load(try Fixtures.example("Version_template.yaml"), .yaml)
        #expect(Set(version.pointers(.missingRequired)) == ["/version", "/timestamp"])
        // Blank optional values are notes, not errors.
        #expect(version.pointers(.blankValue).sorted() == ["/changes", "/previous_version"])
    }

    @Test func yamlScalarsKeepTheirText() throws {
        let loaded = try Fixtures.load("version: 1.10\ntimestamp: 2023-01-17T10:04:00Z\nchanges: yes\n", .yaml)
        #expect(loaded.document.version?.version == "1.10")
        #expect(loaded.document.version?.changes == "yes")
        let study = try Fixtures.load("publications:\n  - publication_year: 2021\ngrants:\n  - grant_id: 840767\n", .yaml)
        #expect(study.document.study?.publications?.first?.publicationYear == "2021")
        #expect(study.document.study?.grants?.first?.grantID == "840767")
    }
}
