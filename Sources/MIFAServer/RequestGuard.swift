import Hummingbird
import MIFACore

/// The first middleware of every request: read-only methods only, the token when one is set,
/// CORS headers for browser viewers (vizarr, Neuroglancer on another origin), `HEAD` answered as
/// `GET` without the body, and errors turned into JSON with the status their code means.
struct RequestGuard<Context: RequestContext>: RouterMiddleware {
    /// The token every request must carry, if any.
    let token: String?

    static var corsHeaders: HTTPFields {
        [
            .accessControlAllowOrigin: "*",
            .accessControlAllowMethods: "GET, HEAD, OPTIONS",
            .accessControlAllowHeaders: "Authorization, Range, Content-Type",
            .accessControlExposeHeaders: "Content-Range, Content-Length, Accept-Ranges, ETag",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        switch request.method {
        case .get, .head, .options:
            if request.method == .options {
                response = Response(status: .noContent)
            } else if let token, !Self.authorised(request, token: token) {
                response = Self.error(.unauthorized, code: "unauthorized", message: "this server needs a token: send 'Authorization: Bearer <token>' or add '?token=<token>' to the URL")
                response.headers[.wwwAuthenticate] = "Bearer"
            } else {
                var forwarded = request
                if request.method == .head {
                    var head = request.head
                    head.method = .get
                    forwarded = Request(head: head, body: request.body)
                }
                do {
                    response = try await next(forwarded, context)
                } catch {
                    response = Self.response(for: error)
                }
                if request.method == .head {
                    let length = response.headers[.contentLength] ?? response.body.contentLength.map(String.init)
                    response.body = ResponseBody()
                    response.headers[.contentLength] = length
                }
            }
        default:
            response = Self.error(.methodNotAllowed, code: "method-not-allowed", message: "the server is read-only: \(request.method.rawValue) is not accepted (GET, HEAD and OPTIONS are)")
            response.headers[.allow] = "GET, HEAD, OPTIONS"
        }
        for field in Self.corsHeaders { response.headers[field.name] = field.value }
        return response
    }

    /// Whether the request carries the token (header or query), compared in constant time.
    static func authorised(_ request: Request, token: String) -> Bool {
        let expected = Array(token.utf8)
        func same(_ given: Substring) -> Bool {
            let bytes = Array(given.utf8)
            guard bytes.count == expected.count else { return false }
            return zip(bytes, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "), same(header.dropFirst("Bearer ".count)) { return true }
        if let query = request.uri.queryParameters["token"], let decoded = String(query).removingPercentEncodingStrict(), same(Substring(decoded)) { return true }
        return false
    }

    /// The JSON error response for an error thrown by a route.
    static func response(for error: any Error) -> Response {
        if let error = error as? ServerError {
            let status: HTTPResponse.Status = switch error.kind {
            case .notFound: .notFound
            case .badRequest: .badRequest
            case .rangeNotSatisfiable: .rangeNotSatisfiable
            case .invalidPackage: .internalServerError
            }
            return Self.error(status, code: error.code, message: error.message)
        }
        if let error = error as? HTTPError {
            return Self.error(error.status, code: "http", message: error.body ?? error.status.reasonPhrase)
        }
        if let error = error as? any MIFAError {
            // A request for a plane, tile, channel or region the image does not have is the client's mistake.
            let isRequestError = ["invalid-request", "invalid-region", "missing-level", "label-mismatch"].contains(error.code)
            return Self.error(isRequestError ? .badRequest : .internalServerError, code: error.code, message: error.message)
        }
        return Self.error(.internalServerError, code: "failure", message: String(describing: error))
    }

    /// A JSON error document `{"error": {"code", "message"}}` with `status`.
    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        let body = Routes.jsonBytes(["error": ["code": .string(code), "message": .string(message)]])
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
