import Foundation
import MIFACore

/// The rules one HTTP response is held to, as a value the transport drives: it is told the status
/// line and headers, then each body part as it arrives, then the end, and it says at each step
/// whether to go on, and what the answer is or why it is refused. It does no I/O and keeps no
/// clock (``HTTPTransfer`` keeps it), so every rule can be tested and fuzzed on its own
/// (`Fuzz/FuzzHTTP`).
///
/// What it promises (``HTTPLimits``):
/// - it never keeps more than the most that may be accepted: ``HTTPLimits/maxBodyBytes``, or the
///   length of the range asked for; a `Content-Length` above that is refused at the headers;
/// - a `206 Partial Content` answer carries a `Content-Range` that starts where the range asked
///   for starts and, when the value's size is given, is exactly the part of the value the range
///   covers (``ByteRange/resolve(_:size:)``); its body has exactly that length;
/// - a `200` answer to a range request is the whole value: the range is cut out of it as it
///   streams in, and the transfer stops at the range's end;
/// - a body shorter or longer than its `Content-Length` is refused;
/// - a `Content-Encoding` other than `identity`, or a transfer coding other than `chunked`, is
///   refused at the headers: nothing is ever inflated;
/// - redirects (`301`, `302`, `303`, `307`, `308`) are followed only on the same scheme, host and
///   port, at most ``HTTPLimits/maxRedirects`` times;
/// - every refusal is an ``HTTPFailure``, never a crash.
package struct HTTPResponseCheck: Sendable {
    /// The request methods the stores send: an ``HTTPStore`` reads with `GET` and `HEAD`; an
    /// ``S3Store`` also writes with `PUT`, `POST` and `DELETE`.
    package enum Method: String, Sendable {
        /// A value or a range of it.
        case get = "GET"
        /// Whether a value exists; the answer has no body.
        case head = "HEAD"
        /// A value written.
        case put = "PUT"
        /// An S3 multipart upload started or completed.
        case post = "POST"
        /// A value removed.
        case delete = "DELETE"
    }

    /// What the transport does once the headers are checked.
    package enum Verdict: Sendable, Equatable {
        /// Read the body through ``receive(_:)``.
        case readBody
        /// The status is the answer (`404`, `500`, `416`, a `HEAD` answer): the body is not
        /// needed; the transport may read a small one to keep the connection, or stop.
        case statusOnly
        /// Follow the redirect to this absolute URL (checked to stay on the same server).
        case redirect(String)
    }

    /// A response as the store uses it.
    package struct Answer: Sendable, Equatable {
        /// The HTTP status.
        package var status: Int
        /// The bytes kept: the whole body, or the range asked for.
        package var body: [UInt8]
        /// Body bytes received, kept or not.
        package var received: Int
        /// A `Retry-After` given in seconds.
        package var retryAfter: Double?
        /// Whether the server answered a range request with more than the range.
        package var rangeIgnored: Bool
        /// The `ETag` header, if any (an S3 part upload answers with the part's).
        package var etag: String? = nil
        /// The first ``HTTPResponseCheck/errorDocumentBudget`` bytes of the body of an answer whose
        /// status is the answer (an S3 error document names its code); empty otherwise.
        package var errorDocument: [UInt8] = []
        /// The `Content-Length` of a `2xx` answer to `HEAD`: the size of the value (S3's object size).
        package var headLength: Int? = nil
    }

    /// How the body of an answer is kept, chosen from the range asked for and the status.
    private enum BodyPolicy: Sendable {
        /// Everything, at most `max` bytes.
        case whole(max: Int)
        /// Bytes `offset..<offset+count` (to the end when `count` is `nil`) of a body that may be
        /// up to `max` bytes: a `200` answer to a range request.
        case window(offset: Int, count: Int?, max: Int)
        /// The last `count` bytes of a body that may be up to `max` bytes.
        case tail(count: Int, max: Int)

        var max: Int {
            switch self {
            case .whole(let max), .window(_, _, let max), .tail(_, let max): max
            }
        }
    }

    /// Where the check is.
    private enum Stage: Sendable {
        case awaitingHead
        case readingBody(BodyPolicy)
        case discarding
        case failed
    }

    /// The most body bytes of a status-only answer read (and dropped) to keep the connection.
    package static let discardBudget = 64 << 10
    /// The most body bytes of a status-only answer kept as its ``Answer/errorDocument``.
    package static let errorDocumentBudget = 8 << 10

    /// The method of the request.
    package let method: Method
    /// The range asked for, if any.
    package let range: ByteRange?
    /// The bounds the response is held to.
    package let limits: HTTPLimits
    /// The URL asked (for messages, and to resolve relative redirects).
    package let url: String
    /// The store key asked (for messages).
    package let key: String
    /// Redirects followed before this request.
    package let redirects: Int
    /// The store root, whose scheme, host and port a redirect must keep.
    /// (Kept as text, parsed only when a redirect comes, not for every request.)
    private let origin: String

    private var stage = Stage.awaitingHead
    /// The status, once the headers have been checked.
    package private(set) var status: Int?
    /// Body bytes received so far, kept or not.
    package private(set) var received = 0
    /// Whether the transfer may end before the body does: the range is complete, or the body is
    /// not needed.
    package private(set) var hasEnough = false
    private var body: [UInt8] = []
    private var errorDocument: [UInt8] = []
    private var expectedLength: Int?
    private var retryAfter: Double?
    private var etag: String?

    /// A check for one request.
    /// - Parameters:
    ///   - method: the request's method; the body of a `2xx` answer is read for every method but `HEAD`.
    ///   - range: the range asked for with `Range`, if any.
    ///   - limits: the bounds.
    ///   - url: the URL asked.
    ///   - key: the store key asked.
    ///   - origin: the store root; redirects must keep its scheme, host and port.
    ///   - redirects: redirects already followed to reach `url`.
    package init(method: Method, range: ByteRange?, limits: HTTPLimits, url: String, key: String, origin: String, redirects: Int = 0) {
        self.method = method
        self.range = range
        self.limits = limits
        self.url = url
        self.key = key
        self.origin = origin
        self.redirects = redirects
    }

    /// The headers a request must carry: `Accept-Encoding: identity` and the `Range`, if any.
    package var requestHeaders: [(name: String, value: String)] {
        var headers = [(name: "Accept-Encoding", value: "identity")]
        if let range { headers.append((name: "Range", value: range.httpHeader)) }
        return headers
    }

    /// A refusal with this check's place.
    package func failure(_ code: ZarrErrorCode, _ message: String, retryable: Bool = false) -> HTTPFailure {
        HTTPFailure(error: ZarrError(code, message, context: ErrorContext(file: url, key: key)), retryable: retryable)
    }

    // MARK: - Headers

    /// Checks the status line and headers.
    /// - Parameters:
    ///   - status: the status code.
    ///   - headers: the header fields, in order, names in any case.
    /// - Returns: whether to read the body, stop at the status, or follow a redirect.
    /// - Throws: ``HTTPFailure`` for a second head, a non-identity `Content-Encoding` or transfer
    ///   coding, a malformed or too large `Content-Length`, a `206` without a `Content-Range` that
    ///   fits the range asked for, a redirect to another server or past the redirect limit.
    package mutating func receiveHead(status: Int, headers: [(name: String, value: String)]) throws(HTTPFailure) -> Verdict {
        guard case .awaitingHead = stage else {
            stage = .failed
            throw failure(.storeFailure, "the server sent a second response head")
        }
        stage = .failed  // until every check has passed
        guard (100..<1000).contains(status) else {
            throw failure(.storeFailure, "the server answered with status \(status), which is not an HTTP status")
        }
        self.status = status
        retryAfter = Self.values("Retry-After", in: headers).first.flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        etag = Self.values("ETag", in: headers).first.map { String($0.prefix(1024)) }
        if [301, 302, 303, 307, 308].contains(status), let location = Self.values("Location", in: headers).first {
            let target = try redirectTarget(location)
            stage = .discarding
            hasEnough = true
            return .redirect(target)
        }
        if (200..<300).contains(status), method == .head { expectedLength = try contentLength(headers) }
        guard (200..<300).contains(status), method != .head else {
            stage = .discarding
            hasEnough = true
            return .statusOnly
        }
        let encodings = Self.tokens("Content-Encoding", in: headers)
        if let encoding = encodings.first(where: { $0 != "identity" }) {
            throw failure(.storeFailure, "the server sent a '\(encoding)'-encoded body although only 'identity' was accepted; serve the files without Content-Encoding")
        }
        if let coding = Self.tokens("Transfer-Encoding", in: headers).first(where: { $0 != "chunked" && $0 != "identity" }) {
            throw failure(.storeFailure, "the server sent the body with the '\(coding)' transfer coding; only 'chunked' is accepted, so nothing is inflated")
        }
        expectedLength = try contentLength(headers)
        let policy = try bodyPolicy(status: status, headers: headers)
        let announced = expectedLength.map { length -> Int in
            if case .window(let offset, let count?, _) = policy { return Swift.min(length, Self.sum(offset, count)) }
            return length
        }
        if let announced, announced > policy.max {
            throw failure(.tooLarge, "the server announced \(expectedLength ?? announced) bytes, more than the \(policy.max) that may be accepted here\(limitAdvice(policy))")
        }
        // A 206 body is exactly its Content-Range, announced or not.
        if status == 206, expectedLength == nil { expectedLength = policy.max }
        body.reserveCapacity(Swift.min(expectedLength ?? 0, policy.max, 1 << 22))
        stage = .readingBody(policy)
        return .readBody
    }

    /// The `Content-Length`, if given; several equal values count as one.
    private func contentLength(_ headers: [(name: String, value: String)]) throws(HTTPFailure) -> Int? {
        let values = Self.values("Content-Length", in: headers).flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { Self.trimmed($0) }
        guard let first = values.first else { return nil }
        guard values.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw failure(.storeFailure, "the server sent an invalid Content-Length \(values); the response cannot be trusted")
        }
        // More digits than an Int holds is more than any limit.
        return Int(first) ?? Int.max
    }

    /// The body policy for a `2xx` answer to a `GET`; checks `206` answers against the range.
    private func bodyPolicy(status: Int, headers: [(name: String, value: String)]) throws(HTTPFailure) -> BodyPolicy {
        let max = limits.maxBodyBytes
        guard status == 206 || Self.namesPart(status: status, range: range, headers: headers) else {
            switch range {
            case nil: return .whole(max: max)
            case .range(let offset, let length)?: return .window(offset: offset, count: length, max: max)
            case .from(let offset)?: return .window(offset: offset, count: nil, max: max)
            case .suffix(let length)?: return .tail(count: length, max: max)
            }
        }
        guard let range else {
            throw failure(.storeFailure, "the server answered 206 Partial Content to a request for the whole value")
        }
        // From here a 206 answer, or a 200 one whose Content-Range names a part (namesPart).
        guard let header = Self.values("Content-Range", in: headers).first, let part = ContentRange(header) else {
            throw failure(.storeFailure, "the server answered the range \(range.httpHeader) with status \(status) without a valid single Content-Range (found \(Self.values("Content-Range", in: headers))); multipart or malformed ranges are not accepted")
        }
        let length = part.last - part.first + 1
        let fits: Bool
        switch range {
        case .range(let offset, let asked):
            fits = part.first == offset && length <= asked
                && part.size.map { length == ByteRange.resolve(range, size: $0).count } ?? true
        case .from(let offset):
            fits = part.first == offset && part.size.map { part.last == $0 - 1 } ?? true
        case .suffix(let asked):
            fits = length <= asked && part.size.map { part.last == $0 - 1 && length == Swift.min(asked, $0) } ?? true
        }
        guard fits else {
            throw failure(.storeFailure, "the server answered the range \(range.httpHeader) with Content-Range '\(header)', which is not that range")
        }
        if let expectedLength, expectedLength != length {
            throw failure(.storeFailure, "the server's Content-Length \(expectedLength) disagrees with its Content-Range '\(header)'")
        }
        if length > max {
            throw failure(.tooLarge, "the server announced \(length) bytes, more than the \(max) that may be accepted here\(limitAdvice(.whole(max: max)))")
        }
        return .whole(max: length)
    }

    /// Whether a `200` answer to a range request carries a `Content-Range` naming a part of the
    /// value rather than the whole: rclone's `serve s3` answers ranges so (`200 OK`, the range's
    /// bytes alone, `Content-Range: bytes 1530-1538/1539`) where AWS S3 and nginx answer `206`.
    /// RFC 9110 §14.4 gives a `200` answer's `Content-Range` no meaning, but taking such a body for
    /// the whole value would cut the range out of the wrong bytes (an empty or shifted read), so it
    /// is checked as a `206` answer's: the range asked for, exactly that many bytes.
    private static func namesPart(status: Int, range: ByteRange?, headers: [(name: String, value: String)]) -> Bool {
        guard status == 200, range != nil, let header = values("Content-Range", in: headers).first else { return false }
        guard let part = ContentRange(header) else { return true }  // refused as a 206 answer's would be
        return part.first != 0 || part.size != part.last + 1
    }

    /// The absolute URL of a redirect, if it stays on the store's server and within the limit.
    private func redirectTarget(_ location: String) throws(HTTPFailure) -> String {
        guard let target = URL(string: location, relativeTo: URL(string: url))?.absoluteURL, let origin = URL(string: origin),
              target.scheme?.lowercased() == origin.scheme?.lowercased(), target.host?.lowercased() == origin.host?.lowercased(),
              Self.port(target) == Self.port(origin) else {
            throw failure(.storeFailure, "the server redirected to \(location), another server; only redirects on the same host are followed: open that URL directly if you trust it")
        }
        guard redirects < limits.maxRedirects else {
            throw failure(.storeFailure, "more than \(limits.maxRedirects) redirects; the server is redirecting in a loop")
        }
        return target.absoluteString
    }

    // MARK: - Body

    /// Takes one part of the body.
    /// - Parameter part: the bytes, in order after the previous part.
    /// - Returns: `true` to go on reading, `false` when the transfer can stop here (the range is
    ///   complete, or a status-only body is longer than ``discardBudget``); ``finish()`` then
    ///   gives the answer.
    /// - Throws: ``HTTPFailure`` `.tooLarge` when the body passes what may be accepted, and
    ///   `.storeFailure` for a body after the headers were refused, before them, or longer than
    ///   its `Content-Length`.
    package mutating func receive(_ part: some Collection<UInt8>) throws(HTTPFailure) -> Bool {
        let count = part.count
        switch stage {
        case .awaitingHead:
            stage = .failed
            throw failure(.storeFailure, "the server sent body bytes before a response head")
        case .failed:
            throw failure(.storeFailure, "body bytes arrived after the response was refused")
        case .discarding:
            if errorDocument.count < Self.errorDocumentBudget, method != .head {
                errorDocument.append(contentsOf: part.prefix(Self.errorDocumentBudget - errorDocument.count))
            }
            received += count
            return received <= Self.discardBudget
        case .readingBody(let policy):
            let start = received
            received += count
            if received > policy.max {
                stage = .failed
                throw failure(.tooLarge, "the body is longer than the \(policy.max) bytes that may be accepted here\(limitAdvice(policy))")
            }
            if let expectedLength, received > expectedLength {
                stage = .failed
                throw failure(.storeFailure, "the body is longer than the \(expectedLength) bytes its Content-Length announced; the server is broken")
            }
            switch policy {
            case .whole:
                body.append(contentsOf: part)
            case .window(let offset, let windowCount, _):
                let end = windowCount.map { Self.sum(offset, $0) } ?? Int.max
                let lower = Swift.max(offset, start), upper = Swift.min(end, received)
                if lower < upper { body.append(contentsOf: part.dropFirst(lower - start).prefix(upper - lower)) }
                if received >= end {
                    hasEnough = true
                    return false
                }
            case .tail(let tailCount, _):
                body.append(contentsOf: part)
                // Keep at most twice the tail (and a little), so a long body costs no more memory.
                if body.count > Self.sum(Self.sum(tailCount, tailCount), 65536) { body.removeFirst(body.count - tailCount) }
            }
            return true
        }
    }

    /// The answer once the transfer has ended (the body complete, or ``hasEnough``).
    /// - Throws: ``HTTPFailure`` when no acceptable head came, or the body is shorter than its
    ///   `Content-Length` or `Content-Range` (retryable: the connection was cut).
    package func finish() throws(HTTPFailure) -> Answer {
        guard let status else {
            throw failure(.storeFailure, "the connection ended without an HTTP response", retryable: true)
        }
        switch stage {
        case .awaitingHead, .failed:
            throw failure(.storeFailure, "the response was refused")
        case .discarding:
            return Answer(status: status, body: [], received: received, retryAfter: retryAfter, rangeIgnored: false, etag: etag,
                          errorDocument: errorDocument, headLength: method == .head ? expectedLength : nil)
        case .readingBody(let policy):
            if !hasEnough, let expectedLength, received != expectedLength {
                throw shortBody()
            }
            var kept = body
            if case .tail(let count, _) = policy, kept.count > count { kept.removeFirst(kept.count - count) }
            return Answer(status: status, body: kept, received: received, retryAfter: retryAfter,
                          rangeIgnored: range != nil && status != 206 && received > kept.count, etag: etag)
        }
    }

    /// The refusal of a transfer cut before its `Content-Length` was reached, or `nil` when the
    /// transfer had not announced a length or had already received it: how the transport tells
    /// a short body from other connection failures.
    package var cutShort: HTTPFailure? {
        guard case .readingBody = stage, !hasEnough, let expectedLength, received < expectedLength else { return nil }
        return shortBody()
    }

    private func shortBody() -> HTTPFailure {
        failure(.storeFailure, "the body has \(received) bytes but Content-Length announced \(expectedLength ?? 0) (\((expectedLength ?? 0) - received) bytes remaining); the connection was cut or the server is broken",
                retryable: true)
    }

    private func limitAdvice(_ policy: BodyPolicy) -> String {
        if case .whole(let max) = policy, max < limits.maxBodyBytes { return " (the size of the range asked for)" }
        return " (HTTPLimits.maxBodyBytes, --http-max-body on the command line; raise it to read larger values)"
    }

    // MARK: - Header parsing

    /// The values of the header `name` (case-insensitive), in order, without surrounding spaces.
    /// Names and values are compared and trimmed as bytes (ASCII case, spaces and tabs): every
    /// response's headers pass here several times, and Foundation's `caseInsensitiveCompare` and
    /// `trimmingCharacters` cost more than the rest of the check.
    static func values(_ name: String, in headers: [(name: String, value: String)]) -> [String] {
        headers.filter { sameName($0.name, name) }.map { trimmed($0.value) }
    }

    /// The comma-separated tokens of the header `name`, lowercased, empty ones dropped.
    static func tokens(_ name: String, in headers: [(name: String, value: String)]) -> [String] {
        values(name, in: headers).flatMap { $0.split(separator: ",") }
            .map { trimmed($0).lowercased() }.filter { !$0.isEmpty }
    }

    /// Whether two header names are the same, ASCII letters compared without case (RFC 9110 §5.1).
    static func sameName(_ a: String, _ b: String) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        return a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
    }

    /// `bytes` without leading and trailing spaces and tabs (RFC 9110's optional whitespace).
    static func trimmed<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        let end = bytes[start...].lastIndex { !isSpace($0) }.map(bytes.index(after:)) ?? start
        return bytes[start..<end]
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: some StringProtocol) -> String {
        String(Substring(trimmed(String(text).utf8)))
    }

    /// `a + b`, or `Int.max` when that overflows (a range reaching past any body).
    static func sum(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b < 0 ? Int.min : Int.max) : value
    }

    /// The port of a URL, the scheme's default when none is written.
    static func port(_ url: URL) -> Int? {
        url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil)
    }
}
