/// Bounds an ``HTTPStore`` holds every request to, so that a hostile, broken or overloaded server
/// can neither exhaust memory nor hang a read.
///
/// - A body is never buffered beyond ``maxBodyBytes``; a ranged read accepts at most the range.
///   A `Content-Length` above what may be accepted is refused before any byte is read.
/// - Bodies are asked for with `Accept-Encoding: identity`; a `Content-Encoding` other than
///   `identity` is refused, so nothing is inflated on the fly.
/// - ``connectTimeout`` bounds the connection and the wait for the response headers, ``idleTimeout``
///   bounds a silence on the connection and, together with ``minimumBytesPerSecond``, a trickling
///   body (as curl's low-speed limit does), and ``deadline`` bounds one read including its retries.
///   Values above a billion seconds count as a billion.
/// - `5xx`, `429` and connection failures are retried at most ``maxRetries`` times, waiting
///   ``retryDelay`` seconds and twice as long on each further try.
/// - Redirects are followed only to the same scheme, host and port, at most ``maxRedirects`` times.
///
/// The rules for one response are ``HTTPStore``'s; the command line sets these limits with
/// `--http-timeout` and `--http-max-body` on every command that reads a URL.
public struct HTTPLimits: Sendable, Hashable {
    /// Most bytes of one response body. Default 1 GiB. A reader with several reads in flight
    /// (the loader's read-ahead, a region read over several chunks) may hold that much per read.
    public var maxBodyBytes: Int
    /// Seconds to connect, and from sending a request to receiving its response headers. Default 30.
    public var connectTimeout: Double
    /// Seconds the connection may stay silent, and over which a body must arrive at
    /// ``minimumBytesPerSecond`` or faster. Default 30.
    public var idleTimeout: Double
    /// Slowest transfer accepted, averaged over ``idleTimeout``. Default 1024 bytes per second.
    public var minimumBytesPerSecond: Int
    /// Seconds one read may take in all, retries included. Default 600.
    public var deadline: Double
    /// Further attempts after a `5xx`, a `429` or a connection failure. Default 3.
    public var maxRetries: Int
    /// Seconds before the first retry; each further retry waits twice as long. Default 0.5.
    public var retryDelay: Double
    /// Most same-host redirects followed for one request. Default 5.
    public var maxRedirects: Int

    /// Limits with the given values; the defaults suit a real server on a slow link.
    public init(maxBodyBytes: Int = 1 << 30, connectTimeout: Double = 30, idleTimeout: Double = 30,
                minimumBytesPerSecond: Int = 1024, deadline: Double = 600, maxRetries: Int = 3,
                retryDelay: Double = 0.5, maxRedirects: Int = 5) {
        self.maxBodyBytes = maxBodyBytes
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.minimumBytesPerSecond = minimumBytesPerSecond
        self.deadline = deadline
        self.maxRetries = maxRetries
        self.retryDelay = retryDelay
        self.maxRedirects = maxRedirects
    }

    /// 1 GiB per body, 30 s for headers and for each slow stretch, 600 s per read, 3 retries, 5 redirects.
    public static let `default` = HTTPLimits()

    /// The same limits with one timeout for the headers and for a stalled body, and a deadline
    /// ten times as long: what a command-line `--http-timeout` sets.
    public func withTimeout(_ seconds: Double) -> HTTPLimits {
        var limits = self
        limits.connectTimeout = seconds
        limits.idleTimeout = seconds
        limits.deadline = seconds * 10
        return limits
    }
}
