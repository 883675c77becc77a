#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A one-line progress bar on standard error for long commands (`mifa pack`, ...), drawn only when
/// standard error is a terminal; otherwise every call does nothing, so logs and pipes stay clean.
///
/// ```swift
/// let progress = ProgressReporter(total: files.count, unit: "images")
/// for file in files { try convert(file); progress.advance() }
/// progress.finish()
/// ```
///
/// The line is redrawn at most ten times a second: `[#######.............]  35/100 images  12.3/s`.
/// Use it from one thread at a time.
public final class ProgressReporter {
    /// The number of steps expected.
    public let total: Int
    /// What a step is called, e.g. `images`.
    public let unit: String
    /// Whether the bar is drawn (standard error is a terminal and drawing was not turned off).
    public let isEnabled: Bool
    private var done = 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drewSomething = false
    private var drawnDone = -1

    /// A reporter for `total` steps.
    /// - Parameters:
    ///   - total: the steps expected (0 or more).
    ///   - unit: what a step is called.
    ///   - enabled: `nil` draws when standard error is a terminal; `false` never draws.
    public init(total: Int, unit: String, enabled: Bool? = nil) {
        self.total = Swift.max(0, total)
        self.unit = unit
        self.isEnabled = enabled ?? (isatty(2) == 1)
    }

    /// Counts `steps` more steps done and redraws the line if due.
    public func advance(by steps: Int = 1) {
        done = Swift.min(total, done + steps)
        guard isEnabled else { return }
        let now = Date()
        if done == total || now.timeIntervalSince(lastDraw) >= 0.1 {
            lastDraw = now
            draw(now: now)
        }
    }

    /// Draws the final state and ends the line.
    public func finish() {
        guard isEnabled else { return }
        if drawnDone != done { draw(now: Date()) }
        if drewSomething { emit("\n") }
    }

    /// The text of the bar after `done` of `total` steps in `seconds`.
    public static func line(done: Int, total: Int, unit: String, seconds: Double, width: Int = 30) -> String {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let filled = Swift.min(width, Int((fraction * Double(width)).rounded(.down)))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let digits = String(total).count
        let count = String(repeating: " ", count: Swift.max(0, digits - String(done).count)) + String(done)
        return "[\(bar)] \(count)/\(total) \(unit)  \(String(format: "%.1f", rate))/s"
    }

    private func draw(now: Date) {
        drewSomething = true
        drawnDone = done
        emit("\r" + Self.line(done: done, total: total, unit: unit, seconds: now.timeIntervalSince(start)))
    }

    private func emit(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
