import Annotations
import DatasetPackage
import Foundation
import MIFACore
import MIFAModel
import Testing

/// `PackageAuditor`: a clean package audits clean; each kind of tampering is reported with its path.
@Suite struct AuditTests {
    func audit(_ package: DatasetPackage) throws -> AuditReport {
        try PackageAuditor().audit(package.root)
    }

    func codes(_ report: AuditReport, _ severity: AuditFinding.Severity = .error) -> [String] {
        report.findings(severity).map { "\($0.code.rawValue) \($0.path)" }
    }

    @Test func cleanPackageAuditsClean() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        let report = try audit(package)
        #expect(report.findings.filter { $0.severity != .info }.isEmpty, "\(report.findings)")
        #expect(report.verdict == "clean")
        #expect(report.version == "2")
        #expect(report.counts.images == 2)
        #expect(report.counts.annotationSets == 2)
        #expect(report.counts.versions == 2)
        #expect(report.coverage.sets["cells"]?.objectsPerImage == ["img1": 1, "img2": 2])
        #expect(report.coverage.sets["nuclei"]?.images == ["img1"])
        #expect(report.coverage.declaredAnnotatedImages == ["img1", "img2"])
    }

    @Test func changedByteInAChunkIsReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        let chunk = package.path("images/img1/0/c/0/0")
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: chunk)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: chunk))
        #expect(codes(try audit(package)) == ["digest-mismatch images/img1/0/c/0/0"])
    }

    @Test func deletedAndExtraFilesAreReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try FileManager.default.removeItem(atPath: package.path("images/img2/0/c/1/1"))
        try writeFile("extra", package.path("images/img2/0/c/9/9"))
        try writeFile("stray", package.path("notes.txt"))
        try FileManager.default.createSymbolicLink(atPath: package.path("annotations/cells/link.geojson"), withDestinationPath: "annotations.geojson")
        let report = try audit(package)
        #expect(Set(codes(report)) == ["file-missing images/img2/0/c/1/1", "file-unlisted images/img2/0/c/9/9", "irregular-file annotations/cells/link.geojson"])
        #expect(codes(report, .warning) == ["unexpected-entry notes.txt"])
        #expect(report.fails(strict: false))
    }

    @Test func editedVersionRecordIsReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        let file = package.path("versions/1.json")
        try writeFile(try readFile(file).replacingOccurrences(of: "\"first\"", with: "\"rewritten\""), file)
        let report = try audit(package)
        #expect(codes(report) == ["version-digest-mismatch versions/2.json"])
        #expect(report.findings(.error).first?.pointer == "/previous_record_sha256")
    }

    @Test func editedCurrentRecordAndManifestAreReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        let record = package.path("versions/1.json")
        try writeFile(try readFile(record).replacingOccurrences(of: "\"first\"", with: "\"other\""), record)
        #expect(codes(try audit(package)) == ["version-digest-mismatch versions/1.json"])

        let second = try AuditFixtures.makePackage(in: try temporaryFolder())
        var manifest = try second.manifest()
        manifest.files["images/img1/0/c/0/0"]!.bytes += 1
        try Data(try CanonicalJSON.encode(manifest)).write(to: URL(fileURLWithPath: second.path("manifest.json")))
        #expect(Set(codes(try audit(second))) == ["size-mismatch images/img1/0/c/0/0", "version-digest-mismatch manifest.json"])
    }

    @Test func removedObjectIsReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        let old = try package.fileList(of: "1").files["images/img2/0/c/0/0"]!.sha256
        try FileManager.default.removeItem(atPath: package.objects.path(of: old))
        let report = try audit(package)
        #expect(codes(report) == ["object-missing \(PackageLayout.object(old))"])
        #expect(report.findings(.error)[0].message.contains("images/img2/0/c/0/0"))
    }

    @Test func timestampsAndCreditAreChecked() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try AuditFixtures.addVersion(package, "2", timestamp: "2025-12-31T00:00:00Z", annotators: [])
        let report = try audit(package)
        // Version 2's own mifa.json still names the annotator its record no longer credits.
        #expect(Set(codes(report)) == ["version-timestamp versions/2.json", "credit-lost versions/2.json", "credit-missing versions/2.json"])
        #expect(codes(report, .warning).isEmpty)
    }

    @Test func metadataLicenseOrcidAndCoverageAreChecked() throws {
        let metadata = AuditFixtures.metadataJSON(license: "CC-BY-NC-4.0", orcid: "0000-0002-1825-0098", extraImage: "img3")
        let package = try AuditFixtures.makePackage(in: try temporaryFolder(), metadata: metadata)
        let report = try audit(package)
        #expect(Set(codes(report)) == ["orcid-invalid mifa.json", "image-missing mifa.json"])
        #expect(codes(report, .warning) == ["license-restrictive mifa.json"])
        #expect(report.findings(.error).contains { $0.pointer == "/study/authors/0/orcid_id" })
    }

    @Test func interruptedWriteIsRecoveredAndReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try writeFile("half-written", package.path(".mifa-transaction/tree/images/img9/zarr.json"))
        let report = try audit(package)
        #expect(report.recovered?.contains("discarded") == true)
        #expect(report.recovered?.contains("version 1") == true)
        #expect(codes(report, .info).contains("recovered .mifa-transaction"))
        #expect(report.counts.errors == 0)
    }

    @Test func notAPackageThrows() throws {
        #expect(throws: PackageError.self) { try PackageAuditor().audit(try temporaryFolder()) }
    }
}

extension AuditTests {
    @Test func versionLoopIsReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try AuditFixtures.addVersion(package, "2", timestamp: "2026-02-01T00:00:00Z")
        let file = package.path("versions/1.json")
        try writeFile(try readFile(file).replacingOccurrences(of: "\"version\" : \"1\"", with: "\"previous_version\" : \"2\",\n  \"version\" : \"1\""), file)
        let report = try PackageAuditor().audit(package.root)
        #expect(report.findings.contains { $0.code == .versionChainBroken && $0.path == "versions/1.json" && $0.pointer == "/previous_version" })
    }
}

extension AuditTests {
    @Test func invalidImagesAndUnknownSourceImagesAreReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder(), extra: { staging in
            try writeFile(#"{"zarr_format": 3, "node_type": "group", "attributes": {"ome": {"version": "0.5", "multiscales": [{"axes": [], "datasets": []}]}}}"#, "\(staging)/images/img3/zarr.json")
            try writeFile("chunk", "\(staging)/images/img4/labels/nuclei/0/c/0/0")
            try writeFile(#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"image_id": "img9"}}], "mifa:images": [{"id": "img9"}, {"id": "img1"}]}"#, "\(staging)/annotations/points/annotations.geojson")
        })
        let report = try PackageAuditor().audit(package.root)
        let errors = Set(report.findings(.error).map { "\($0.code.rawValue) \($0.path)" })
        #expect(errors == [
            "image-invalid images/img3/zarr.json", "image-invalid images/img4", "image-invalid images/img4/labels/nuclei",
            "source-image-missing annotations/points/annotations.geojson",
        ])
        #expect(report.coverage.sets["points"]?.objects == 0)
    }
}

extension AuditTests {
    /// A lock file that cannot be opened for writing (here a folder in its place, as root ignores
    /// permissions) stands for a read-only copy. With no interrupted write there is nothing to
    /// lock for: audited as is, without a finding. With one, the audit cannot finish or discard it
    /// and says so as an error.
    @Test func packageThatCannotBeLockedIsAuditedAsIs() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        try? FileManager.default.removeItem(atPath: package.path(".mifa-lock"))
        try FileManager.default.createDirectory(atPath: package.path(".mifa-lock"), withIntermediateDirectories: false)
        let report = try PackageAuditor().audit(package.root)
        #expect(report.verdict == "clean")
        #expect(report.findings.filter { $0.code != .rembiMissing }.isEmpty)

        try FileManager.default.createDirectory(atPath: package.path(PackageLayout.transaction + "/tree"), withIntermediateDirectories: true)
        let pending = try PackageAuditor().audit(package.root)
        #expect(pending.findings(.error).map(\.code) == [.readOnly])
    }
}

extension AuditTests {
    @Test func annotationOfAnImageThePackageLacksIsReportedOnce() throws {
        let metadata = AuditFixtures.metadataJSON().replacingOccurrences(of: #""source_image_id": "img2""#, with: #""source_image_id": "img7""#)
        let package = try AuditFixtures.makePackage(in: try temporaryFolder(), metadata: metadata)
        let report = try PackageAuditor().audit(package.root)
        #expect(report.findings(.error).map { "\($0.code.rawValue) \($0.pointer ?? "")" } == ["source-image-missing /annotations/0/file_metadata/1/source_image_id"])
        #expect(report.findings(.warning).map(\.code) == [.coverageUndeclared])
    }
}

extension AuditTests {
    @Test func missingAndNoReuseLicensesAreReported() throws {
        let none = try AuditFixtures.makePackage(in: try temporaryFolder(), metadata: AuditFixtures.metadataJSON(license: "None"))
        #expect(try PackageAuditor().audit(none.root).findings.contains { $0.code == .licenseRestrictive && $0.severity == .warning })
        let missing = AuditFixtures.metadataJSON().replacingOccurrences(of: #""license": "CC-BY-4.0", "#, with: "")
        let package = try AuditFixtures.makePackage(in: try temporaryFolder(), metadata: missing)
        let report = try PackageAuditor().audit(package.root)
        #expect(report.findings(.error).map(\.code) == [.licenseMissing])
        let zero = try AuditFixtures.makePackage(in: try temporaryFolder(), metadata: AuditFixtures.metadataJSON(license: "CC0-1.0"))
        #expect(try PackageAuditor().audit(zero.root).verdict == "clean")
    }
}

extension AuditTests {
    /// Schemas/audit-report.schema.json lists exactly the finding codes there are.
    @Test func schemaListsEveryFindingCode() throws {
        let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Schemas/audit-report.schema.json").standardized.path
        let schema = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: schemaPath))))
        let codes = try #require(schema["$defs"]?["finding"]?["properties"]?["code"]?["enum"]?.arrayValue).compactMap(\.stringValue)
        #expect(codes == AuditFinding.Code.allCases.map(\.rawValue))
    }
}

extension AuditTests {
    /// Coverage counts the objects of label sets too (distinct non-zero values), and the audit
    /// warns about objects outside their image and outlines without area.
    @Test func coverageCountsLabelObjectsAndChecksAnnotations() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        let clean = try audit(package)
        #expect(clean.coverage.sets["nuclei"]?.objectsPerImage == ["img1": 2])
        #expect(clean.coverage.sets["nuclei"]?.objects == 2)
        #expect(clean.coverage.sets["cells"]?.objects == 3)

        let transaction = try PackageTransaction(package: package)
        try transaction.stageCurrentContent()
        var cells = AuditFixtures.cells()
        let outside = Polygon(exterior: Ring(flat: [20, 10, 30, 10, 30, 20, 20, 20, 20, 10]))
        let flat = Polygon(exterior: Ring(flat: [2, 2, 6, 2, 6, 2.0000001, 2, 2]))
        cells.annotations += [
            Annotation(id: .int(4), imageID: .string("img1"), value: .geometry(.polygon(outside))),
            Annotation(id: .int(5), imageID: .string("img2"), value: .geometry(.polygon(flat))),
        ]
        try GeoJSONWriter.write(cells, to: "\(transaction.stagingRoot)/\(PackageLayout.annotationFile("cells"))")
        _ = try transaction.commit(AuditFixtures.record("2", timestamp: "2026-02-01T00:00:00Z"))
        let report = try audit(package)
        #expect(codes(report).isEmpty, "\(codes(report))")
        #expect(Set(codes(report, .warning)) == ["annotation-degenerate annotations/cells/annotations.geojson", "annotation-outside-image annotations/cells/annotations.geojson"])
        #expect(report.coverage.sets["cells"]?.objects == 5)
    }
}
