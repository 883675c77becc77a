import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import Testing

/// Issue 14, the metadata sheet at pack time: pack replaced the sheet's version block (changes,
/// timestamp) with "Initial version" and the pack time, although `mifa validate` required that
/// timestamp; a single-name annotator was refused; `CC-BY` silently became CC-BY-4.0.
@Suite struct IngestSheetTests {
    func makeSource(_ folder: String, version: String, edit: (String) -> String = { $0 }) throws -> String {
        let source = "\(folder)/source"
        try IngestFixtures.writeImage(0, "\(source)/img0.tif")
        try IngestFixtures.write(IngestFixtures.geojson(0, idPrefix: "n"), "\(source)/img0.geojson")
        let sets = [IngestFixtures.set(overview: "Nucleus outlines", types: ["geometrical_annotations"])]
        var text = IngestFixtures.metadata(sets: sets)
        let block = text.range(of: "version:\n  version: \"0.9\"")!
        text = edit(String(text[..<block.lowerBound]) + version)
        try IngestFixtures.write(text, "\(folder)/mifa.yaml")
        return source
    }

    @Test func packKeepsTheSheetsTimestampAndChanges() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder, version: "version:\n  version: \"1.0\"\n  timestamp: \"2026-03-10T09:00:00+00:00\"\n  changes: First release.\n")
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.version == "1.0")
        let stored = try MetadataReader.read(contentsOf: "\(folder)/pkg/mifa.json")
        #expect(stored.document.version?.timestamp == "2026-03-10T09:00:00+00:00")
        #expect(stored.document.version?.changes == "First release.")
        let record = try DatasetPackage.open("\(folder)/pkg").record("1.0").record
        #expect(record.timestamp == "2026-03-10T09:00:00+00:00")
        #expect(record.changes == "First release.")
    }

    @Test func optionsOverrideTheSheetsVersionBlock() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder, version: "version:\n  version: \"1.0\"\n  timestamp: \"2026-03-10T09:00:00+00:00\"\n  changes: First release.\n")
        var ingest = PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml", version: "2", changes: "Repacked")
        ingest.timestamp = "2026-05-01T12:00:00Z"
        _ = try ingest.run()
        let record = try DatasetPackage.open("\(folder)/pkg").record("2").record
        #expect(record.timestamp == "2026-05-01T12:00:00Z")
        #expect(record.changes == "Repacked")
        let stored = try MetadataReader.read(contentsOf: "\(folder)/pkg/mifa.json")
        #expect(stored.document.version?.timestamp == "2026-05-01T12:00:00Z")
        #expect(stored.document.version?.changes == "Repacked")
    }

    @Test func aSheetWithoutChangesGetsInitialVersionAndKeepsItsTimestamp() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder, version: "version:\n  version: \"1\"\n  timestamp: \"2025-12-31T23:00:00Z\"\n")
        _ = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        let record = try DatasetPackage.open("\(folder)/pkg").record("1").record
        #expect(record.changes == "Initial version")
        #expect(record.timestamp == "2025-12-31T23:00:00Z")
    }

    @Test func aBadOverrideTimestampIsRefused() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder, version: "version:\n  version: \"1\"\n  timestamp: \"2025-12-31T23:00:00Z\"\n")
        var ingest = PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml")
        ingest.timestamp = "yesterday"
        #expect(throws: PackageError.self) { try ingest.run() }
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/pkg"))
    }

    @Test func aSingleNameAnnotatorIsPackedAndCredited() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder, version: "version:\n  version: \"1\"\n  timestamp: \"2025-12-31T23:00:00Z\"\n") {
            $0.replacingOccurrences(of: "  - author_first_name: Ada\n        author_last_name: Lovelace", with: "  - author_last_name: Suharto")
        }
        #expect(try String(contentsOfFile: "\(folder)/mifa.yaml", encoding: .utf8).contains("author_last_name: Suharto"))
        _ = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        let record = try DatasetPackage.open("\(folder)/pkg").record("1").record
        #expect(record.creditedAnnotators.map(\.authorLastName) == ["Suharto"])
        #expect(record.creditedAnnotators.first?.authorFirstName == nil)
    }

    @Test func aMononymAnnotatorOnTheCommandLineIsOneName() throws {
        let plain = try AnnotatorCredit.parseAnnotator("Suharto")
        #expect(plain.authorFirstName == nil && plain.authorLastName == "Suharto")
        let withORCID = try AnnotatorCredit.parseAnnotator("Suharto <0000-0002-1825-0097>")
        #expect(withORCID.authorLastName == "Suharto" && withORCID.orcidID == "0000-0002-1825-0097")
        #expect(try AnnotatorCredit.parseAnnotator("Grace Brewster Hopper").authorFirstName == "Grace Brewster")
        #expect(throws: PackageError.self) { try AnnotatorCredit.parseAnnotator("  <0000-0002-1825-0097>") }
    }

    @Test func aLicenseWithoutVersionIsAWarningOfThePack() throws {
        let folder = try temporaryFolder()
        let source = try makeSource(folder, version: "version:\n  version: \"1\"\n  timestamp: \"2025-12-31T23:00:00Z\"\n") {
            $0.replacingOccurrences(of: "license: CC-BY-4.0", with: "license: CC-BY")
        }
        let summary = try PackageIngest(source: source, package: "\(folder)/pkg", metadata: "\(folder)/mifa.yaml").run()
        #expect(summary.warnings.contains { $0.contains("CC-BY-4.0") && $0.contains("/study/license") }, "\(summary.warnings)")
        #expect(try MetadataReader.read(contentsOf: "\(folder)/pkg/mifa.json").document.study?.license == "CC-BY-4.0")
    }
}
