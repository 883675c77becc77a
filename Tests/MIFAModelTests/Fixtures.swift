import Foundation
import MIFACore
import Testing
@testable import MIFAModel

/// Shared test material: the BioImage Archive's examples (from ../shared, located from this file's
/// path or MIFA_SHARED_DIR) and a complete valid document in canonical form.
enum Fixtures {
    static var sharedDirectory: String? {
        if let explicit = ProcessInfo.processInfo.environment["MIFA_SHARED_DIR"] { return explicit }
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return here.appendingPathComponent("../../../shared").standardized.path
    }

    /// `conformance/bia-mifa-models/examples`, or `nil` when the shared folder is absent.
    static var examplesDirectory: String? {
        guard let shared = sharedDirectory else { return nil }
        let path = shared + "/conformance/bia-mifa-models/examples"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func example(_ name: String) throws -> String {
        let directory = try #require(examplesDirectory)
        return try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    /// The Study, Annotations and Version files of one study combined into one YAML document.
    static func combinedExample(_ study: String) throws -> String {
        func indented(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        }
        let annotations = try example("Annotations_\(study).yaml")
            .split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? "  - " + $0.element : "    " + $0.element }.joined(separator: "\n")
        return "study:\n" + indented(try example("Study_\(study).yaml")) + "\nannotations:\n" + annotations
            + "\nversion:\n" + indented(try example("Version_\(study).yaml")) + "\n"
    }

    static func load(_ text: String, _ format: MetadataFormat = .json) throws -> LoadedMetadata {
        try MetadataReader.read(bytes: Array(text.utf8), format: format, file: "test.\(format.rawValue)")
    }

    static func load(_ value: JSONValue) -> LoadedMetadata {
        MetadataReader.load(value)
    }

    /// A complete document in canonical form: every field of every module filled in, valid, and
    /// needing no normalisation.
    static let validJSON = #"""
        {
          "study": {
            "title": "Nuclei of HeLa cells with instance masks",
            "description": "Fluorescence images of DAPI-stained HeLa nuclei for training nuclear segmentation.",
            "keywords": ["nucleus", "segmentation"],
            "license": "CC-BY-4.0",
            "funding_statement": "Funded by the Example Research Council.",
            "link_url": ["https://example.org/nuclei"],
            "link_description": ["Project page"],
            "authors": [
              {
                "author_first_name": "Josiah",
                "author_last_name": "Carberry",
                "email": "josiah.carberry@example.org",
                "orcid_id": "0000-0002-1825-0097",
                "role": ["conceptualization"],
                "organisation": [{"organisation_name": "Brown University", "address": "Providence, RI", "ror_id": "05gq02987"}]
              }
            ],
            "publications": [
              {
                "publication_title": "A nuclei dataset",
                "publication_authors": "J. Carberry",
                "publication_doi": "10.5281/zenodo.1234567",
                "publication_year": "2024",
                "pubmed_id": "PMID:12345678"
              }
            ],
            "grants": [{"grant_id": "840767", "funder": "Example Research Council"}],
            "ai_models_trained": ["https://bioimage.io/#/?id=affable-shark"],
            "acknowledgements": "We thank the imaging facility."
          },
          "images": [
            {
              "id": "IM1",
              "path": "images/IM1",
              "name": "nuclei_01.tif",
              "biosample": {
                "biological_entity": "HeLa cells",
                "organism": {"scientific_name": "Homo sapiens", "common_name": "human", "ncbi_taxon_id": "9606"},
                "intrinsic_variables": ["wild type"],
                "extrinsic_variables": ["DAPI"],
                "experimental_variables": ["none"]
              },
              "specimen": {"preparation_protocol": "Fixed with 4% PFA."},
              "image_acquisition": {
                "imaging_method": {"value": "widefield fluorescence microscopy", "fbbi_id": "FBbi:00000246"},
                "instrument": "Widefield microscope",
                "parameters": "40x/0.95"
              },
              "image_correlation": {"spatial_and_temporal_alignment": "none", "fiducials_used": "none", "transformation_matrix": "identity"}
            },
            {"id": "IM2"}
          ],
          "annotations": [
            {
              "annotation_overview": "Instance masks of nuclei drawn by an expert",
              "annotation_type": ["segmentation_mask"],
              "annotation_method": "Drawn by hand in napari and reviewed.",
              "annotation_criteria": "Nuclei in focus.",
              "annotation_coverage": "All images.",
              "annotation_confidence_level": "Reviewed by a second expert.",
              "annotation_source_indicator": "metadata_file",
              "authors": [
                {"author_first_name": "Ada", "author_last_name": "Lindqvist", "orcid_id": "0000-0002-9079-593X", "role": ["data annotation"]}
              ],
              "file_metadata": [
                {
                  "annotation_id": "AN1",
                  "annotation_type": ["segmentation_mask"],
                  "source_image_id": "IM1",
                  "transformations": "none",
                  "spatial_information": "pixel-aligned",
                  "annotation_creation_time": "2026-03-02T10:15:00+01:00"
                },
                {"annotation_id": "AN2", "annotation_type": ["segmentation_mask", "class_labels"], "source_image_id": "IM2"}
              ]
            }
          ],
          "version": {"version": "1.0", "timestamp": "2026-03-10T09:00:00Z", "changes": "First release.", "previous_version": "S-BSST265"}
        }
        """#

    static var validValue: JSONValue {
        // The fixture is a constant; failing to parse it is a bug in the test itself.
        (try? JSONParser.parse(validJSON)) ?? .null
    }
}

extension JSONValue {
    /// A copy with the value at `pointer` replaced (or inserted into its parent object); `nil` removes it.
    func setting(_ pointer: JSONPointer, to newValue: JSONValue?) -> JSONValue {
        guard let first = pointer.tokens.first else { return newValue ?? .null }
        let rest = JSONPointer(tokens: Array(pointer.tokens.dropFirst()))
        switch self {
        case .object(var object):
            if rest.isRoot {
                object[first] = newValue
            } else if let child = object[first] {
                object[first] = child.setting(rest, to: newValue)
            }
            return .object(object)
        case .array(var elements):
            guard let index = JSONPointer.arrayIndex(first), index < elements.count else { return self }
            if rest.isRoot {
                if let newValue { elements[index] = newValue } else { elements.remove(at: index) }
            } else {
                elements[index] = elements[index].setting(rest, to: newValue)
            }
            return .array(elements)
        default:
            return self
        }
    }

    /// Every pointer in the value, parents before children.
    var allPointers: [JSONPointer] {
        var result: [JSONPointer] = [.root]
        switch self {
        case .object(let object):
            for member in object.members {
                result += member.value.allPointers.map { JSONPointer(tokens: [member.key] + $0.tokens) }
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                result += element.allPointers.map { JSONPointer(tokens: [String(index)] + $0.tokens) }
            }
        default:
            break
        }
        return result
    }
}

extension LoadedMetadata {
    /// The issues with this code.
    func issues(_ code: ValidationIssue.Code) -> [ValidationIssue] {
        report.issues.filter { $0.code == code }
    }

    /// The pointers (as text) of the issues with this code.
    func pointers(_ code: ValidationIssue.Code) -> [String] {
        issues(code).map(\.pointer.description)
    }

    var errors: [ValidationIssue] { report.issues(.error) }
}
