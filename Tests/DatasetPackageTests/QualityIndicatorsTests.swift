@testable import DatasetPackage
import Testing
import TestSupport

/// ``QualityIndicators``' coverage and validity rules against direct counts on random sets,
/// declarations and findings (the metadata and REMBI rules are recomputed from files in
/// Tests/Interop/test_package_agreement.py).
@Suite struct QualityIndicatorsTests {
    @Test(arguments: 0..<20) func coverageAndValidityCountWhatTheRulesSay(_ seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let images = (0..<6).map { "im\($0)" }
        let sets = (0..<Int.random(in: 1...5, using: &generator)).map { "set\($0 + 1)" }
        func some(_ pool: [String]) -> [String] { pool.filter { _ in Bool.random(using: &generator) }.sorted() }
        var coverage = AuditReport.Coverage(sets: [:], annotatedImages: [], unannotatedImages: [], declaredAnnotatedImages: [])
        var expectedMet = 0, expectedOf = 0
        for set in sets {
            var entry = AuditReport.SetCoverage(kind: "vector", images: some(images), objectsPerImage: [:], objects: 0)
            entry.declaredImages = some(images)
            coverage.sets[set] = entry
            if !entry.declaredImages.isEmpty {
                expectedMet += entry.declaredImages.filter(entry.images.contains).count
                expectedOf += Set(entry.declaredImages + entry.images).count
            }
        }
        #expect(QualityIndicators.coverage(coverage) == QualityIndicators.Share(met: expectedMet, of: expectedOf))

        var findings: [AuditFinding] = []
        var failing = Set<String>()
        for _ in 0..<Int.random(in: 0...8, using: &generator) {
            let set = sets.randomElement(using: &generator)!
            let error = Bool.random(using: &generator)
            let path = Bool.random(using: &generator) ? "annotations/\(set)/annotations.geojson" : "images/im1/labels/\(set)/0/c/0/0"
            findings.append(AuditFinding(error ? .error : .warning, .digestMismatch, path: path, "changed"))
            if error { failing.insert(set) }
        }
        findings.append(AuditFinding(.error, .digestMismatch, path: "images/im1/0/c/0/0", "an image chunk, not a set"))
        findings.append(AuditFinding(.error, .metadataInvalid, path: "mifa.json", "not a set"))
        let validity = QualityIndicators.annotationValidity(coverage, findings: findings)
        #expect(validity == QualityIndicators.Share(met: sets.count - failing.count, of: sets.count))
        #expect(validity.value == Double(sets.count - failing.count) / Double(sets.count))
    }

    @Test func nothingCountedHasNoValue() {
        #expect(QualityIndicators.Share(met: 0, of: 0).value == nil)
        #expect(QualityIndicators.Share(met: 3, of: 4).value == 0.75)
    }
}
