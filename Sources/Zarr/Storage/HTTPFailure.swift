import MIFACore

/// A refused or failed HTTP attempt: the error to report, and whether trying again may help.
package struct HTTPFailure: Error, Sendable {
    /// The error to report.
    package let error: ZarrError
    /// Whether another attempt may succeed (a cut connection, a refused connection).
    package let retryable: Bool

    /// A failure.
    /// - Parameters:
    ///   - error: the error to report.
    ///   - retryable: whether another attempt may succeed.
    package init(error: ZarrError, retryable: Bool) {
        self.error = error
        self.retryable = retryable
    }
}
