/// The stable codes of one kind of ``Diagnostic``: an ``ErrorCode`` enum (raw values are the codes'
/// text, such as `file-missing`), with the JSON member that names a diagnostic's file.
public protocol DiagnosticCode: ErrorCode, CaseIterable {
    /// The JSON member holding ``ErrorContext/file``: `file` unless the kind says otherwise (audit
    /// findings call it `path`: a package-relative path).
    static var fileMember: String { get }
}

extension DiagnosticCode {
    /// `file`.
    public static var fileMember: String { "file" }
}

/// One finding of a check that goes on after it: a metadata validation issue, an OME-NGFF
/// validation issue, a package audit finding, an annotation reader's warning. Where ``LayerError``
/// stops an operation, a diagnostic is returned beside its result (libraries do not print).
///
/// Each kind is this struct with its own code enum (`ValidationIssue`, `NGFFIssue`,
/// `AuditFinding` and `AnnotationWarning` are type aliases), so all share one shape: how serious,
/// a stable code, a message, the place (``ErrorContext``: file, line, JSON pointer, key ...), and,
/// where they can be said, what was expected and found and a likely fix. As JSON:
/// `{"severity", "code", "message", "file" (or the kind's ``DiagnosticCode/fileMember``),
/// "pointer", "line", "column", "key", "offset", "shape", "expected", "found", "suggestion",
/// "changes_document"}`, leaving out what is unknown (and `changes_document` when false).
public struct Diagnostic<C: DiagnosticCode>: Sendable, Hashable, CustomStringConvertible {
    /// The kind's code enum (`AuditFinding.Code` is `AuditCode`, and so on).
    public typealias Code = C

    /// How serious a finding is: an error makes the input invalid, a warning is allowed but probably
    /// not what was meant, info notes something normalised, derived or worth knowing.
    public typealias Severity = IssueSeverity

    /// How serious.
    public var severity: IssueSeverity
    /// What kind of finding, as a stable code.
    public var code: Code
    /// What is wrong (or what was done about it), in a sentence.
    public var message: String
    /// Where it was found.
    public var context: ErrorContext
    /// What was expected, if that can be said.
    public var expected: String?
    /// What was found, if anything.
    public var found: String?
    /// How to fix it, when there is a likely fix (a did-you-mean, the value meant ...).
    public var suggestion: String?
    /// Whether the reader changed its input here (a normalisation, a repair, a value left out), so
    /// what it returns differs from what was written.
    public var changesDocument: Bool

    /// A finding with all its parts.
    public init(_ severity: IssueSeverity, _ code: Code, _ message: String, context: ErrorContext = ErrorContext(),
                expected: String? = nil, found: String? = nil, suggestion: String? = nil, changesDocument: Bool = false) {
        self.severity = severity
        self.code = code
        self.message = message
        self.context = context
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        self.changesDocument = changesDocument
    }

    /// `place: message (expected X, found Y) — suggestion`. The place reads like an error's (see
    /// ``ErrorContext``), except that a JSON pointer in a document without a file name is followed
    /// by its line: `/study/title (line 3)`.
    public var description: String {
        var place = context
        var lineNote = ""
        if place.file == nil, place.pointer != nil, let line = place.line {
            lineNote = " (line \(line))"
            place.line = nil
            place.column = nil
        }
        let text = place.description + lineNote
        return text.isEmpty ? detailedMessage : text + ": " + detailedMessage
    }

    /// The message followed by what was expected and found and the suggestion:
    /// `message (expected X, found Y) — suggestion`.
    public var detailedMessage: String {
        var text = message
        switch (expected, found) {
        case let (expected?, found?): text += " (expected \(expected), found \(found))"
        case let (expected?, nil): text += " (expected \(expected))"
        case let (nil, found?): text += " (found \(found))"
        case (nil, nil): break
        }
        if let suggestion { text += " — " + suggestion }
        return text
    }
}

extension Diagnostic: Codable {
    /// The finding as a JSON object (the members listed on ``Diagnostic``, unknown ones left out,
    /// `changes_document` only when true).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("severity", .string(severity.rawValue)), ("code", .string(code.rawValue)), ("message", .string(message)),
        ]
        if let file = context.file { members.append((Code.fileMember, .string(file))) }
        if let pointer = context.pointer { members.append(("pointer", .string(pointer))) }
        if let line = context.line { members.append(("line", .number(JSONNumber(line)))) }
        if let column = context.column { members.append(("column", .number(JSONNumber(column)))) }
        if let key = context.key { members.append(("key", .string(key))) }
        if let offset = context.offset { members.append(("offset", .number(JSONNumber(offset)))) }
        if let shape = context.shape { members.append(("shape", .array(shape.map { .number(JSONNumber($0)) }))) }
        if let expected { members.append(("expected", .string(expected))) }
        if let found { members.append(("found", .string(found))) }
        if let suggestion { members.append(("suggestion", .string(suggestion))) }
        if changesDocument { members.append(("changes_document", true)) }
        return .object(JSONObject(members))
    }

    /// Writes ``json``.
    /// - Throws: what the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// Reads a finding written by ``encode(to:)``.
    /// - Throws: `DecodingError` when a member is missing, of the wrong type, or an unknown code.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        func fail(_ what: String) -> DecodingError {
            .dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: what))
        }
        func text(_ member: String) -> String? { value[member]?.stringValue }
        func integer(_ member: String) -> Int? { value[member]?.numberValue?.intValue }
        guard let severityText = text("severity"), let severity = IssueSeverity(rawValue: severityText) else {
            throw fail("a diagnostic needs a severity (error, warning or info)")
        }
        guard let codeText = text("code"), let code = Code(rawValue: codeText) else {
            throw fail("a diagnostic needs one of the codes \(Code.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let message = text("message") else { throw fail("a diagnostic needs a message") }
        let shape = value["shape"]?.arrayValue?.compactMap { $0.numberValue?.intValue }
        let context = ErrorContext(file: text(Code.fileMember), line: integer("line"), column: integer("column"),
                                   pointer: text("pointer"), key: text("key"), offset: integer("offset"), shape: shape)
        self.init(severity, code, message, context: context, expected: text("expected"), found: text("found"),
                  suggestion: text("suggestion"), changesDocument: value["changes_document"]?.boolValue ?? false)
    }
}
