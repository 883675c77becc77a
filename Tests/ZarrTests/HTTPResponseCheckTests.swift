import Foundation
import MIFACore
import Testing
@testable import Zarr

/// The rules an ``HTTPStore`` holds each response to, driven as the transport drives them: status
/// and headers, body parts, end. Every hostile answer is refused with an error; nothing beyond the
/// limit or the range is kept.
@Suite struct HTTPResponseCheckTests {
    static let origin = "http://127.0.0.1:8080/store"
    static let body = (0..<1024).map { UInt8($0 % 251) }

    static func check(_ method: HTTPResponseCheck.Method = .get, range: ByteRange? = nil, max: Int = 4096,
                      url: String = origin + "/0/c/0", redirects: Int = 0) -> HTTPResponseCheck {
        HTTPResponseCheck(method: method, range: range, limits: HTTPLimits(maxBodyBytes: max, maxRedirects: 2), url: url,
                          key: "0/c/0", origin: origin, redirects: redirects)
    }

    /// Feeds `body` in parts of `part` bytes until the check has enough; the answer.
    static func feed(_ check: inout HTTPResponseCheck, _ body: [UInt8], part: Int = 100) throws(HTTPFailure) -> HTTPResponseCheck.Answer {
        var start = 0
        while start < body.count {
            let end = Swift.min(body.count, start + part)
            guard try check.receive(body[start..<end]) else { break }
            start = end
        }
        return try check.finish()
    }

    /// The failure of `body`, or `nil` when it succeeds (an error of another type is an issue).
    static func refusal(_ body: () throws -> Void) -> HTTPFailure? {
        do {
            try body()
            return nil
        } catch let failure as HTTPFailure {
            return failure
        } catch {
            Issue.record("a refusal that is not an HTTPFailure: \(error)")
            return nil
        }
    }

    @Test func requestsAskForIdentityAndTheRange() {
        let headers = Self.check(range: .range(offset: 10, length: 5)).requestHeaders
        #expect(headers.contains { $0.name == "Accept-Encoding" && $0.value == "identity" })
        #expect(headers.contains { $0.name == "Range" && $0.value == "bytes=10-14" })
        #expect(!Self.check().requestHeaders.contains { $0.name == "Range" })
    }

    @Test func aWholeBodyIsKept() throws {
        var check = Self.check()
        #expect(try check.receiveHead(status: 200, headers: [("content-length", "1024")]) == .readBody)
        let answer = try Self.feed(&check, Self.body, part: 7)
        #expect(answer.body == Self.body && answer.status == 200 && !answer.rangeIgnored)
    }

    @Test func aContentLengthOverTheLimitIsRefusedAtTheHeaders() {
        var check = Self.check(max: 1000)
        let failure = Self.refusal { _ = try check.receiveHead(status: 200, headers: [("Content-Length", "1024")]) }
        #expect(failure?.error.kind == .tooLarge)
        #expect(failure?.error.message.contains("announced") == true)
        #expect(failure?.retryable == false)
    }

    @Test func anEndlessBodyIsCutAtTheLimitWithoutKeepingMore() throws {
        var check = Self.check(max: 1000)
        #expect(try check.receiveHead(status: 200, headers: []) == .readBody)
        var refused: HTTPFailure?
        for _ in 0..<100 {
            if let failure = Self.refusal({ _ = try check.receive(Self.body[0..<300]) }) {
                refused = failure
                break
            }
            #expect(check.received <= 1000)
        }
        #expect(refused?.error.kind == .tooLarge)
        #expect(refused?.error.message.contains("longer than the 1000 bytes") == true)
        // Whatever arrives after the refusal is refused too, never kept.
        #expect(Self.refusal { _ = try check.receive([1, 2, 3]) } != nil)
        #expect(Self.refusal { _ = try check.finish() } != nil)
    }

    @Test func aShortOrLongBodyIsRefused() throws {
        var short = Self.check()
        _ = try short.receiveHead(status: 200, headers: [("Content-Length", "2024")])
        _ = try short.receive(Self.body)
        #expect(short.cutShort?.error.message.contains("1000 bytes remaining") == true)
        let failure = Self.refusal { _ = try short.finish() }
        #expect(failure?.retryable == true)
        #expect(failure?.error.message.contains("Content-Length") == true)

        var long = Self.check()
        _ = try long.receiveHead(status: 200, headers: [("Content-Length", "10")])
        #expect(Self.refusal { _ = try long.receive(Self.body) }?.error.message.contains("longer than the 10 bytes") == true)
    }

    @Test(arguments: ["10, 11", "-1", "1e3", "", "ten"])
    func anInvalidContentLengthIsRefused(value: String) {
        var check = Self.check()
        #expect(Self.refusal { _ = try check.receiveHead(status: 200, headers: [("Content-Length", value)]) } != nil)
    }

    @Test func equalRepeatedContentLengthsCountAsOne() throws {
        var check = Self.check()
        _ = try check.receiveHead(status: 200, headers: [("Content-Length", "1024"), ("Content-Length", "1024, 1024")])
        #expect(try Self.feed(&check, Self.body).body.count == 1024)
    }

    @Test(arguments: [("Content-Encoding", "gzip"), ("Content-Encoding", "identity, br"), ("Transfer-Encoding", "gzip, chunked")])
    func encodedBodiesAreRefusedAtTheHeaders(name: String, value: String) {
        var check = Self.check()
        let failure = Self.refusal { _ = try check.receiveHead(status: 200, headers: [(name, value)]) }
        #expect(failure?.error.kind == .storeFailure)
        #expect(failure?.error.message.contains("only") == true)
    }

    @Test func identityAndChunkedAreAccepted() throws {
        var check = Self.check()
        #expect(try check.receiveHead(status: 200, headers: [("Content-Encoding", "identity"), ("Transfer-Encoding", "chunked")]) == .readBody)
    }

    @Test func aPartialAnswerMustBeTheRangeAskedFor() throws {
        let range = ByteRange.range(offset: 10, length: 100)
        var good = Self.check(range: range)
        _ = try good.receiveHead(status: 206, headers: [("Content-Range", "bytes 10-109/1024"), ("Content-Length", "100")])
        #expect(try Self.feed(&good, Array(Self.body[10..<110])).body == Array(Self.body[10..<110]))

        var atTheEnd = Self.check(range: .range(offset: 1000, length: 100))
        _ = try atTheEnd.receiveHead(status: 206, headers: [("Content-Range", "bytes 1000-1023/1024")])
        #expect(try Self.feed(&atTheEnd, Array(Self.body[1000...])).body.count == 24)

        let refused: [(String, [(name: String, value: String)])] = [
            ("wrong start", [("Content-Range", "bytes 0-99/1024")]),
            ("longer than asked", [("Content-Range", "bytes 10-209/1024")]),
            ("shorter although the value is longer", [("Content-Range", "bytes 10-59/1024")]),
            ("no Content-Range", []),
            ("multipart", [("Content-Type", "multipart/byteranges; boundary=x")]),
            ("end past the size", [("Content-Range", "bytes 10-109/50")]),
            ("Content-Length disagrees", [("Content-Range", "bytes 10-109/1024"), ("Content-Length", "99")]),
        ]
        for (name, headers) in refused {
            var check = Self.check(range: range)
            #expect(Self.refusal { _ = try check.receiveHead(status: 206, headers: headers) } != nil, "\(name)")
        }
        var whole = Self.check()
        #expect(Self.refusal { _ = try whole.receiveHead(status: 206, headers: [("Content-Range", "bytes 0-9/1024")]) } != nil)
    }

    @Test func aPartialBodyMustHaveTheRangesLength() throws {
        var short = Self.check(range: .range(offset: 10, length: 100))
        _ = try short.receiveHead(status: 206, headers: [("Content-Range", "bytes 10-109/1024")])
        #expect(Self.refusal { _ = try Self.feed(&short, Array(Self.body[10..<60])) }?.retryable == true)

        var long = Self.check(range: .range(offset: 10, length: 100))
        _ = try long.receiveHead(status: 206, headers: [("Content-Range", "bytes 10-109/*")])
        #expect(Self.refusal { _ = try long.receive(Self.body[0..<101]) } != nil)
    }

    @Test func suffixAndOpenRangesAreChecked() throws {
        var suffix = Self.check(range: .suffix(length: 16))
        _ = try suffix.receiveHead(status: 206, headers: [("Content-Range", "bytes 1008-1023/1024")])
        #expect(try Self.feed(&suffix, Array(Self.body[1008...])).body == Array(Self.body[1008...]))
        var badSuffix = Self.check(range: .suffix(length: 16))
        #expect(Self.refusal { _ = try badSuffix.receiveHead(status: 206, headers: [("Content-Range", "bytes 1000-1015/1024")]) } != nil)
        var from = Self.check(range: .from(offset: 1000))
        _ = try from.receiveHead(status: 206, headers: [("Content-Range", "bytes 1000-1023/1024")])
        #expect(try Self.feed(&from, Array(Self.body[1000...])).body.count == 24)
    }

    @Test func aServerIgnoringRangesIsCutAtTheRangesEnd() throws {
        var check = Self.check(range: .range(offset: 10, length: 100), max: 200)
        _ = try check.receiveHead(status: 200, headers: [("Content-Length", "1024")])
        var parts = 0
        // 7-byte parts: the transfer stops at byte 110, well before the limit of 200.
        for start in stride(from: 0, to: 1024, by: 7) {
            parts += 1
            guard try check.receive(Self.body[start..<Swift.min(1024, start + 7)]) else { break }
        }
        #expect(parts == 16 && check.hasEnough)
        let answer = try check.finish()
        #expect(answer.body == Array(Self.body[10..<110]))
        #expect(answer.rangeIgnored)
    }

    /// rclone's `serve s3` answers a range with `200 OK`, the range's bytes alone and their
    /// `Content-Range`: the body is the part (checked as a 206 one), not the whole value to cut
    /// the range out of (which gave an empty read for a range not at the start).
    @Test func aPartNamedByTheContentRangeOfA200AnswerIsThePart() throws {
        var part = Self.check(range: .range(offset: 10, length: 100))
        _ = try part.receiveHead(status: 200, headers: [("Content-Range", "bytes 10-109/1024"), ("Content-Length", "100")])
        let answer = try Self.feed(&part, Array(Self.body[10..<110]))
        #expect(answer.body == Array(Self.body[10..<110]) && !answer.rangeIgnored)

        var suffix = Self.check(range: .suffix(length: 16))
        _ = try suffix.receiveHead(status: 200, headers: [("Content-Range", "bytes 1008-1023/1024"), ("Content-Length", "16")])
        #expect(try Self.feed(&suffix, Array(Self.body[1008...])).body == Array(Self.body[1008...]))

        var wrong = Self.check(range: .range(offset: 10, length: 100))
        #expect(Self.refusal { _ = try wrong.receiveHead(status: 200, headers: [("Content-Range", "bytes 20-119/1024")]) } != nil)
        var malformed = Self.check(range: .range(offset: 10, length: 100))
        #expect(Self.refusal { _ = try malformed.receiveHead(status: 200, headers: [("Content-Range", "bytes 10-")]) } != nil)

        // A Content-Range naming the whole value: the body is the whole value, cut as before.
        var whole = Self.check(range: .range(offset: 10, length: 100))
        _ = try whole.receiveHead(status: 200, headers: [("Content-Range", "bytes 0-1023/1024"), ("Content-Length", "1024")])
        let cut = try Self.feed(&whole, Self.body)
        #expect(cut.body == Array(Self.body[10..<110]) && cut.rangeIgnored)
    }

    @Test func aSuffixOfAnIgnoredRangeIsTheTail() throws {
        var check = Self.check(range: .suffix(length: 16), max: 1 << 20)
        _ = try check.receiveHead(status: 200, headers: [])
        var stream: [UInt8] = []
        for _ in 0..<300 { stream += Self.body }
        #expect(try Self.feed(&check, stream, part: 4096).body == Array(stream.suffix(16)))
    }

    @Test func redirectsStayOnTheServerAndWithinTheLimit() throws {
        var same = Self.check()
        #expect(try same.receiveHead(status: 302, headers: [("Location", "/store/moved/0")]) == .redirect("http://127.0.0.1:8080/store/moved/0"))
        var relative = Self.check()
        #expect(try relative.receiveHead(status: 307, headers: [("Location", "other")]) == .redirect("http://127.0.0.1:8080/store/0/c/other"))
        for location in ["http://localhost:8080/store/0", "https://127.0.0.1:8080/store/0", "http://127.0.0.1:8081/store/0", "//evil.example/x"] {
            var check = Self.check()
            #expect(Self.refusal { _ = try check.receiveHead(status: 301, headers: [("Location", location)]) }?.error.message.contains("redirected") == true,
                    "\(location)")
        }
        var looping = Self.check(redirects: 2)
        #expect(Self.refusal { _ = try looping.receiveHead(status: 302, headers: [("Location", "/store/0")]) }?.error.message.contains("redirects") == true)
        var defaultPort = HTTPResponseCheck(method: .get, range: nil, limits: .default, url: "http://example.org/a/b", key: "b", origin: "http://example.org/a")
        #expect(try defaultPort.receiveHead(status: 302, headers: [("Location", "http://example.org:80/a/c")]) == .redirect("http://example.org:80/a/c"))
    }

    @Test func statusOnlyAnswersKeepNoBodyAndStopAfterTheDiscardBudget() throws {
        var missing = Self.check()
        #expect(try missing.receiveHead(status: 404, headers: [("Content-Length", "\(1 << 40)")]) == .statusOnly)
        #expect(try missing.receive(Self.body))
        var more = true
        for _ in 0..<100 where more { more = try missing.receive(Self.body) }
        #expect(!more)
        let answer = try missing.finish()
        #expect(answer.status == 404 && answer.body.isEmpty)

        var head = Self.check(.head)
        #expect(try head.receiveHead(status: 200, headers: [("Content-Length", "\(1 << 40)"), ("Content-Encoding", "gzip")]) == .statusOnly)
        #expect(try head.finish().status == 200)
    }

    @Test func bytesOutOfOrderAreErrorsNotCrashes() throws {
        var early = Self.check()
        #expect(Self.refusal { _ = try early.receive([1]) } != nil)
        var twice = Self.check()
        _ = try twice.receiveHead(status: 200, headers: [])
        #expect(Self.refusal { _ = try twice.receiveHead(status: 200, headers: []) } != nil)
        #expect(Self.refusal { _ = try Self.check().finish() }?.retryable == true)
        var notHTTP = Self.check()
        #expect(Self.refusal { _ = try notHTTP.receiveHead(status: 7, headers: []) } != nil)
    }

    @Test(arguments: ["bytes 10-109/1024", "bytes 0-0/1", "bytes 5-9/*", "BYTES 1-2/3"])
    func contentRangesParse(text: String) {
        #expect(ContentRange(text) != nil)
    }

    @Test(arguments: ["bytes 10-9/1024", "bytes 0-9/5", "bytes */1024", "bytes 0-9", "items 0-9/10", "bytes -1-9/10",
                      "bytes 0-99999999999999999999/*", "bytes 0-9/10, 20-29/10"])
    func malformedContentRangesDoNot(text: String) {
        #expect(ContentRange(text) == nil)
    }

    /// The transfer as libcurl's callbacks drive it: header lines one by one (interim `100`
    /// blocks skipped, folded fields joined, trailers ignored), then the body, then the end.
    @Test func aTransferSkipsInterimHeadsAndChecksTheFinalOne() throws {
        let transfer = HTTPTransfer(check: Self.check(), limits: .default, deadline: .distantFuture)
        for line in ["HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "Content-Length: 4\r\n",
                     "X-Note: one\r\n", " two\r\n", "\r\n"] {
            #expect(transfer.headerLine(Array(line.utf8)))
        }
        #expect(transfer.body([1, 2]) && transfer.body([3, 4]))
        #expect(transfer.headerLine(Array("X-Trailer: ignored\r\n".utf8)))
        guard case .answer(let answer) = try transfer.outcome(.complete) else {
            Issue.record("no answer")
            return
        }
        #expect(answer.status == 200 && answer.body == [1, 2, 3, 4])
    }

    @Test func aTransferRefusedAtTheHeadStopsAndSaysWhy() {
        let transfer = HTTPTransfer(check: Self.check(), limits: .default, deadline: .distantFuture)
        for line in ["HTTP/1.1 200 OK\r\n", "Content-Encoding: gzip\r\n"] { #expect(transfer.headerLine(Array(line.utf8))) }
        #expect(!transfer.headerLine(Array("\r\n".utf8)))
        #expect(!transfer.body([1]))
        #expect(Self.refusal { _ = try transfer.outcome(.stopped) }?.error.message.contains("gzip") == true)
    }

    @Test func aCutOrRefusedConnectionIsRetryable() {
        let cut = HTTPTransfer(check: Self.check(), limits: .default, deadline: .distantFuture)
        for line in ["HTTP/1.1 200 OK\r\n", "Content-Length: 10\r\n", "\r\n"] { _ = cut.headerLine(Array(line.utf8)) }
        _ = cut.body([1, 2, 3])
        let short = Self.refusal { _ = try cut.outcome(.failed("transfer closed with 7 bytes remaining to read")) }
        #expect(short?.retryable == true && short?.error.message.contains("7 bytes remaining") == true)
        let refused = HTTPTransfer(check: Self.check(), limits: .default, deadline: .distantFuture)
        let failure = Self.refusal { _ = try refused.outcome(.failed("Failed to connect to 127.0.0.1 port 9: Connection refused")) }
        #expect(failure?.retryable == true && failure?.error.message.contains("Connection refused") == true)
    }

    @Test func aHeadThatNeverEndsIsRefused() {
        let transfer = HTTPTransfer(check: Self.check(), limits: .default, deadline: .distantFuture)
        #expect(transfer.headerLine(Array("HTTP/1.1 200 OK\r\n".utf8)))
        let line = Array("X-Filler: \(String(repeating: "a", count: 1000))\r\n".utf8)
        var going = true
        for _ in 0..<(HTTPTransfer.maxHeaderBytes / line.count + 1) where going { going = transfer.headerLine(line) }
        #expect(!going)
        #expect(Self.refusal { _ = try transfer.outcome(.stopped) }?.error.message.contains("headers are longer") == true)
    }

    @Test func aRefusedConnectionIsRetriedThenNamedInLibcurlsWords() throws {
        // Nothing listens on the discard port of the loopback: every attempt is refused.
        let store = try HTTPStore(url: "http://127.0.0.1:9/store", limits: HTTPLimits(maxRetries: 1, retryDelay: 0.01))
        let error = #expect(throws: ZarrError.self) { _ = try store.get(try StoreKey("zarr.json")) }
        #expect(error?.message.contains("request failed") == true && error?.message.contains("Failed to connect") == true, "\(String(describing: error))")
    }
}
