import Foundation
import MIFACore

/// A store in an S3 bucket (AWS or any S3-compatible server): key `a/b` is the object
/// `<prefix>a/b`, as zarr-python's `FsspecStore` over s3fs, obstore and tensorstore's `s3` kvstore
/// lay a hierarchy out.
///
/// Requests are signed with AWS Signature Version 4 (``S3Signer``), or sent unsigned for public
/// buckets; where the bucket, endpoint, region and credentials come from is
/// ``S3Configuration``'s. Reads are `GET`s with a `Range` (a suffix read is `bytes=-N`), a missing
/// object (`404 NoSuchKey`) is `nil`; writes are one `PUT`, or a multipart upload for values over
/// ``multipartThreshold`` (aborted when a part fails, so no half value is ever visible); listing
/// is `ListObjectsV2`, page by page. Every request goes through the same transport and checks as
/// ``HTTPStore``'s (``HTTPLimits``: bounded bodies, timeouts, same-host redirects only) and is
/// retried with backoff on `5xx`, `429` and S3's throttling and timeout codes (`SlowDown`,
/// `RequestTimeout`, ...). Keys cannot leave the prefix: every key is a ``StoreKey``, and listed
/// objects whose names are not valid keys (`a//b`, `x/../y`, folder markers ending in `/`) are skipped.
/// Calls block the calling thread; any thread may call.
public final class S3Store: ZarrStore {
    /// Where the store is and how it signs.
    public let configuration: S3Configuration
    /// The bounds every request is held to.
    public let limits: HTTPLimits
    /// Values larger than this are written with a multipart upload. Default 64 MiB.
    public let multipartThreshold: Int
    /// The size of each part of a multipart upload (the last may be smaller); at least 5 MiB,
    /// S3's minimum. Default 16 MiB.
    public let partSize: Int
    /// Objects larger than this are copied in parts of this size (the last may be smaller; see
    /// ``copy(_:to:)``); 5 MiB to ``maxCopyBytes``. Default ``maxCopyBytes``, S3's limit for one copy.
    public let copyPartSize: Int
    /// The most objects asked for per `ListObjectsV2` page (S3 answers at most 1000).
    public let listPageSize: Int
    private let readOnly: Bool
    private let transport: HTTPTransport
    private let signer: S3Signer?
    /// The scheme, host and port requests go to, and the host (with the port) as `Host` names it.
    private let origin: String, host: String

    /// The most keys one listing returns: more is refused rather than held in memory.
    public static let maxListedKeys = 10_000_000

    /// A store over `configuration`'s bucket and prefix.
    /// - Parameters:
    ///   - configuration: bucket, prefix, endpoint, region and credentials.
    ///   - limits: the bounds on body sizes, timeouts, retries and redirects.
    ///   - readOnly: refuse writes and deletes here, whatever the bucket allows.
    ///   - multipartThreshold: values over this many bytes are uploaded in parts.
    ///   - partSize: the size of each part (raised to 5 MiB when smaller).
    ///   - copyPartSize: objects over this many bytes are copied in parts of this size (held
    ///     between 5 MiB and ``maxCopyBytes``).
    ///   - listPageSize: the most objects asked for per listing page (1 to 1000).
    public init(configuration: S3Configuration, limits: HTTPLimits = .default, readOnly: Bool = false,
                multipartThreshold: Int = 64 << 20, partSize: Int = 16 << 20, copyPartSize: Int = S3Store.maxCopyBytes, listPageSize: Int = 1000) {
        self.configuration = configuration
        self.limits = limits
        self.readOnly = readOnly
        self.multipartThreshold = Swift.max(multipartThreshold, 1)
        self.partSize = Swift.max(partSize, 5 << 20)
        self.copyPartSize = Swift.min(Swift.max(copyPartSize, 5 << 20), Self.maxCopyBytes)
        self.listPageSize = Swift.min(Swift.max(listPageSize, 1), 1000)
        self.transport = HTTPTransport(limits: limits)
        self.signer = configuration.credentials.map { S3Signer(credentials: $0, region: configuration.region) }
        let origin = Self.origin(of: configuration.bucketURL)
        self.origin = origin
        self.host = String(origin.drop { $0 != ":" }.dropFirst(3))
    }

    /// The store at `s3://bucket/prefix`, configured from the environment and the AWS files
    /// (see ``S3Configuration/init(url:environment:)``; `environment` `nil` reads the process's).
    /// - Throws: as ``S3Configuration/init(url:environment:)``.
    public convenience init(url: String, limits: HTTPLimits = .default, readOnly: Bool = false,
                            environment: [String: String]? = nil) throws {
        self.init(configuration: try S3Configuration(url: url, environment: environment), limits: limits, readOnly: readOnly)
    }

    /// `s3://bucket/prefix/`.
    public var location: String { configuration.url }

    /// `false` when opened read-only; otherwise the bucket's permissions decide.
    public var isWritable: Bool { !readOnly }

    /// Whether the server has answered a range request with the whole object at least once (an
    /// S3-compatible server that ignores `Range`).
    public var rangesIgnored: Bool { transport.rangesIgnored }

    // MARK: - Reads

    /// The value or a range of it; `nil` when there is no such object.
    /// - Throws: ``ZarrError`` `.storeFailure` for a missing bucket, refused access, other
    ///   statuses (after the retries of transient ones), network errors and timeouts, a `206`
    ///   answer that is not the range asked for; `.tooLarge` for a body over ``HTTPLimits/maxBodyBytes``.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        if case .range(_, let length)? = range, length <= 0 {
            return try exists(key) ? [] : nil
        }
        let answer = try send(.get, object: objectName(key), range: range, place: key.value)
        switch answer.status {
        case 200, 206: return answer.body
        case 416:
            // rclone's `serve s3` refuses a suffix longer than the object, where AWS S3 answers
            // the whole object (a zip smaller than the tail its reader asks for): read it whole.
            if case .suffix(let length)? = range { return try get(key, range: nil).map { Array($0.suffix(length)) } }
            return []
        case 404 where errorCode(answer) != "NoSuchBucket": return nil
        default: throw failure(answer, "reading", key.value)
        }
    }

    /// Whether the object exists (`HEAD`).
    /// - Throws: ``ZarrError`` `.storeFailure` for refused access, other statuses, network errors.
    public func exists(_ key: StoreKey) throws -> Bool {
        let answer = try send(.head, object: objectName(key), place: key.value)
        switch answer.status {
        case 200..<300: return true
        case 404: return false
        default: throw failure(answer, "checking", key.value)
        }
    }

    // MARK: - Writes

    /// Writes the object: one `PUT`, or a multipart upload over ``multipartThreshold``. S3 makes a
    /// new value visible whole or not at all.
    /// - Throws: ``ZarrError`` `.readOnly` when opened read-only, `.storeFailure` when the server refuses.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws {
        guard !readOnly else { throw readOnlyError(key) }
        if bytes.count > multipartThreshold {
            try uploadInParts(key, bytes)
            return
        }
        let answer = try send(.put, object: objectName(key), body: bytes, place: key.value)
        guard (200..<300).contains(answer.status) else { throw failure(answer, "writing", key.value) }
    }

    /// Removes the object; removing a missing one is not an error.
    /// - Throws: ``ZarrError`` `.readOnly` when opened read-only, `.storeFailure` when the server refuses.
    public func delete(_ key: StoreKey) throws {
        guard !readOnly else { throw readOnlyError(key) }
        let answer = try send(.delete, object: objectName(key), place: key.value)
        guard (200..<300).contains(answer.status) || (answer.status == 404 && errorCode(answer) != "NoSuchBucket") else {
            throw failure(answer, "deleting", key.value)
        }
    }

    // MARK: - Listing

    /// Every key under `prefix`, sorted (`ListObjectsV2`, every page).
    /// - Throws: ``ZarrError`` `.invalidKey` for a prefix that leaves the store, `.storeFailure`
    ///   when the server refuses or answers what cannot be read, `.tooLarge` past ``maxListedKeys``.
    public func list(prefix: String) throws -> [StoreKey] {
        try StoreKey.validatePrefix(prefix)
        var keys: [StoreKey] = []
        try listPages(prefix: configuration.prefix + prefix, delimiter: nil) { document in
            for name in document.values("ListBucketResult/Contents/Key") where name.hasPrefix(configuration.prefix) {
                if let key = try? StoreKey(String(name.dropFirst(configuration.prefix.count))) { keys.append(key) }
            }
            return keys.count
        }
        return keys.sorted()
    }

    /// The objects and common prefixes directly under `prefix` (`ListObjectsV2` with the `/` delimiter).
    /// - Throws: as ``list(prefix:)``.
    public func listDirectory(prefix: String) throws -> (keys: [String], prefixes: [String]) {
        try StoreKey.validatePrefix(prefix)
        let full = configuration.prefix + (prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/")
        var keys: [String] = []
        var prefixes: [String] = []
        try listPages(prefix: full, delimiter: "/") { document in
            for name in document.values("ListBucketResult/Contents/Key") where name.hasPrefix(full) {
                let rest = String(name.dropFirst(full.count))
                if Self.isName(rest) { keys.append(rest) }
            }
            for name in document.values("ListBucketResult/CommonPrefixes/Prefix") where name.hasPrefix(full) && name.hasSuffix("/") {
                let rest = String(name.dropFirst(full.count).dropLast())
                if Self.isName(rest) { prefixes.append(rest) }
            }
            return keys.count + prefixes.count
        }
        return (keys.sorted(), prefixes.sorted())
    }

    /// Reads every page of a listing, handing each parsed page to `take`, which returns the
    /// number of entries kept so far.
    private func listPages(prefix: String, delimiter: String?, _ take: (S3XML) throws -> Int) throws {
        var token: String?
        var seen = Set<String>()
        while true {
            var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(listPageSize))]
            if let delimiter { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let answer = try send(.get, object: nil, query: query, place: prefix)
            guard answer.status == 200 else { throw failure(answer, "listing", prefix) }
            let document = try S3XML(answer.body, place: location)
            guard try take(document) <= Self.maxListedKeys else {
                throw ZarrError(.tooLarge, "more than \(Self.maxListedKeys) objects under '\(prefix)'; list a narrower prefix",
                                context: ErrorContext(file: location, key: prefix))
            }
            guard document.value("ListBucketResult/IsTruncated") == "true" else { return }
            guard let next = document.value("ListBucketResult/NextContinuationToken"), !next.isEmpty, seen.insert(next).inserted else {
                throw ZarrError(.storeFailure, "the S3 server said the listing goes on but gave no new continuation token; it is broken",
                                context: ErrorContext(file: location, key: prefix))
            }
            token = next
        }
    }

    /// Whether a listed name is one component a key may have.
    private static func isName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\") && !name.utf8.contains(0)
    }

    // MARK: - Requests

    /// The object name of a key: the prefix and the key.
    func objectName(_ key: StoreKey) -> String { configuration.prefix + key.value }

    /// The URL path of an object (percent-encoded), or of the bucket when `object` is `nil`.
    private func path(_ object: String?) -> String {
        let base = configuration.endpoint != nil || configuration.bucket.contains(".") ? "/\(configuration.bucket)" : ""
        guard let object else { return base.isEmpty ? "/" : base }
        return "\(base)/\(S3Signer.uriEncode(object, encodeSlash: false))"
    }

    /// The scheme, host and port of `url`.
    private static func origin(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        return String(url[..<schemeEnd.upperBound]) + String(rest.prefix { $0 != "/" })
    }

    /// One request to the object `object` (the bucket when `nil`), signed (with `extraHeaders`:
    /// conditions, copy sources), through the transport's retry loop, which also retries S3's
    /// throttling and timeout codes.
    func send(_ method: HTTPResponseCheck.Method, object: String?, query: [(String, String)] = [], range: ByteRange? = nil,
              body: [UInt8]? = nil, headers extraHeaders: [(name: String, value: String)] = [], place: String,
              retryOn retryCodes: Set<String> = S3Store.transientCodes) throws -> HTTPResponseCheck.Answer {
        let path = path(object)
        let queryText = S3Signer.canonicalQuery(query)
        let url = origin + path + (queryText.isEmpty ? "" : "?" + queryText)
        let payloadHash = body.map(S3Signer.payloadHash) ?? S3Signer.emptyPayloadHash
        return try transport.request(method, url: url, key: place, range: range, origin: origin, body: body, headers: { address in
            var headers = [(name: "Host", value: host)] + extraHeaders
            if let range { headers.append((name: "Range", value: range.httpHeader)) }
            guard let signer else { return headers }
            // A same-host redirect keeps the host; its path and query are signed as sent.
            let (signedPath, signedQuery) = address == url ? (path, query) : Self.pathAndQuery(address, origin: origin)
            let time = Int(Date().timeIntervalSince1970)
            let signed = signer.sign(method: method.rawValue, path: signedPath, query: signedQuery, headers: headers,
                                     payloadHash: payloadHash, time: time)
            // Range goes out through the check's headers; it is only signed here.
            return headers.filter { $0.name != "Range" } + signed
        }, retry: { answer in
            HTTPTransport.isTransient(answer) || self.errorCode(answer).map(retryCodes.contains) == true
        })
    }

    /// S3 error codes worth another attempt, whatever their status.
    static let transientCodes: Set<String> = ["SlowDown", "RequestTimeout", "Throttling", "ThrottlingException",
                                              "RequestLimitExceeded", "TooManyRequestsException", "InternalError", "ServiceUnavailable"]

    /// The path and query parameters of an absolute URL on `origin`.
    private static func pathAndQuery(_ address: String, origin: String) -> (String, [(String, String)]) {
        let rest = address.hasPrefix(origin) ? String(address.dropFirst(origin.count)) : address
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? parts[1].split(separator: "&").map { item -> (String, String) in
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(pair[0]).removingPercentEncoding ?? String(pair[0]), pair.count > 1 ? String(pair[1]).removingPercentEncoding ?? String(pair[1]) : "")
        } : []
        return (parts.first.map(String.init) ?? "/", query)
    }

    /// The S3 error code of a failed answer (`NoSuchKey`, `AccessDenied`, `SlowDown`, ...), if its
    /// body is an error document. A successful answer's body is the value, never read as an error.
    func errorCode(_ answer: HTTPResponseCheck.Answer) -> String? {
        guard answer.errorDocument.contains(UInt8(ascii: "<")) else { return nil }
        return (try? S3XML(answer.errorDocument, place: location))?.value("Error/Code")
    }

    /// The error for an answer that is not what was asked, in the server's words where it gave some.
    func failure(_ answer: HTTPResponseCheck.Answer, _ action: String, _ key: String) -> ZarrError {
        let bytes = answer.errorDocument.isEmpty ? answer.body.prefix(HTTPResponseCheck.errorDocumentBudget).map { $0 } : answer.errorDocument
        let document = bytes.contains(UInt8(ascii: "<")) ? try? S3XML(bytes, place: location) : nil
        let code = document?.value("Error/Code")
        let message = document?.value("Error/Message").map { String($0.prefix(300)) }
        var text = "the S3 server answered HTTP \(answer.status)\(code.map { " \($0)" } ?? "")\(message.map { ": \($0)" } ?? "") when \(action) '\(key)' in \(location)"
        switch (answer.status, code) {
        case (_, "NoSuchBucket"?): text += "; the bucket does not exist (check the URL and AWS_ENDPOINT_URL)"
        case (301, _), (_, "PermanentRedirect"?), (_, "AuthorizationHeaderMalformed"?):
            text += "; the bucket is in another region (set AWS_REGION)"
        case (403, _): text += configuration.credentials == nil
            ? "; no credentials were found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)"
            : "; check the credentials, their permissions and the clock"
        default: break
        }
        return ZarrError(.storeFailure, text, context: ErrorContext(file: location, key: key))
    }
}
