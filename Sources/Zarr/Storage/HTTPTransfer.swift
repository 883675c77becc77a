import Dispatch
import Foundation
import MIFACore

/// One attempt's state while libcurl runs it: feeds the response to its ``HTTPResponseCheck`` as
/// it arrives (header lines, body parts), keeps the clock rules, and says how the transfer ended.
///
/// ``CurlEasy`` calls it from libcurl's callbacks, all on the thread that performs the transfer,
/// one at a time; it is never shared between threads. Each method that takes a part of the
/// response returns `false` when the transfer must stop there (a rule is broken, or the check has
/// what it needs); the first refusal or timeout is recorded at once and is the outcome, whatever
/// libcurl reports after it.
final class HTTPTransfer {
    /// The most bytes of one header block (status line and fields) accepted.
    static let maxHeaderBytes = 256 << 10

    private var check: HTTPResponseCheck
    private let limits: HTTPLimits
    /// When the whole read, retries included, must be done.
    let deadline: DispatchTime
    /// What the headers decided.
    private var verdict: HTTPResponseCheck.Verdict?
    /// When the transfer started, and when its headers arrived.
    private let started: DispatchTime
    private var headArrived: DispatchTime?
    /// The current low-speed window: when it started and the bytes received in it.
    private var windowStart: DispatchTime
    private var windowBytes = 0
    /// The first refusal or timeout.
    private var failure: HTTPFailure?
    /// Whether the check said the transfer may stop before the body ends.
    private var hasEnough = false
    /// The header block being read: its status, fields and size so far.
    private var status: Int?
    private var fields: [(name: String, value: String)] = []
    private var headerBytes = 0

    /// The state of an attempt checked by `check`, starting now, to be over by `deadline`.
    init(check: HTTPResponseCheck, limits: HTTPLimits, deadline: DispatchTime) {
        let now = DispatchTime.now()
        self.check = check
        self.limits = limits
        self.deadline = deadline
        started = now
        windowStart = now
    }

    // MARK: - The response, as libcurl delivers it

    /// Takes one header line (status line, field, or the empty line that ends a block), with its
    /// line end. Interim `1xx` blocks are skipped; at the end of the final block the check decides;
    /// lines after it (trailers) are ignored.
    /// - Returns: whether to go on.
    func headerLine(_ line: some Collection<UInt8>) -> Bool {
        guard failure == nil else { return false }
        if headArrived != nil { return true }
        headerBytes += line.count
        guard headerBytes <= Self.maxHeaderBytes else {
            return fail(check.failure(.storeFailure, "the response headers are longer than \(Self.maxHeaderBytes) bytes; the server is broken"))
        }
        if let taken = line.withContiguousStorageIfAvailable({ take($0) }) { return taken }
        return Array(line).withUnsafeBufferPointer { take($0) }
    }

    /// ``headerLine(_:)`` on the line's bytes. Parsed as bytes, not through Foundation: every
    /// response passes here (trimming and comparing its fields as `String`s cost a tenth of the
    /// loader's CPU over S3; BENCHMARKS.md, "Remote loader").
    private func take(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // The line end is cut as bytes: in a String, "\r\n" is one Character.
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = bytes[..<end]
        if line.isEmpty { return endOfBlock() }
        if line.starts(with: "HTTP/".utf8) {
            // A status line: "HTTP/1.1 200 OK", "HTTP/2 404".
            let parts = line.split(separator: 0x20, maxSplits: 2)
            status = parts.count > 1 ? Int(Self.text(parts[1])) : nil
            fields = []
            return true
        }
        if let first = line.first, first == 0x20 || first == 0x09, !fields.isEmpty {
            // An obsolete folded continuation of the previous field.
            fields[fields.count - 1].value += " " + Self.text(HTTPResponseCheck.trimmed(line))
            return true
        }
        guard let colon = line.firstIndex(of: 0x3A) else { return true }
        fields.append((name: Self.text(line[..<colon]), value: Self.text(HTTPResponseCheck.trimmed(line[(colon + 1)...]))))
        return true
    }

    /// The bytes as text (invalid UTF-8 repaired).
    private static func text(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
    }

    /// The end of a header block: the check decides on a final one.
    private func endOfBlock() -> Bool {
        guard let status else {
            return fail(check.failure(.storeFailure, "the server sent headers without a status line", retryable: true))
        }
        if (100..<200).contains(status), status != 101 {
            // 100 Continue and other interim answers: the final one follows.
            self.status = nil
            fields = []
            headerBytes = 0
            return true
        }
        let now = DispatchTime.now()
        headArrived = now
        windowStart = now
        windowBytes = 0
        do throws(HTTPFailure) {
            verdict = try check.receiveHead(status: status, headers: fields)
            hasEnough = check.hasEnough
            return true
        } catch {
            return fail(error)
        }
    }

    /// Takes one part of the body.
    /// - Returns: whether to go on (`false` also when the check has all it needs).
    func body(_ part: some Collection<UInt8>) -> Bool {
        guard failure == nil else { return false }
        windowBytes += part.count
        do throws(HTTPFailure) {
            if try check.receive(part) { return true }
            hasEnough = true
            return false
        } catch {
            return fail(error)
        }
    }

    private func fail(_ error: HTTPFailure) -> Bool {
        failure = failure ?? error
        return false
    }

    // MARK: - The clock

    /// The timeout to stop the transfer with when a clock rule is broken at `now`, else `nil`:
    /// no response headers within ``HTTPLimits/connectTimeout``, a body slower than
    /// ``HTTPLimits/minimumBytesPerSecond`` over ``HTTPLimits/idleTimeout``, or the deadline passed.
    /// The timeout is recorded at once as the transfer's outcome, so a transfer that is slow to
    /// tear down can never be taken for a complete one.
    func clockFailure(now: DispatchTime, deadline: DispatchTime) -> HTTPFailure? {
        guard failure == nil, let timeout = brokenClockRule(now: now, deadline: deadline) else { return nil }
        failure = timeout
        return timeout
    }

    private func brokenClockRule(now: DispatchTime, deadline: DispatchTime) -> HTTPFailure? {
        if now >= deadline { return deadlinePassed() }
        guard headArrived != nil else {
            return now >= HTTPTransport.time(started, plus: limits.connectTimeout) ? noResponse() : nil
        }
        guard now >= HTTPTransport.time(windowStart, plus: limits.idleTimeout) else { return nil }
        if Double(windowBytes) < Double(limits.minimumBytesPerSecond) * limits.idleTimeout {
            return check.failure(.storeFailure, "the server sent \(windowBytes) bytes in \(limits.idleTimeout) seconds, slower than \(limits.minimumBytesPerSecond) bytes per second; it has stalled (raise the HTTP timeout to wait longer)")
        }
        windowStart = now
        windowBytes = 0
        return nil
    }

    private func noResponse() -> HTTPFailure {
        check.failure(.storeFailure, "no response within \(limits.connectTimeout) seconds; the server is unreachable or not answering (raise the HTTP timeout to wait longer)")
    }

    private func deadlinePassed() -> HTTPFailure {
        check.failure(.storeFailure, "no complete answer within the deadline of \(limits.deadline) seconds; the server is too slow (raise the HTTP timeout to wait longer)")
    }

    // MARK: - The end

    /// How the transfer ended: the checked answer or redirect, or why it failed.
    /// - Parameter ending: what libcurl reported.
    /// - Throws: ``HTTPFailure``: the check's refusal, a timeout, or the transport's failure
    ///   (retryable when the connection failed or was cut).
    func outcome(_ ending: CurlEasy.Ending) throws(HTTPFailure) -> HTTPTransport.Outcome {
        if let failure { throw failure }
        switch ending {
        case .complete:
            break
        case .stopped where hasEnough:
            break
        case .stopped:
            throw check.failure(.storeFailure, "the transfer was stopped before the response was complete")
        case .timedOut:
            // libcurl's own timeouts back up the clock rules; name the rule that ran out.
            if DispatchTime.now() >= deadline { throw deadlinePassed() }
            if headArrived == nil { throw noResponse() }
            throw check.failure(.storeFailure, "the server sent nothing for \(limits.idleTimeout) seconds; it has stalled (raise the HTTP timeout to wait longer)")
        case .badURL(let reason):
            throw check.failure(.invalidKey, "'\(check.url)' is not a URL the HTTP client accepts: \(reason)")
        case .failed(let reason):
            // A body cut before its Content-Length; refused, reset or cut connections; DNS
            // failures; answers libcurl cannot read.
            if let cut = check.cutShort { throw cut }
            throw check.failure(.storeFailure, "request failed: \(reason)", retryable: true)
        }
        let answer = try check.finish()
        if case .redirect(let target)? = verdict { return .redirect(target) }
        return .answer(answer)
    }
}
