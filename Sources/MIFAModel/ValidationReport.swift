public import MIFACore

/// Every issue found in one document, errors first, then warnings, then notes; within a severity
/// in document order.
public struct ValidationReport: Sendable, Hashable, Codable {
    /// All issues.
    public private(set) var issues: [ValidationIssue]

    /// A report of these issues (sorted by severity, then position or pointer).
    public init(issues: [ValidationIssue]) {
        self.issues = issues.sorted(by: ValidationReport.order)
    }

    /// Whether the document has no errors (warnings and notes do not make it invalid).
    public var isValid: Bool { !issues.contains { $0.severity == .error } }

    /// The issues of one severity.
    public func issues(_ severity: ValidationIssue.Severity) -> [ValidationIssue] {
        issues.filter { $0.severity == severity }
    }

    /// The number of issues of one severity.
    public func count(_ severity: ValidationIssue.Severity) -> Int {
        issues.reduce(0) { $0 + ($1.severity == severity ? 1 : 0) }
    }

    /// Whether reading changed the document (see `changesDocument`).
    public var documentWasNormalized: Bool { issues.contains(where: \.changesDocument) }

    static func order(_ a: ValidationIssue, _ b: ValidationIssue) -> Bool {
        if a.severity != b.severity { return a.severity < b.severity }
        if let x = a.position, let y = b.position, x != y { return x < y }
        if a.pointer != b.pointer { return a.pointer < b.pointer }
        return a.code.rawValue < b.code.rawValue
    }
}
