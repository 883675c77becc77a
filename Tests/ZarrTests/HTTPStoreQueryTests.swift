import Foundation
import MIFACore
import Testing
@testable import Zarr

/// A presigned URL's query is a credential: it goes with every request, never into an error.
@Suite struct HTTPStoreQueryTests {
    @Test func transportErrorsDoNotShowThePresignedQuery() throws {
        // Nothing listens on port 1 of loopback: the connection is refused inside the transport.
        let limits = HTTPLimits(maxRetries: 0)
        let store = try HTTPStore(url: "http://127.0.0.1:1/data/pkg.zip?X-Amz-Credential=AKIDEXAMPLE&X-Amz-Signature=5ecret5ignature", limits: limits)
        do {
            _ = try store.get(try StoreKey("zarr.json"), range: nil)
            Issue.record("a refused connection gave no error")
        } catch let error as ZarrError {
            let shown = "\(error.message) \(error.context.file ?? "") \(error)"
            #expect(!shown.contains("5ecret5ignature") && !shown.contains("AKIDEXAMPLE"), "\(shown)")
            #expect(shown.contains("127.0.0.1:1/data/pkg.zip"), "the error still names the URL: \(shown)")
        }
    }
}
