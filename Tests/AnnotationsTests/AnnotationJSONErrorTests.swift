import MIFACore
import Testing
@testable import Annotations

/// The annotation readers stream through MIFACore's JSON reader; its errors reach their callers as
/// ``AnnotationError`` `.malformed`, at the place the tree parser names (a typed read may word the
/// problem as the value it expected).
@Suite struct AnnotationJSONErrorTests {
    @Test func syntaxErrorsAreMalformedAtTheParsersPlace() throws {
        for text in ["{\"type\": \"FeatureCollection\", \"features\": [,]}", "{\"type\": \"Feature\",\n \"type\": 1}", "[{\"type\": \"Feature\", \"geometry\": nul}]"] {
            let bytes = Array(text.utf8)
            var parserError: CoreError?
            do { _ = try JSONParser.parse(bytes, file: "a.geojson") } catch let error as CoreError { parserError = error }
            #expect(parserError != nil, "\(text)")
            #expect {
                _ = try GeoJSONReader.read(bytes: bytes, file: "a.geojson")
            } throws: { error in
                guard let error = error as? AnnotationError, let parserError else { return false }
                return error.kind == .malformed && error.context.file == parserError.context.file
                    && error.context.line == parserError.context.line && error.context.column == parserError.context.column
            }
        }
    }

    @Test("nesting deeper than the limit is an error, not a stack overflow")
    func depth() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: AnnotationError.self) { _ = try GeoJSONReader.read(bytes: Array(("{\"type\":\"GeometryCollection\",\"geometries\":" + text + "}").utf8)) }
        #expect(throws: AnnotationError.self) { _ = try COCOReader.read(bytes: Array(("{\"images\":" + text + "}").utf8)) }
    }
}
