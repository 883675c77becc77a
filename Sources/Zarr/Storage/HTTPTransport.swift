import AsyncHTTPClient
import Dispatch
import Foundation
import MIFACore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The transport under an ``HTTPStore`` and an ``S3Store``: an AsyncHTTPClient `HTTPClient` on the
/// process-wide event loops, driven synchronously, with the one retry loop both stores use.
///
/// The client is configured to do nothing on its own: no decompression, no redirects (the
/// ``HTTPResponseCheck`` decides them), no retries of connection attempts (the store retries).
/// Each response is streamed through an ``HTTPResponseDelegate`` with backpressure: the client
/// reads the next body part from the socket only after the previous one was checked, and the
/// delegate fails the request the moment a rule is broken, so no more than one part beyond what
/// may be accepted is ever in memory. The calling thread waits on a semaphore and watches the
/// clock (time to headers, low speed, deadline); it is never an event-loop thread.
final class HTTPTransport: Sendable {
    /// What one attempt ends with.
    enum Outcome: Sendable {
        /// The response, checked.
        case answer(HTTPResponseCheck.Answer)
        /// A redirect to follow (already checked to stay on the server).
        case redirect(String)
    }

    private let client: HTTPClient
    private let limits: HTTPLimits

    /// A client for requests held to `limits`.
    init(limits: HTTPLimits) {
        self.limits = limits
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.retryConnectionEstablishment = false
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: Self.amount(limits.connectTimeout), read: Self.amount(limits.idleTimeout)),
            connectionPool: pool,
            decompression: .disabled)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Starts closing the client's connections without waiting; the event loops are the process's
    /// shared ones and stay. The client is kept alive until it is shut down. Shutting down fails
    /// only for a client already shut down, and a read-only client loses nothing either way, so
    /// that result is not reported.
    func shutdown() {
        let client = self.client
        client.shutdown(queue: .global()) { _ in withExtendedLifetime(client) {} }
    }

    /// A time amount for the client, clamped to a billion seconds.
    static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(Swift.min(Swift.max(seconds, 0), 1e9) * 1e9))
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
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw check.failure(.storeFailure, "a synchronous HTTP request was started on an event-loop thread, where waiting would deadlock; send it from another thread")
        }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: check.url, method: HTTPMethod(rawValue: check.method.rawValue),
                                             headers: HTTPHeaders((check.requestHeaders + headers).map { ($0.name, $0.value) }),
                                             body: body.map { .bytes($0) })
        } catch {
            throw check.failure(.invalidKey, "'\(check.url)' is not a URL the HTTP client accepts: \(error)")
        }
        let delegate = HTTPResponseDelegate(check: check, limits: limits)
        let remaining = Int64(clamping: deadline.uptimeNanoseconds) - Int64(clamping: DispatchTime.now().uptimeNanoseconds)
        let task = client.execute(request: request, delegate: delegate, deadline: .now() + .nanoseconds(Swift.max(remaining, 0)))
        let done = DispatchSemaphore(value: 0)
        task.futureResult.whenComplete { _ in done.signal() }
        while done.wait(timeout: Swift.min(deadline, .now() + 0.25)) == .timedOut {
            if let timeout = delegate.clockFailure(now: .now(), deadline: deadline) {
                task.fail(reason: timeout)
                // Cancelling closes the connection on its event loop; wait for it, but not forever.
                _ = done.wait(timeout: .now() + 5)
                break
            }
        }
        return try delegate.outcome()
    }
}

/// Feeds one response to its ``HTTPResponseCheck`` as AsyncHTTPClient delivers it, and records
/// how the transfer ended. Every callback runs on the request's event loop; the waiting thread
/// reads the state under the same lock.
final class HTTPResponseDelegate: HTTPClientResponseDelegate {
    typealias Response = Void

    /// Ends a transfer that has all it needs (a complete range, a status-only answer).
    struct Enough: Error {}

    /// The check and what the watching thread needs, under one lock.
    struct State: Sendable {
        var check: HTTPResponseCheck
        /// What the headers decided.
        var verdict: HTTPResponseCheck.Verdict?
        /// When the request was handed to the client, and when its headers arrived.
        var started: DispatchTime
        var headArrived: DispatchTime?
        /// The current low-speed window: when it started and the bytes received in it.
        var windowStart: DispatchTime
        var windowBytes = 0
        /// The first refusal or timeout; it is the outcome, whatever the client reports after it.
        var failure: HTTPFailure?
        /// The client's error, when no refusal or timeout came first.
        var transportError: (any Error)?
    }

    private let state: LockedState<State>
    private let limits: HTTPLimits

    init(check: HTTPResponseCheck, limits: HTTPLimits) {
        let now = DispatchTime.now()
        state = LockedState(State(check: check, started: now, windowStart: now))
        self.limits = limits
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let result: Result<Void, HTTPFailure> = state.withLock { state in
            let now = DispatchTime.now()
            state.headArrived = now
            state.windowStart = now
            state.windowBytes = 0
            do throws(HTTPFailure) {
                state.verdict = try state.check.receiveHead(status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) })
                return .success(())
            } catch {
                state.failure = state.failure ?? error
                return .failure(error)
            }
        }
        return task.eventLoop.makeCompletedFuture(result.mapError { $0 as any Error })
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let result: Result<Bool, HTTPFailure> = state.withLock { state in
            state.windowBytes += buffer.readableBytes
            do throws(HTTPFailure) {
                return .success(try state.check.receive(buffer.readableBytesView))
            } catch {
                state.failure = state.failure ?? error
                return .failure(error)
            }
        }
        switch result {
        case .success(true): return task.eventLoop.makeSucceededVoidFuture()
        case .success(false): return task.eventLoop.makeFailedFuture(Enough())
        case .failure(let failure): return task.eventLoop.makeFailedFuture(failure)
        }
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        state.withLock { state in
            if error is Enough || state.failure != nil { return }
            if let failure = error as? HTTPFailure {
                state.failure = failure
            } else {
                state.transportError = error
            }
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {}

    /// The timeout to fail the request with when a clock rule is broken at `now`, else `nil`. The
    /// timeout is recorded at once as the transfer's outcome, so a transfer that is slow to tear
    /// down can never be taken for a complete one.
    func clockFailure(now: DispatchTime, deadline: DispatchTime) -> HTTPFailure? {
        state.withLock { state in
            guard state.failure == nil, let timeout = brokenClockRule(now: now, deadline: deadline, &state) else { return nil }
            state.failure = timeout
            return timeout
        }
    }

    private func brokenClockRule(now: DispatchTime, deadline: DispatchTime, _ state: inout State) -> HTTPFailure? {
        let check = state.check
        if now >= deadline {
            return check.failure(.storeFailure, "no complete answer within the deadline of \(limits.deadline) seconds; the server is too slow (raise the HTTP timeout to wait longer)")
        }
        guard state.headArrived != nil else {
            return now >= HTTPTransport.time(state.started, plus: limits.connectTimeout) ? noResponse(check) : nil
        }
        guard now >= HTTPTransport.time(state.windowStart, plus: limits.idleTimeout) else { return nil }
        if Double(state.windowBytes) < Double(limits.minimumBytesPerSecond) * limits.idleTimeout {
            return check.failure(.storeFailure, "the server sent \(state.windowBytes) bytes in \(limits.idleTimeout) seconds, slower than \(limits.minimumBytesPerSecond) bytes per second; it has stalled (raise the HTTP timeout to wait longer)")
        }
        state.windowStart = now
        state.windowBytes = 0
        return nil
    }

    private func noResponse(_ check: HTTPResponseCheck) -> HTTPFailure {
        check.failure(.storeFailure, "no response within \(limits.connectTimeout) seconds; the server is unreachable or not answering (raise the HTTP timeout to wait longer)")
    }

    /// How the transfer ended, once it has: the checked answer or redirect, or why it failed.
    /// - Throws: ``HTTPFailure``: the check's refusal, a timeout, or the transport's failure
    ///   (retryable when the connection failed or was cut).
    func outcome() throws(HTTPFailure) -> HTTPTransport.Outcome {
        let ended: Result<HTTPTransport.Outcome, HTTPFailure> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            if let error = state.transportError { return .failure(transportFailure(error, state)) }
            do throws(HTTPFailure) {
                let answer = try state.check.finish()
                if case .redirect(let target)? = state.verdict { return .success(.redirect(target)) }
                return .success(.answer(answer))
            } catch {
                return .failure(error)
            }
        }
        return try ended.get()
    }

    /// A transport error in words, with whether another attempt may help.
    private func transportFailure(_ error: any Error, _ state: State) -> HTTPFailure {
        let check = state.check
        if let client = error as? HTTPClientError {
            if client == .connectTimeout || (client == .readTimeout && state.headArrived == nil) { return noResponse(check) }
            if client == .readTimeout {
                return check.failure(.storeFailure, "the server sent nothing for \(limits.idleTimeout) seconds; it has stalled (raise the HTTP timeout to wait longer)")
            }
            if client == .deadlineExceeded {
                return check.failure(.storeFailure, "no complete answer within the deadline of \(limits.deadline) seconds; the server is too slow (raise the HTTP timeout to wait longer)")
            }
            if client == .cancelled {
                return check.failure(.storeFailure, "the request was cancelled")
            }
        }
        // A body cut before its Content-Length; refused, reset or cut connections; answers the
        // HTTP parser cannot read.
        if let cut = check.cutShort { return cut }
        return check.failure(.storeFailure, "request failed: \(error)", retryable: true)
    }
}
