import MIFACore

extension JSONReader {
    /// Runs `body` with MIFACore's reader over `bytes` (see ``JSONReader/read(_:file:maximumDepth:_:)``),
    /// reporting the reader's JSON errors as ``AnnotationError`` `.malformed`, with the same message
    /// and place, so callers of the annotation readers catch one error type.
    /// - Throws: ``AnnotationError``; `body`'s other errors as they are.
    static func readAnnotationJSON<T>(_ bytes: [UInt8], file: String?, _ body: (inout JSONReader) throws -> T) throws -> T {
        do {
            return try JSONReader.read(bytes, file: file, body)
        } catch let error as CoreError where error.kind == .invalidJSON {
            throw AnnotationError(.malformed, error.message, context: error.context)
        }
    }

    /// An annotation error at the reader's place (file, line, column and JSON pointer).
    func error(_ message: String, kind: AnnotationError.Code = .malformed) -> AnnotationError {
        AnnotationError(kind, message, context: context)
    }
}
