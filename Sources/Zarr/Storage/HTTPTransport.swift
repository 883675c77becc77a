import Dispatch
import Foundation
import MIFACore
import Synchronization

/// The transport under an ``HTTPStore`` and an ``S3Store``: libcurl (``CurlEasy``), driven
/// synchronously on the calling thread, with the one retry loop both stores use.
///
/// libcurl is told to do nothing on its own: no decompression, no redirects (the
/// ``HTTPResponseCheck`` decides them), no proxy from the environment, no retries (the store
/// retries). Each response is fed to an ``HTTPTransfer`` as it arrives, which stops the transfer
/// the moment a rule is broken or the check has what it needs, so no more than one part of a body
/// beyond what may be accepted is ever in memory, and which keeps the clock rules (time to
/// headers, low speed, deadline). Every handle goes back to a pool after its request, so kept-alive
/// connections are reused by the next requests; any thread may send requests, several at once.
final class HTTPTransport: Sendable {
    /// What one attempt ends with.
    enum Outcome: Sendable {
        /// The response, checked.
        case answer(HTTPResponseCheck.Answer)
        /// A redirect to follow (already checked to stay on the server).
        case redirect(String)
    }

    private let limits: HTTPLimits
    /// Handles not in use; a request takes one (or makes one when there is none) and gives it back.
    /// So the pool never holds more handles (kept-alive connections) than requests were in flight
    /// at once, and N requests in flight reuse N connections: with a cap of 16 idle handles, a
    /// loader keeping 32 reads in flight over HTTP opened 202 connections for 2,072 reads, each a
    /// round trip more (BENCHMARKS.md, "Remote loader").
    private let idle = LockedState<[CurlEasy]>([])
    private let ignoredRanges = Atomic<Bool>(false)

    /// Whether the server has answered a range request with more than the range (the whole value)
    /// at least once.
    var rangesIgnored: Bool { ignoredRanges.load(ordering: .relaxed) }

    /// A transport for requests held to `limits`.
    init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// `seconds` after `start`, clamped to a billion seconds.
    static func time(_ start: DispatchTime, plus seconds: Double) -> DispatchTime {
        start + .nanoseconds(Int(Swift.min(Swift.max(seconds, 0), 1e9) * 1e9))
    }

    /// Whether an answer is worth another attempt: a `5xx` or a `429`.
    static func isTransient(_ answer: HTTPResponseCheck.Answer) -> Bool {
        answer.status == 429 || (500..<600).contains(answer.status)
    }

    /// One request, with bounded retries (waiting ``HTTPLimits/retryDelay``, doubled on each try,
    /// or the server's `Retry-After` when longer) on answers `retry` accepts and on connection
    /// failures, and the redirects its check allows, all within ``HTTPLimits/deadline``.
    /// - Parameters:
    ///   - method: the method.
    ///   - url: the URL asked.
    ///   - key: the store key, for messages.
    ///   - range: the range asked for, if any.
    ///   - origin: the store root; redirects must keep its scheme, host and port.
    ///   - body: the request body, if any.
    ///   - headers: the headers to add for each attempt at a URL (an S3 request is signed anew).
    ///   - retry: whether an answer is transient; the last one is returned when retries run out.
    /// - Returns: the checked answer (for a `200` answer to a range request, the range only).
    /// - Throws: ``ZarrError`` for a refused response, a timeout, a transport failure, or a deadline
    ///   that leaves no time for another try.
    func request(_ method: HTTPResponseCheck.Method, url: String, key: String, range: ByteRange?, origin: String, body: [UInt8]? = nil,
                 headers: (_ url: String) throws -> [(name: String, value: String)] = { _ in [] },
                 retry: (HTTPResponseCheck.Answer) -> Bool = HTTPTransport.isTransient) throws -> HTTPResponseCheck.Answer {
        var address = url
        let deadline = Self.time(.now(), plus: limits.deadline)
        var attempt = 0
        var redirects = 0
        while true {
            let check = HTTPResponseCheck(method: method, range: range, limits: limits, url: address, key: key,
                                          origin: origin, redirects: redirects)
            let extra = try headers(address)
            let retryAfter: Double?
            do throws(HTTPFailure) {
                switch try self.attempt(check, headers: extra, body: body, deadline: deadline) {
                case .redirect(let target):
                    address = target
                    redirects += 1
                    continue
                case .answer(let answer) where retry(answer):
                    retryAfter = answer.retryAfter
                    if attempt >= limits.maxRetries { return answer }
                case .answer(let answer):
                    if answer.rangeIgnored { ignoredRanges.store(true, ordering: .relaxed) }
                    return answer
                }
            } catch {
                guard error.retryable, attempt < limits.maxRetries else { throw error.error }
                retryAfter = nil
            }
            let delay = Swift.max(retryAfter ?? 0, limits.retryDelay * Double(1 << Swift.min(attempt, 20)))
            guard Self.time(.now(), plus: delay) < deadline else {
                throw ZarrError(.storeFailure, "the server kept failing and the deadline of \(limits.deadline) seconds leaves no time to try again",
                                context: ErrorContext(file: address, key: key))
            }
            Thread.sleep(forTimeInterval: delay)
            attempt += 1
        }
    }

    /// Sends one request and checks its response with `check`.
    /// - Parameters:
    ///   - check: the rules for this request, fresh.
    ///   - headers: headers sent besides the check's.
    ///   - body: the request body, if any.
    ///   - deadline: when the whole read, retries included, must be done.
    /// - Returns: the answer or a redirect.
    /// - Throws: ``HTTPFailure`` for a refused response, a timeout or a transport failure.
    func attempt(_ check: HTTPResponseCheck, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
                 deadline: DispatchTime) throws(HTTPFailure) -> Outcome {
        let all = check.requestHeaders + headers
        let breaksLine = { (byte: UInt8) in byte == 0x0D || byte == 0x0A || byte == 0 }
        if let bad = all.first(where: { $0.name.utf8.contains(where: breaksLine) || $0.value.utf8.contains(where: breaksLine) || $0.name.isEmpty }) {
            throw check.failure(.invalidKey, "the header '\(bad.name)' of the request to '\(check.url)' is empty or holds a line break; it cannot be sent")
        }
        let request = CurlEasy.Request(method: check.method, url: check.url, headers: all, body: body,
                                       connectTimeout: limits.connectTimeout, deadline: deadline)
        let handle: CurlEasy
        if let kept = idle.withLock({ $0.popLast() }) { handle = kept } else { handle = try CurlEasy(for: check) }
        defer { idle.withLock { $0.append(handle) } }
        let transfer = HTTPTransfer(check: check, limits: limits, deadline: deadline)
        return try transfer.outcome(handle.perform(request, transfer: transfer))
    }
}
