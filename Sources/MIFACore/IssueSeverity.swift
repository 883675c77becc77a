/// How serious a finding of a check is: a metadata validation issue, an NGFF validation issue or a
/// package audit finding. Ordered errors first.
public enum IssueSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// The input is invalid or broken.
    case error
    /// Allowed, but probably not what was meant, or something a reuser would stumble on.
    case warning
    /// Worth knowing (a normalisation, something derived); nothing to fix.
    case info

    /// Errors before warnings before notes.
    public static func < (lhs: IssueSeverity, rhs: IssueSeverity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
