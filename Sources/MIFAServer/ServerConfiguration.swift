/// Where `mifa serve` listens and whom it answers.
public struct ServerConfiguration: Sendable, Hashable {
    /// The address to bind: loopback (`127.0.0.1`) unless told otherwise.
    public var host: String
    /// The TCP port; 0 picks a free one (printed when the server starts).
    public var port: Int
    /// When set, every request must carry it: `Authorization: Bearer <token>` or `?token=<token>`.
    public var token: String?

    /// A configuration; by default loopback, port 8000, no token.
    public init(host: String = "127.0.0.1", port: Int = 8000, token: String? = nil) {
        self.host = host
        self.port = port
        self.token = token
    }
}
