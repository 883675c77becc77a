import MIFACore
import Testing
@testable import Annotations

@Suite("AnnotationError")
struct AnnotationErrorTests {
    @Test("the description names the place and the message")
    func description() {
        let error = AnnotationError(.invalidRLE, "bad", context: ErrorContext(file: "a.json", pointer: "/annotations/0"))
        #expect(error.description == "a.json /annotations/0: bad")
        #expect(error.code == "invalid-rle")
    }
}
