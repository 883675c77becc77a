import Annotations
import MIFACore
import Testing

/// ``LabelImage/objects(limit:)``: a reader of strangers' label images bounds the objects it gathers.
@Suite struct LabelObjectLimitTests {
    /// A `side` × `side` uint32 label image whose every pixel is its own object.
    static func noise(side: Int) throws -> LabelImage {
        let values = (1...UInt32(side * side)).shuffled()
        return try LabelImage(AnyNDArray(NDArray(shape: [side, side], elements: values)))
    }

    @Test func gathersUpToTheLimitAndRefusesOneMore() throws {
        let image = try Self.noise(side: 20)
        #expect(try image.objects(limit: 400).count == 400)
        #expect(try image.objects().count == 400)
        let error = #expect(throws: AnnotationError.self) { try image.objects(limit: 399) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.message.contains("more than 399 objects") == true)
    }
}
