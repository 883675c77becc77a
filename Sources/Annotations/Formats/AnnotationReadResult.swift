/// What a reader returns: the document and the warnings about what it had to fix or ignore.
public struct AnnotationReadResult: Sendable {
    /// The annotations read.
    public var document: AnnotationDocument
    /// Problems that did not stop reading (wrong winding, coordinates outside the image, ...).
    public var warnings: [AnnotationWarning]

    /// A result.
    public init(document: AnnotationDocument, warnings: [AnnotationWarning] = []) {
        self.document = document
        self.warnings = warnings
    }
}
