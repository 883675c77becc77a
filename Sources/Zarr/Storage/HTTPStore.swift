import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MIFACore
import Synchronization

/// A read-only store over HTTP(S): key `a/b` is `GET <base>/a/b`, as zarr-python's `FsspecStore`
/// and tensorstore's `http` kvstore read it.
///
/// Byte ranges are fetched with `Range` requests (RFC 9110 §14). A `206 Partial Content` answer is
/// checked to be no longer than asked for; a server that ignores `Range` and answers `200` with the
/// whole value still works: the range is cut out locally (``rangesIgnored`` then reports it).
/// `404` and `410` mean a missing key. HTTP cannot list keys, so listing throws; read hierarchies
/// over HTTP through consolidated metadata or known paths.
public final class HTTPStore: ZarrStore {
    /// The URL of the store root, without a trailing slash.
    public let baseURL: String
    /// Seconds before a request is abandoned.
    public let timeout: Double
    private let session: URLSession
    private let ignoredRanges = Atomic<Bool>(false)

    /// A store rooted at an `http://` or `https://` URL.
    /// - Throws: ``ZarrError`` `.storeFailure` for another scheme or a malformed URL.
    public init(url: String, timeout: Double = 60) throws {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        guard let parsed = URL(string: base), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host != nil else {
            throw ZarrError(.storeFailure, "'\(url)' is not an http:// or https:// URL", context: ErrorContext(file: url))
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 10
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpMaximumConnectionsPerHost = 8
        self.session = URLSession(configuration: configuration)
        self.baseURL = base
        self.timeout = timeout
    }

    deinit { session.invalidateAndCancel() }

    /// The base URL.
    public var location: String { baseURL }

    /// Always `false`.
    public var isWritable: Bool { false }

    /// Whether the server has answered a range request with more than the range (the whole value)
    /// at least once.
    public var rangesIgnored: Bool { ignoredRanges.load(ordering: .relaxed) }

    /// The value or a range of it; `nil` on `404`/`410`.
    /// - Throws: ``ZarrError`` `.storeFailure` for other statuses, network errors, timeouts, or a
    ///   `206` answer longer than the range asked for.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        if case .range(_, let length)? = range, length <= 0 {
            return try exists(key) ? [] : nil
        }
        let response = try fetch(key, method: "GET", range: range)
        switch response.status {
        case 200:
            guard range != nil else { return response.body }
            let (offset, count) = ByteRange.resolve(range, size: response.body.count)
            if count < response.body.count { ignoredRanges.store(true, ordering: .relaxed) }
            return Array(response.body[offset..<(offset + count)])
        case 206:
            if case .range(_, let length)? = range, response.body.count > length {
                throw ZarrError(.storeFailure, "the server sent \(response.body.count) bytes for a \(length)-byte range",
                                context: ErrorContext(file: url(of: key), key: key.value))
            }
            if case .suffix(let length)? = range, response.body.count > length {
                throw ZarrError(.storeFailure, "the server sent \(response.body.count) bytes for the last \(length) bytes",
                                context: ErrorContext(file: url(of: key), key: key.value))
            }
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
    /// - Throws: ``ZarrError`` `.storeFailure` for unexpected statuses and network errors.
    public func exists(_ key: StoreKey) throws -> Bool {
        let response = try fetch(key, method: "HEAD", range: nil)
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

    func url(of key: StoreKey) -> String {
        let escaped = key.value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key.value
        return "\(baseURL)/\(escaped)"
    }

    private func statusError(_ status: Int, _ key: StoreKey) -> ZarrError {
        ZarrError(.storeFailure, "the server answered HTTP \(status)", context: ErrorContext(file: url(of: key), key: key.value))
    }

    /// One request, waited for: status and body.
    private func fetch(_ key: StoreKey, method: String, range: ByteRange?) throws -> (status: Int, body: [UInt8]) {
        let address = url(of: key)
        guard let url = URL(string: address) else {
            throw ZarrError(.invalidKey, "key '\(key)' does not make a valid URL", context: ErrorContext(file: address, key: key.value))
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        if let range { request.setValue(range.httpHeader, forHTTPHeaderField: "Range") }
        let outcome = Outcome()
        let semaphore = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            outcome.result.withLock { result in
                if let error {
                    result = .failure(error.localizedDescription)
                } else if let http = response as? HTTPURLResponse {
                    result = .success(http.statusCode, data.map { [UInt8]($0) } ?? [])
                } else {
                    result = .failure("no HTTP response")
                }
            }
            semaphore.signal()
        }
        task.resume()
        if semaphore.wait(timeout: .now() + timeout * 10) == .timedOut {
            task.cancel()
            throw ZarrError(.storeFailure, "no answer within \(Int(timeout * 10)) seconds", context: ErrorContext(file: address, key: key.value))
        }
        switch outcome.result.withLock({ $0 }) {
        case .success(let status, let body)?:
            return (status, body)
        case .failure(let message)?:
            throw ZarrError(.storeFailure, "request failed: \(message)", context: ErrorContext(file: address, key: key.value))
        case nil:
            throw ZarrError(.storeFailure, "request ended without a result", context: ErrorContext(file: address, key: key.value))
        }
    }

    /// The result slot a completion handler fills in.
    private final class Outcome: Sendable {
        enum Result: Sendable {
            case success(Int, [UInt8])
            case failure(String)
        }
        let result = LockedState<Result?>(nil)
    }
}
