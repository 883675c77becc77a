// libFuzzer target for the rules an HTTPStore holds a response to (HTTPResponseCheck): the input
// describes one request and the response a server sends to it, and the check is driven exactly as
// the transport drives it: status and headers, then body parts, then the end. Thrown errors
// (HTTPFailure) are the expected outcome for hostile responses; a crash, a sanitizer report or a
// broken claim is a bug. The claims: no more bytes are ever accepted than the limit (or the range)
// allows; the bytes returned for a range are that range of what the server sent (a 206 body, or a 200
// one whose Content-Range names a part, whole and never longer than the range; any other 200 body
// cut with ByteRange.resolve); a status-only answer
// returns no bytes. `make fuzz` builds it with -DFUZZING (libFuzzer supplies `main`); a plain build
// replays the files given as arguments.
//
// Input format (Fuzz/seeds_FuzzHTTP.py writes examples), text lines then the body bytes:
//   GET|HEAD <range> <max-body>      range: `-` (none), `r<offset>+<length>`, `f<offset>`, `s<length>`
//   chunks <n>,<n>,... repeat <k>    body part sizes (cycled) and how many times the body is sent
//   <status>
//   <Header>: <value>                any number of lines
//   (empty line)
//   <body bytes>
import Foundation
import FuzzSupport
import Zarr

/// The store root and the URL asked, as an HTTPStore would build them.
let origin = "http://127.0.0.1:8080/store"
let address = origin + "/0/c/0/0"

/// The most body bytes fed for one input, so a large `repeat` stays fast.
let maxFedBytes = 1 << 22

/// One request and response, parsed from a fuzz input.
struct Exchange {
    var method = HTTPResponseCheck.Method.get
    var range: ByteRange?
    var maxBody = 1024
    var chunkSizes = [4096]
    var repeats = 1
    var status = 200
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    init(_ bytes: [UInt8]) {
        var split = bytes.count
        for index in bytes.indices.dropLast() where bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
            split = index
            break
        }
        body = split + 2 <= bytes.count ? Array(bytes[(split + 2)...]) : []
        let lines = String(decoding: bytes[..<split], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let request = lines.first { parseRequest(request) }
        if lines.count > 1 { parseChunks(lines[1]) }
        if lines.count > 2, let code = Int(lines[2].trimmingCharacters(in: .whitespaces)) { status = code }
        for line in lines.dropFirst(3) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
        }
    }

    private mutating func parseRequest(_ line: String) {
        let words = line.split(separator: " ").map(String.init)
        if words.first == "HEAD" { method = .head }
        if words.count > 1 { range = Self.range(words[1]) }
        if words.count > 2, let value = Int(words[2]) { maxBody = Swift.min(Swift.max(value, 0), 1 << 20) }
    }

    private mutating func parseChunks(_ line: String) {
        let words = line.split(separator: " ").map(String.init)
        if words.count > 1 {
            let sizes = words[1].split(separator: ",").compactMap { Int($0) }.map { Swift.min(Swift.max($0, 1), 1 << 16) }
            if !sizes.isEmpty { chunkSizes = sizes }
        }
        if words.count > 3, words[2] == "repeat", let value = Int(words[3]) { repeats = Swift.min(Swift.max(value, 1), 4096) }
    }

    /// `r10+5`, `f10`, `s5`; offsets and lengths up to 2^20, lengths at least 1.
    private static func range(_ word: String) -> ByteRange? {
        func number(_ text: Substring) -> Int? { Int(text).map { Swift.min(Swift.max($0, 0), 1 << 20) } }
        guard let kind = word.first else { return nil }
        let rest = word.dropFirst()
        switch kind {
        case "r":
            let parts = rest.split(separator: "+")
            guard parts.count == 2, let offset = number(parts[0]), let length = number(parts[1]) else { return nil }
            return .range(offset: offset, length: Swift.max(length, 1))
        case "f":
            return number(rest).map { .from(offset: $0) }
        case "s":
            return number(rest).map { .suffix(length: Swift.max($0, 1)) }
        default:
            return nil
        }
    }

    /// The body parts in the order they are sent: the body `repeats` times, cut by the sizes.
    var parts: [[UInt8]] {
        guard !body.isEmpty else { return [] }
        var stream: [UInt8] = []
        for _ in 0..<repeats where stream.count < maxFedBytes { stream += body }
        var parts: [[UInt8]] = []
        var start = 0, index = 0
        while start < stream.count {
            let end = Swift.min(stream.count, start + chunkSizes[index % chunkSizes.count])
            parts.append(Array(stream[start..<end]))
            start = end
            index += 1
        }
        return parts
    }
}

/// Drives one check and verifies its claims.
func run(_ exchange: Exchange) {
    let limits = HTTPLimits(maxBodyBytes: exchange.maxBody)
    var check = HTTPResponseCheck(method: exchange.method, range: exchange.range, limits: limits, url: address, key: "0/c/0/0", origin: origin)
    var fed: [UInt8] = []
    do throws(HTTPFailure) {
        let verdict = try check.receiveHead(status: exchange.status, headers: exchange.headers)
        if case .redirect(let target) = verdict {
            precondition(target.hasPrefix("http://127.0.0.1:8080/"), "followed a redirect to another server: \(target)")
        }
        for part in exchange.parts {
            fed += part
            let more = try check.receive(part)
            if verdict == .readBody {
                precondition(check.received <= limits.maxBodyBytes, "accepted \(check.received) bytes over the \(limits.maxBodyBytes)-byte limit")
            }
            if !more { break }
        }
        let answer = try check.finish()
        precondition(answer.status == exchange.status, "answer status \(answer.status) is not the status sent, \(exchange.status)")
        precondition(answer.body.count <= limits.maxBodyBytes, "returned \(answer.body.count) bytes over the limit")
        guard verdict == .readBody else {
            precondition(answer.body.isEmpty, "a status-only answer returned \(answer.body.count) bytes")
            return
        }
        precondition(exchange.method == .get && (200..<300).contains(exchange.status), "read the body of a \(exchange.method) \(exchange.status) answer")
        switch (exchange.status, exchange.range) {
        case (206, .range(_, let length)?), (206, .suffix(let length)?):
            precondition(answer.body == fed, "a 206 body was not kept whole")
            precondition(answer.body.count <= length, "a 206 answer to a \(length)-byte range returned \(answer.body.count) bytes")
        case (206, _):
            precondition(exchange.range != nil, "accepted a 206 answer to a request for the whole value")
            precondition(answer.body == fed, "a 206 body was not kept whole")
        case (200, .range(_, let length)?) where answer.body == fed && hasContentRange(exchange.headers),
             (200, .suffix(let length)?) where answer.body == fed && hasContentRange(exchange.headers):
            // A 200 answer whose Content-Range names a part (rclone's `serve s3`) is checked as a
            // 206 one: its bytes are the part, kept whole, never longer than the range.
            precondition(answer.body.count <= length, "a 200 answer naming a part of a \(length)-byte range returned \(answer.body.count) bytes")
        case (200, .from?) where answer.body == fed && hasContentRange(exchange.headers):
            break  // as above: the part from the offset to the end, kept whole
        case (_, let range?):
            let (offset, count) = ByteRange.resolve(range, size: fed.count)
            precondition(answer.body == Array(fed[offset..<(offset + count)]), "range \(range) of a \(fed.count)-byte 200 body was cut wrongly (\(answer.body.count) bytes)")
            if case .range(_, let length) = range { precondition(answer.body.count <= length, "returned more than the range") }
        case (_, nil):
            precondition(answer.body == fed, "the body was not kept whole")
        }
    } catch {
        precondition(!error.error.message.isEmpty, "a refusal without a message")
    }
}

/// Whether the response has a `Content-Range` header (any case).
func hasContentRange(_ headers: [(name: String, value: String)]) -> Bool {
    headers.contains { $0.name.lowercased() == "content-range" }
}

/// Feeds one input to the check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    run(Exchange(Array(UnsafeBufferPointer(start: data, count: size))))
    return 0
}

#if FUZZING
/// The entry point SwiftPM links as `main`; see ``runLibFuzzer(_:_:_:)``.
@_cdecl("FuzzHTTP_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
