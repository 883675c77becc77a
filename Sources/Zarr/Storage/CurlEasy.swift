import CCurl
import Dispatch
import MIFACore

/// One libcurl easy handle (https://curl.se/libcurl/c/libcurl-easy.html): the only place that
/// calls libcurl, for ``HTTPTransport``.
///
/// A handle performs one request at a time on the calling thread (`curl_easy_perform`, no event
/// loop) and keeps its connections open afterwards, so the transport keeps idle handles in a pool
/// and the next request on a handle reuses a kept-alive connection. Every request starts from
/// `curl_easy_reset` (which keeps the connections and the DNS cache) and sets everything it needs:
/// - only `http` and `https`; TLS with libcurl's defaults (the system's CA store, peer and host
///   verified);
/// - no proxy, whatever `http_proxy`, `https_proxy` or `ALL_PROXY` say (as before libcurl: the
///   stores talk to the server they are given);
/// - no redirects followed and nothing decoded: the ``HTTPResponseCheck`` decides redirects and
///   refuses encoded bodies;
/// - no `Expect: 100-continue`, no default `Accept` or `Content-Type`: the headers sent are the
///   ones given (and `Host` as given, so an S3 signature covers exactly what is sent), plus
///   `Content-Length` for a body;
/// - the response goes to an ``HTTPTransfer`` through the header and write callbacks, which stop
///   the transfer (a short count) the moment the transfer says so; the progress callback, which
///   libcurl calls about once a second or more often, runs the transfer's clock rules;
///   `CURLOPT_CONNECTTIMEOUT_MS` and `CURLOPT_TIMEOUT_MS` back them up.
/// - no signals (`CURLOPT_NOSIGNAL`), as a threaded process needs.
///
/// `@unchecked Sendable`: the handle is owned by one request at a time (taken from the pool and
/// given back after), so it is never used by two threads at once.
final class CurlEasy: @unchecked Sendable {
    /// A request as libcurl is given it.
    struct Request {
        /// The method.
        var method: HTTPResponseCheck.Method
        /// The absolute URL.
        var url: String
        /// The headers, in order (none is added but `Content-Length`).
        var headers: [(name: String, value: String)]
        /// The body, if any (`PUT` and `POST` without one send `Content-Length: 0`).
        var body: [UInt8]?
        /// Seconds to connect.
        var connectTimeout: Double
        /// When the transfer must be over.
        var deadline: DispatchTime
    }

    /// How a transfer ended, as libcurl reports it.
    enum Ending: Sendable {
        /// The response was received whole.
        case complete
        /// A callback stopped it (the transfer says why).
        case stopped
        /// libcurl's connect or overall timeout ran out.
        case timedOut
        /// The URL is malformed or not `http`/`https`, in libcurl's words.
        case badURL(String)
        /// The connection failed or was cut, or the answer could not be read, in libcurl's words.
        case failed(String)
    }

    /// Why libcurl cannot be used, `nil` when it can: libcurl is loaded (`dlopen`) and
    /// `curl_global_init` run when the first handle is made, once per process (a `static let` is
    /// initialised once, thread-safely), so that commands on local files never load it (see
    /// Sources/CCurl/include/CCurl.h).
    private static let loadFailure: String? = mifa_curl_load().map { String(cString: $0) }

    private let handle: UnsafeMutableRawPointer
    /// libcurl's message about the last failure (`CURLOPT_ERRORBUFFER`); owned by the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// A new handle.
    /// - Throws: ``HTTPFailure``: not retryable when libcurl cannot be loaded (naming the library
    ///   and the package that installs it); retryable when it is out of memory.
    init(for check: HTTPResponseCheck) throws(HTTPFailure) {
        if let reason = Self.loadFailure {
            throw check.failure(.storeFailure, "HTTP and S3 stores need libcurl (libcurl.so.4), which could not be loaded: \(reason); install it (Debian and Ubuntu: apt-get install libcurl4; Fedora: dnf install libcurl)")
        }
        guard let handle = mifa_curl_easy_init() else {
            throw check.failure(.storeFailure, "libcurl could not make a handle (curl_easy_init failed: out of memory?)", retryable: true)
        }
        self.handle = handle
        // Safety: CURL_ERROR_SIZE bytes, zeroed, freed in deinit after the handle.
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        mifa_curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Performs `request` on the calling thread, feeding the response to `transfer`.
    /// - Returns: how the transfer ended.
    func perform(_ request: Request, transfer: HTTPTransfer) -> Ending {
        // The callbacks reach `transfer` through an unretained pointer: it must live to the end.
        defer { withExtendedLifetime(transfer) {} }
        mifa_curl_easy_reset(handle)
        errorBuffer[0] = 0
        var list: UnsafeMutablePointer<curl_slist>?
        defer { mifa_curl_slist_free_all(list) }
        let given = Set(request.headers.map { $0.name.lowercased() })
        // "Name:" removes a header libcurl would add; "Name;" sends a header with an empty value.
        let removed = ["Expect", "Accept", "Content-Type"].filter { !given.contains($0.lowercased()) }.map { "\($0):" }
        for line in request.headers.map({ $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }) + removed {
            guard let appended = mifa_curl_slist_append(list, line) else { return .failed("out of memory for the request headers") }
            list = appended
        }
        // Safety: the transfer outlives `curl_easy_perform` (see above), the only time the callbacks run.
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        let remaining = Int64(clamping: request.deadline.uptimeNanoseconds) - Int64(clamping: DispatchTime.now().uptimeNanoseconds)
        var failed = false
        func set(_ result: CURLcode) { failed = failed || result != CURLE_OK }
        set(mifa_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
        set(mifa_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(mifa_curl_set_string(handle, CURLOPT_URL, request.url))
        set(mifa_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(mifa_curl_set_string(handle, CURLOPT_PROXY, ""))
        set(mifa_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(mifa_curl_set_long(handle, CURLOPT_HTTP_CONTENT_DECODING, 0))
        set(mifa_curl_set_pointer(handle, CURLOPT_HTTPHEADER, list))
        set(mifa_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout * 1e9)))
        set(mifa_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(Double(remaining))))
        set(mifa_curl_set_write_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            // Safety: libcurl passes `size * count` readable bytes and the HEADERDATA set below.
            let line = UnsafeRawBufferPointer(start: data, count: size * count)
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.headerLine(line) ? size * count : 0
        }))
        set(mifa_curl_set_pointer(handle, CURLOPT_HEADERDATA, context))
        set(mifa_curl_set_write_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            // Safety: as the header callback, with WRITEDATA.
            let part = UnsafeRawBufferPointer(start: data, count: size * count)
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.body(part) ? size * count : 0
        }))
        set(mifa_curl_set_pointer(handle, CURLOPT_WRITEDATA, context))
        set(mifa_curl_set_long(handle, CURLOPT_NOPROGRESS, 0))
        set(mifa_curl_set_xferinfo_callback(handle, { context, _, _, _, _ in
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.clockFailure(now: .now(), deadline: transfer.deadline) == nil ? 0 : 1
        }))
        set(mifa_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context))
        switch request.method {
        case .get: set(mifa_curl_set_long(handle, CURLOPT_HTTPGET, 1))
        case .head: set(mifa_curl_set_long(handle, CURLOPT_NOBODY, 1))
        case .put, .post, .delete: set(mifa_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
        }
        guard !failed else { return .failed("libcurl refused an option: \(String(cString: errorBuffer))") }
        let body = request.body ?? (request.method == .put || request.method == .post ? [] : nil)
        guard let body else { return ending(mifa_curl_easy_perform(handle)) }
        // libcurl reads the body from this buffer while it performs; one byte stands in for an
        // empty body, whose size is 0.
        return (body.isEmpty ? [0] : body).withUnsafeBufferPointer { bytes in
            guard mifa_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) == CURLE_OK,
                  mifa_curl_set_pointer(handle, CURLOPT_POSTFIELDS, bytes.baseAddress) == CURLE_OK else {
                return .failed("libcurl refused the request body")
            }
            return ending(mifa_curl_easy_perform(handle))
        }
    }

    /// `nanoseconds` in whole milliseconds for libcurl, at least 1 (0 would mean "no limit").
    private static func milliseconds(_ nanoseconds: Double) -> Int {
        Int(Swift.min(Swift.max(nanoseconds / 1e6, 1), 1e12))
    }

    /// What `code` says about the transfer.
    private func ending(_ code: CURLcode) -> Ending {
        let message = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: mifa_curl_easy_strerror(code))
        switch code {
        case CURLE_OK: return .complete
        case CURLE_WRITE_ERROR, CURLE_ABORTED_BY_CALLBACK: return .stopped
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .badURL(message)
        default: return .failed(message)
        }
    }
}
