import Foundation
import Testing
import MIFACore
@testable import OMEZarr

/// The official OME-NGFF schemas and suites in ../shared/conformance/ngff, located from this file.
enum Fixtures {
    /// `../shared/conformance/ngff`, or `nil` when absent.
    static var ngffDirectory: String? {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let path = here.appendingPathComponent("../../../shared/conformance/ngff").standardized.path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// One case of a suite.
    struct SuiteCase: CustomTestStringConvertible, Sendable {
        let version: NGFFVersion
        let suite: String
        let kind: NGFFDocumentKind
        let strict: Bool
        let name: String
        let data: JSONValue
        let valid: Bool
        var testDescription: String { "\(version) \(suite) \(name)" }
    }

    /// Every case of every suite of both versions.
    static func suiteCases() -> [SuiteCase] {
        guard let root = ngffDirectory else { return [] }
        var cases: [SuiteCase] = []
        for version in NGFFVersion.allCases {
            let directory = "\(root)/\(version.rawValue)/tests"
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix("_suite.json") }.sorted()
            for file in files {
                guard let bytes = FileManager.default.contents(atPath: "\(directory)/\(file)"),
                      let document = try? JSONParser.parse(Array(bytes)),
                      let schema = document["schema"]?["id"]?.stringValue,
                      let (kind, strict) = kind(ofSchema: schema) else { continue }
                for (index, test) in (document["tests"]?.arrayValue ?? []).enumerated() {
                    guard let data = test["data"], let valid = test["valid"]?.boolValue else { continue }
                    let name = test["formerly"]?.stringValue ?? "case \(index)"
                    cases.append(SuiteCase(version: version, suite: file, kind: kind, strict: strict, name: "\(index) \(name)", data: data, valid: valid))
                }
            }
        }
        return cases
    }

    /// The document kind and strictness of `schemas/<name>.schema`.
    static func kind(ofSchema id: String) -> (NGFFDocumentKind, Bool)? {
        var name = (id.split(separator: "/").last.map(String.init) ?? id).replacingOccurrences(of: ".schema", with: "")
        let strict = name.hasPrefix("strict_")
        if strict { name.removeFirst("strict_".count) }
        let kinds: [String: NGFFDocumentKind] = ["image": .image, "label": .label, "plate": .plate, "well": .well, "bf2raw": .bioformats2raw, "ome": .series]
        return kinds[name].map { ($0, strict) }
    }

    /// The example documents (`examples/<folder>/*.json` with the schema named in `.config.json`).
    static func examples() -> [(version: NGFFVersion, name: String, kind: NGFFDocumentKind, strict: Bool, data: JSONValue)] {
        guard let root = ngffDirectory else { return [] }
        var result: [(NGFFVersion, String, NGFFDocumentKind, Bool, JSONValue)] = []
        for version in NGFFVersion.allCases {
            let directory = "\(root)/\(version.rawValue)/examples"
            for folder in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
                var schema = "schemas/\(folder).schema"
                if let config = FileManager.default.contents(atPath: "\(directory)/\(folder)/.config.json"),
                   let value = try? JSONParser.parse(Array(config)), let named = value["schema"]?.stringValue {
                    schema = named
                }
                guard let (kind, strict) = kind(ofSchema: schema) else { continue }
                for file in ((try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(folder)")) ?? []).sorted() where file.hasSuffix(".json") && !file.hasPrefix(".") {
                    // The specification's examples carry `//` comment lines (JSONC); drop them.
                    guard let bytes = FileManager.default.contents(atPath: "\(directory)/\(folder)/\(file)") else { continue }
                    let text = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                        .filter { !$0.drop { $0 == " " || $0 == "\t" }.hasPrefix("//") }.joined(separator: "\n")
                    guard var data = try? JSONParser.parse(text) else { continue }
                    // 0.5 examples are whole zarr.json documents; the schemas validate their attributes.
                    if data["zarr_format"] != nil, let attributes = data["attributes"] { data = attributes }
                    result.append((version, "\(folder)/\(file)", kind, strict, data))
                }
            }
        }
        return result
    }
}
