@testable import DatasetPackage
import Foundation
import MIFACore
import Testing

/// A write killed after its commit point is finished by the audit, which says which version the
/// package is now.
@Suite struct AuditRecoveryTests {
    @Test func committedWriteIsFinishedAndReported() throws {
        let package = try AuditFixtures.makePackage(in: try temporaryFolder())
        let manifest = try package.manifest()
        let previous = try package.record("1")
        // What `PackageTransaction.commit` leaves when killed right after writing COMMIT.
        let changed = "images/img2/0/c/0/0"
        let transaction = package.path(PackageLayout.transaction)
        try writeFile("new chunk", "\(transaction)/tree/\(changed)")
        try package.objects.store(fileAt: package.path(changed), expected: manifest.files[changed]!.sha256, displayPath: changed)
        var files = manifest.fileList
        files.files[changed] = ManifestEntry(sha256: SHA256Digest(of: Array("new chunk".utf8)), bytes: 9)
        try package.objects.store(files.canonicalJSON())
        var record = previous.record
        record.version = "2"
        record.timestamp = "2026-02-01T00:00:00Z"
        record.previousVersion = "1"
        record.previousRecordSHA256 = previous.sha256
        record.manifestSHA256 = try files.digest()
        record.totalBytes = files.totalBytes
        let recordBytes = try record.canonicalJSON()
        try Data(recordBytes).write(to: URL(fileURLWithPath: "\(transaction)/record.json"))
        let plan = CommitPlan(version: "2", fileListSHA256: try files.digest(), recordSHA256: SHA256Digest(of: recordBytes), moves: [changed], removals: [])
        try Data(try CanonicalJSON.encode(plan)).write(to: URL(fileURLWithPath: "\(transaction)/COMMIT"))

        let report = try PackageAuditor().audit(package.root)
        #expect(report.recovered == "an interrupted write was committed and has been finished; the package is now version 2")
        #expect(report.version == "2")
        #expect(report.findings.filter { $0.severity != .info }.isEmpty, "\(report.findings)")
        #expect(try readFile(package.path(changed)) == "new chunk")
    }
}
