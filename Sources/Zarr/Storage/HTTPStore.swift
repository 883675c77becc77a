import Dispatch
import Foundation
import MIFACore

/// A read-only store over HTTP(S): key `a/b` is `GET <base>/a/b`, as zarr-python's `FsspecStore`
/// and tensorstore's `http` kvstore read it.
///
/// Byte ranges are fetched with `Range` requests (RFC 9110 §14). A `206 Partial Content` answer must
/// carry a `Content-Range` that is the range asked for (cut at the value's end); a server that ignores `Range` and answers `200` with the whole
/// value still works: the range is cut out as the body streams in, and the transfer stops at its
/// end (``rangesIgnored`` then reports it). `404` and `410` mean a missing key. HTTP cannot list
/// keys, so listing throws; read hierarchies over HTTP through consolidated metadata or known paths.
///
/// Every request is held to ``limits`` (``HTTPLimits``): bodies are bounded and never inflated,
/// silent and trickling servers time out, failures are retried a bounded number of times, and
/// redirects stay on the same host. Responses stream through libcurl and are checked as they
/// arrive (a transfer stops the moment a rule is broken); each store keeps its own pool of
/// kept-alive connections, closed with the store. Reads block the calling thread; any thread may read.
public final class HTTPStore: ZarrStore {
    /// The URL of the store root, without a trailing slash (nor its query).
    public let baseURL: String
    /// The query of the URL the store was opened with (a presigned URL's signature), sent with
    /// every request and never shown in messages; `nil` when it had none.
    let query: String?
    /// The bounds every request is held to.
    public let limits: HTTPLimits
    private let transport: HTTPTransport

    /// A store rooted at an `http://` or `https://` URL.
    /// - Parameters:
    ///   - url: the store root; a query (`?X-Amz-Signature=...`) is kept for every request.
    ///   - limits: the bounds on body sizes, timeouts, retries and redirects.
    /// - Throws: ``ZarrError`` `.storeFailure` for another scheme or a malformed URL.
    public init(url: String, limits: HTTPLimits = .default) throws {
        let (path, query) = StoreURL.splittingQuery(url)
        var base = path
        while base.hasSuffix("/") { base.removeLast() }
        guard let parsed = URL(string: base), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host != nil else {
            throw ZarrError(.storeFailure, "'\(url)' is not an http:// or https:// URL", context: ErrorContext(file: url))
        }
        self.transport = HTTPTransport(limits: limits)
        self.baseURL = base
        self.query = query
        self.limits = limits
    }

    /// The base URL.
    public var location: String { baseURL }

    /// Always `false`.
    public var isWritable: Bool { false }

    /// Whether the server has answered a range request with more than the range (the whole value)
    /// at least once.
    public var rangesIgnored: Bool { transport.rangesIgnored }

    /// The value or a range of it; `nil` on `404`/`410`.
    /// - Throws: ``ZarrError`` `.storeFailure` for other statuses (after the retries of a `5xx` or
    ///   `429`), network errors, timeouts, refused redirects, encoded or truncated bodies, a `206`
    ///   answer whose `Content-Range` is not the range asked for; `.tooLarge` for a body over
    ///   ``HTTPLimits/maxBodyBytes``.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        if case .range(_, let length)? = range, length <= 0 {
            return try exists(key) ? [] : nil
        }
        let response = try fetch(key, method: .get, range: range)
        switch response.status {
        case 200, 206:
            // For a range request answered 200 the body kept is the range, cut out as it streamed
            // in (the transport notes it: ``rangesIgnored``).
            return response.body
        case 416:
            return []
        case 404, 410:
            return nil
        default:
            throw statusError(response.status, key)
        }
    }

    /// Whether the key exists (`HEAD`).
    /// - Throws: ``ZarrError`` `.storeFailure` for unexpected statuses, network errors and timeouts.
    public func exists(_ key: StoreKey) throws -> Bool {
        let response = try fetch(key, method: .head, range: nil)
        switch response.status {
        case 200..<300: return true
        case 404, 410: return false
        default: throw statusError(response.status, key)
        }
    }

    /// Always throws: the store is read-only.
    /// - Throws: ``ZarrError`` `.readOnly`.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws {
        throw readOnlyError(key)
    }

    /// Always throws: the store is read-only.
    /// - Throws: ``ZarrError`` `.readOnly`.
    public func delete(_ key: StoreKey) throws {
        throw readOnlyError(key)
    }

    /// Always throws: HTTP has no listing.
    /// - Throws: ``ZarrError`` `.storeFailure`.
    public func list(prefix: String) throws -> [StoreKey] {
        throw ZarrError(.storeFailure, "an HTTP server cannot list keys under '\(prefix)'; open arrays by path or use consolidated metadata",
                        context: ErrorContext(file: baseURL))
    }

    /// Always throws: HTTP has no listing.
    /// - Throws: ``ZarrError`` `.storeFailure`.
    public func listDirectory(prefix: String) throws -> (keys: [String], prefixes: [String]) {
        _ = try list(prefix: prefix)
        return ([], [])
    }

    /// The URL asked for `key`, with the store's query.
    func url(of key: StoreKey) -> String {
        // Chunk keys ("c/0/1", "zarr.json") need no escaping: Foundation's escaping is skipped for
        // them, as it runs for every read.
        let plain = key.value.utf8.allSatisfy { StoreURL.isUnreserved($0) || $0 == UInt8(ascii: "/") }
        let escaped = plain ? key.value : key.value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key.value
        return "\(baseURL)/\(escaped)" + (query.map { "?\($0)" } ?? "")
    }

    /// The URL of `key` as messages name it: without the query, which may be a credential.
    func displayURL(of key: StoreKey) -> String { "\(baseURL)/\(key.value)" }

    /// The error of an answer that is neither the value nor "no such key": the status, the URL
    /// and what to do about it.
    private func statusError(_ status: Int, _ key: StoreKey) -> ZarrError {
        let advice = switch status {
        case 401, 403: "the server refuses access; check the URL, or that the files are public (a presigned URL must be given whole, its query included)"
        case 429, 500...: "the server kept failing after \(limits.maxRetries) retries; try again later, or tell whoever runs it"
        default: "check the URL"
        }
        return ZarrError(.storeFailure, "the server answered HTTP \(status) for \(displayURL(of: key)); \(advice)", context: ErrorContext(file: displayURL(of: key), key: key.value))
    }

    /// One request through the transport's retry loop (see ``HTTPTransport``).
    private func fetch(_ key: StoreKey, method: HTTPResponseCheck.Method, range: ByteRange?) throws -> HTTPResponseCheck.Answer {
        do {
            return try transport.request(method, url: url(of: key), key: key.value, range: range, origin: baseURL)
        } catch let error as ZarrError {
            throw withoutQuery(error)
        }
    }

    /// `error` with the store's query taken out of its message and its place: a presigned URL's
    /// signature is a credential, and the transport's errors (timeouts, refused connections,
    /// malformed bodies) name the URL they requested.
    func withoutQuery(_ error: ZarrError) -> ZarrError {
        guard let query, !query.isEmpty else { return error }
        let strip = { (text: String) in text.replacingOccurrences(of: "?\(query)", with: "").replacingOccurrences(of: query, with: "(query)") }
        var redacted = error
        redacted.message = strip(error.message)
        redacted.context.file = error.context.file.map(strip)
        return redacted
    }
}
