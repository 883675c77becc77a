import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MIFACore

/// One HTTP request in flight: the session delegate feeds it the response and the body as they
/// arrive, and holds the body to ``HTTPLimits``; the thread that waits for it watches the clock.
final class HTTPTransfer: Sendable {
    /// What the waiting thread gets: the status and the body bytes kept (the range asked for).
    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
        /// Body bytes received, kept or not.
        var received = 0
        /// A `Retry-After` given in seconds.
        var retryAfter: Double?
    }

    /// How the body of an answer is kept, chosen from the range asked for and the status.
    enum BodyPolicy: Sendable {
        /// Everything, at most `max` bytes.
        case whole(max: Int)
        /// Bytes `offset..<offset+count` (to the end when `count` is `nil`) of a body that may be
        /// up to `max` bytes: a `200` answer to a range request.
        case window(offset: Int, count: Int?, max: Int)
        /// The last `count` bytes of a body that may be up to `max` bytes.
        case tail(count: Int, max: Int)
    }

    /// The progress of the request, under a lock.
    struct State: Sendable {
        var answer: Answer?
        var policy = BodyPolicy.whole(max: 0)
        var expectedLength: Int64 = -1
        var received = 0
        var windowStart: DispatchTime
        var windowBytes = 0
        var redirects = 0
        var failure: ZarrError?
        var retryable = false
        var finishedEarly = false
        var completed = false
    }

    let range: ByteRange?
    /// `HEAD` answers announce a length but carry no body.
    let expectsBody: Bool
    let limits: HTTPLimits
    let address: String
    let key: String
    let started: DispatchTime
    let state: LockedState<State>
    let done = DispatchSemaphore(value: 0)

    init(range: ByteRange?, expectsBody: Bool, limits: HTTPLimits, address: String, key: String) {
        self.range = range
        self.expectsBody = expectsBody
        self.limits = limits
        self.address = address
        self.key = key
        started = .now()
        state = LockedState(State(windowStart: started))
    }

    func error(_ code: ZarrErrorCode, _ message: String) -> ZarrError {
        ZarrError(code, message, context: ErrorContext(file: address, key: key))
    }

    /// Records the response headers; `false` when the body must not be read.
    func receive(_ response: HTTPURLResponse) -> Bool {
        let status = response.statusCode
        let encoding = (response.value(forHTTPHeaderField: "Content-Encoding") ?? "identity").lowercased()
        let retryAfter = response.value(forHTTPHeaderField: "Retry-After").flatMap(Double.init)
        return state.withLock { state in
            state.answer = Answer(status: status, body: [], retryAfter: retryAfter)
            state.windowStart = .now()
            guard (200..<300).contains(status) else { return false }  // the body of an error status is not needed
            guard encoding == "identity" || encoding.isEmpty else {
                state.failure = error(.storeFailure, "the server sent a '\(encoding)'-encoded body although only 'identity' was accepted; serve the files without Content-Encoding")
                return false
            }
            state.policy = policy(status: status)
            state.expectedLength = response.expectedContentLength
            // A HEAD answer announces the resource's length but carries no body.
            if expectsBody, state.expectedLength > Int64(maximum(state.policy)) {
                state.failure = error(.tooLarge, "the server announced \(state.expectedLength) bytes, more than the \(maximum(state.policy)) that may be accepted here\(limitAdvice(state.policy))")
                return false
            }
            return true
        }
    }

    /// Keeps the bytes the policy wants; `false` when the request must stop (limit or done).
    func receive(_ data: Data) -> Bool {
        state.withLock { state in
            // Data still arriving after the headers were refused (cancelling is asynchronous) is dropped.
            guard let status = state.answer?.status, (200..<300).contains(status), state.failure == nil, !state.completed else { return false }
            let start = state.received
            state.received += data.count
            state.windowBytes += data.count
            let limit = maximum(state.policy)
            if state.received > limit {
                state.failure = error(.tooLarge, "the body is longer than the \(limit) bytes that may be accepted here\(limitAdvice(state.policy))")
                return false
            }
            switch state.policy {
            case .whole:
                state.answer?.body.append(contentsOf: data)
            case .window(let offset, let count, _):
                let end = count.map { offset + $0 } ?? Int.max
                let lower = Swift.max(offset, start), upper = Swift.min(end, state.received)
                if lower < upper { state.answer?.body.append(contentsOf: data[data.startIndex + (lower - start)..<data.startIndex + (upper - start)]) }
                if state.received >= end {
                    state.finishedEarly = true
                    return false
                }
            case .tail(let count, _):
                state.answer?.body.append(contentsOf: data)
                if let body = state.answer?.body, body.count > 2 * count + 65536 {
                    state.answer?.body.removeFirst(body.count - count)
                }
            }
            return true
        }
    }

    /// Records a redirect; `false` (and a failure) when it leaves the server or loops.
    func redirect(to url: URL?, base: URL) -> Bool {
        state.withLock { state in
            state.redirects += 1
            guard let url, url.scheme?.lowercased() == base.scheme?.lowercased(), url.host?.lowercased() == base.host?.lowercased(),
                  url.port == base.port else {
                state.failure = error(.storeFailure, "the server redirected to \(url?.absoluteString ?? "an invalid URL"), another server; only redirects on the same host are followed: open that URL directly if you trust it")
                return false
            }
            guard state.redirects <= limits.maxRedirects else {
                state.failure = error(.storeFailure, "more than \(limits.maxRedirects) redirects; the server is redirecting in a loop")
                return false
            }
            return true
        }
    }

    /// Records the end of the transfer (`error` from URLSession, if any) and wakes the waiter.
    func complete(_ transportError: (any Error)?) {
        state.withLock { state in
            guard !state.completed else { return }
            state.completed = true
            guard state.failure == nil, !state.finishedEarly else { return }
            if let transportError {
                // Cancelled at the headers of an error status: the status is the answer.
                if let status = state.answer?.status, !(200..<300).contains(status) { return }
                let code = (transportError as NSError).code
                state.retryable = [NSURLErrorCannotConnectToHost, NSURLErrorNetworkConnectionLost, NSURLErrorTimedOut,
                                   NSURLErrorNotConnectedToInternet].contains(code)
                state.failure = error(.storeFailure, "request failed: \(transportError.localizedDescription)")
            } else if state.answer == nil {
                state.failure = error(.storeFailure, "the connection ended without an HTTP response")
            } else if expectsBody, state.expectedLength >= 0, Int64(state.received) != state.expectedLength {
                state.retryable = true
                state.failure = error(.storeFailure, "the body has \(state.received) bytes but Content-Length announced \(state.expectedLength); the connection was cut or the server is broken")
            }
        }
        done.signal()
    }

    /// Waits for the transfer, cancelling `task` when the server is silent, too slow, or the
    /// deadline passes: the answer, or a ``ZarrError`` (`.storeFailure` for timeouts and transport
    /// failures, `.tooLarge` for bodies over the limits) saying whether another attempt may help.
    func wait(for task: URLSessionTask, deadline: DispatchTime) -> Result<Answer, HTTPAttemptError> {
        while done.wait(timeout: Swift.min(deadline, .now() + 0.25)) == .timedOut {
            if let timeout = checkClock(now: .now(), deadline: deadline) {
                state.withLock { state in
                    if state.failure == nil { state.failure = timeout }
                    state.completed = true
                }
                task.cancel()
                break
            }
        }
        return state.withLock { state in
            if let failure = state.failure { return .failure(HTTPAttemptError(error: failure, retryable: state.retryable)) }
            guard var answer = state.answer else {
                return .failure(HTTPAttemptError(error: error(.storeFailure, "request ended without a result"), retryable: false))
            }
            answer.received = state.received
            if case .tail(let count, _) = state.policy, answer.body.count > count {
                answer.body.removeFirst(answer.body.count - count)
            }
            return .success(answer)
        }
    }

    /// The timeout error when a clock rule is broken at `now`, else `nil`.
    private func checkClock(now: DispatchTime, deadline: DispatchTime) -> ZarrError? {
        state.withLock { state in
            guard !state.completed else { return nil }
            if now >= deadline {
                return error(.storeFailure, "no complete answer within the deadline of \(limits.deadline) seconds; the server is too slow (raise the HTTP timeout to wait longer)")
            }
            guard state.answer != nil else {
                let waited = Double(now.uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
                return waited >= limits.connectTimeout
                    ? error(.storeFailure, "no response within \(limits.connectTimeout) seconds; the server is unreachable or not answering (raise the HTTP timeout to wait longer)")
                    : nil
            }
            let window = Double(now.uptimeNanoseconds - state.windowStart.uptimeNanoseconds) / 1e9
            guard window >= limits.idleTimeout else { return nil }
            if Double(state.windowBytes) < Double(limits.minimumBytesPerSecond) * limits.idleTimeout {
                return error(.storeFailure, "the server sent \(state.windowBytes) bytes in \(limits.idleTimeout) seconds, slower than \(limits.minimumBytesPerSecond) bytes per second; it has stalled (raise the HTTP timeout to wait longer)")
            }
            state.windowStart = now
            state.windowBytes = 0
            return nil
        }
    }

    private func policy(status: Int) -> BodyPolicy {
        let max = limits.maxBodyBytes
        switch (status, range) {
        case (206, .range(_, let length)?): return .whole(max: Swift.min(length, max))
        case (206, .suffix(let length)?): return .whole(max: Swift.min(length, max))
        case (_, nil), (206, _): return .whole(max: max)
        case (_, .range(let offset, let length)?): return .window(offset: offset, count: length, max: max)
        case (_, .from(let offset)?): return .window(offset: offset, count: nil, max: max)
        case (_, .suffix(let length)?): return .tail(count: length, max: max)
        }
    }

    private func maximum(_ policy: BodyPolicy) -> Int {
        switch policy {
        case .whole(let max), .window(_, _, let max), .tail(_, let max): max
        }
    }

    private func limitAdvice(_ policy: BodyPolicy) -> String {
        if case .whole(let max) = policy, max < limits.maxBodyBytes { return " (the size of the range asked for)" }
        return " (HTTPLimits.maxBodyBytes; raise it to read larger values)"
    }
}

/// A failed attempt: the error, and whether trying again may help.
struct HTTPAttemptError: Error, Sendable {
    let error: ZarrError
    let retryable: Bool
}

/// The delegate of an ``HTTPStore``'s session: routes each task's events to its ``HTTPTransfer``.
final class HTTPSessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let transfers = LockedState<[Int: HTTPTransfer]>([:])
    private let base: URL

    init(base: URL) {
        self.base = base
    }

    func register(_ transfer: HTTPTransfer, for task: URLSessionTask) {
        transfers.withLock { $0[task.taskIdentifier] = transfer }
    }

    func unregister(_ task: URLSessionTask) {
        _ = transfers.withLock { $0.removeValue(forKey: task.taskIdentifier) }
    }

    private func transfer(_ task: URLSessionTask) -> HTTPTransfer? {
        transfers.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        guard let transfer = transfer(dataTask), let http = response as? HTTPURLResponse else {
            completionHandler(.cancel)
            return
        }
        completionHandler(transfer.receive(http) ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let transfer = transfer(dataTask) else { return }
        if !transfer.receive(data) {
            dataTask.cancel()
            transfer.complete(nil)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        guard let transfer = transfer(task), transfer.redirect(to: request.url, base: base) else {
            completionHandler(nil)
            return
        }
        completionHandler(request)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        transfer(task)?.complete(error)
    }
}
