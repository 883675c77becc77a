import MIFACore

/// A progress bar for library calls that report `(done, total)`: the ``ProgressReporter`` is made
/// at the first report, when the total is known (nothing is drawn unless stderr is a terminal).
final class ProgressBar {
    private let unit: String
    private var reporter: ProgressReporter?
    private var done = 0

    /// A bar counting `unit` (e.g. `files`).
    init(unit: String) {
        self.unit = unit
    }

    /// Moves the bar to `done` of `total`.
    func update(_ done: Int, _ total: Int) {
        if reporter == nil { reporter = ProgressReporter(total: total, unit: unit) }
        reporter?.advance(by: done - self.done)
        self.done = done
    }

    /// Ends the bar's line.
    func finish() {
        reporter?.finish()
    }
}
