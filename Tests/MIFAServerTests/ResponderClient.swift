import Hummingbird
import Logging
import MIFACore
import NIOCore
import NIOEmbedded

/// An in-process client of the server's responder: each request goes straight to
/// `respond(to:context:)` and the response body is collected; no socket, no server, no HTTP client.
/// This is what HummingbirdTesting's `.router` mode does, without the HTTP client that
/// HummingbirdTesting brings into the build (AsyncHTTPClient and its TLS and HTTP/2 stacks).
struct ResponderClient: Sendable {
    /// A response as the tests read it.
    struct TestResponse: Sendable {
        /// The status.
        var status: HTTPResponse.Status
        /// The header fields.
        var headers: HTTPFields
        /// The whole body.
        var body: ByteBuffer
    }

    /// Collects a response body as the responder writes it.
    private struct BodyCollector: ResponseBodyWriter {
        let collected: LockedState<ByteBuffer>

        mutating func write(_ buffer: ByteBuffer) async throws {
            collected.withLock { body in
                var part = buffer
                body.writeBuffer(&part)
            }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    private let responder: CallbackResponder<BasicRequestContext>
    private let logger: Logger

    /// A client of `responder`.
    init(_ responder: CallbackResponder<BasicRequestContext>) {
        self.responder = responder
        var logger = Logger(label: "mifa-server-tests")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// Runs `body` with a client of `responder`.
    static func run(_ responder: CallbackResponder<BasicRequestContext>, _ body: (ResponderClient) async throws -> Void) async throws {
        try await body(ResponderClient(responder))
    }

    /// Sends one request and hands its response to `test`. An error thrown past the responder is
    /// a `500`, as in HummingbirdTesting's `.router` mode.
    /// - Returns: what `test` returns.
    @discardableResult
    func execute<Value>(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                        _ test: (TestResponse) async throws -> Value) async throws -> Value {
        var headers = headers
        if let body { headers[.contentLength] = String(body.readableBytes) }
        let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: uri, headerFields: headers),
                              body: RequestBody(buffer: body ?? ByteBuffer()))
        let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: NIOAsyncTestingChannel(), logger: logger))
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch {
            response = Response(status: .internalServerError)
        }
        let collected = LockedState(ByteBuffer())
        try await response.body.write(BodyCollector(collected: collected))
        return try await test(TestResponse(status: response.status, headers: response.headers, body: collected.withLock { $0 }))
    }
}
