import MIFACore
import Testing
@testable import OMEZarr

/// Every case of the official OME-NGFF 0.4 and 0.5 validation suites gets the suite's verdict.
/// The suites live in ../shared (the architecture folder beside the repository); when it is absent
/// these tests fail (suitesAreAllThere, examplesAreValid) instead of passing by skipping.
@Suite
struct ConformanceSuiteTests {
    @Test("suite verdicts", arguments: Fixtures.suiteCases())
    func verdict(_ suiteCase: Fixtures.SuiteCase) {
        let report = NGFFValidator.validate(suiteCase.data, as: suiteCase.kind, version: suiteCase.version, strict: suiteCase.strict)
        #expect(report.isValid == suiteCase.valid, "\(report.issues)")
        if !suiteCase.valid {
            // Rejected with a reason: a message and a place.
            #expect(!report.errors.isEmpty)
            #expect(report.errors.allSatisfy { !$0.message.isEmpty })
        }
    }

    @Test func suitesAreAllThere() {
        let cases = Fixtures.suiteCases()
        #expect(cases.count == 178)
        #expect(cases.filter { $0.version == .v04 }.count == 92)
    }

    @Test func examplesAreValid() {
        let examples = Fixtures.examples()
        #expect(examples.count == 20)
        for example in examples {
            let report = NGFFValidator.validate(example.data, as: example.kind, version: example.version, strict: example.strict)
            #expect(report.isValid, "\(example.version) \(example.name): \(report.issues)")
        }
    }
}
