public import Hummingbird
import Logging
import MIFACore
import NIOCore

/// The read-only HTTP server of `mifa serve`: the pages, the JSON API, tiles and the packages'
/// own files (DESIGN.md, `MIFAServer`), on Hummingbird.
///
/// Only `GET`, `HEAD` and `OPTIONS` are answered (anything else is 405); with a token, requests
/// without it are 401; every response carries CORS headers so browser viewers on other origins
/// can read the files. A single package is served at `/`; the packages of a folder at
/// `/packages/<name>/`, with a list of them at `/`.
public struct PackageServer: Sendable {
    /// The packages served.
    public let catalog: PackageCatalog
    /// Where to listen and the token.
    public let configuration: ServerConfiguration
    let state = ServerState()

    /// A server of the package or folder of packages at `path`.
    /// - Throws: ``ServerError`` `.invalidPackage`, `PackageError`, as ``PackageCatalog/init(path:)``.
    public init(path: String, configuration: ServerConfiguration = ServerConfiguration()) throws {
        catalog = try PackageCatalog(path: path)
        self.configuration = configuration
    }

    /// What answers every request: the request guard (methods, token, CORS, `HEAD`, errors as
    /// JSON), around the router. The guard wraps the router rather than being a router middleware,
    /// because those run only for requests that match a route (so `HEAD`, `OPTIONS` and
    /// `POST` to a page would never reach it).
    public func responder() -> CallbackResponder<BasicRequestContext> {
        let inner = router().buildResponder()
        let guardian = RequestGuard<BasicRequestContext>(token: configuration.token)
        return CallbackResponder { request, context in
            try await guardian.handle(request, context: context) { request, context in
                try await inner.respond(to: request, context: context)
            }
        }
    }

    /// The router with every route (without the guard; see ``responder()``).
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let catalog = self.catalog
        if catalog.isSinglePackage, let only = catalog.packages.values.first {
            Routes.register(on: router.group(""), state: state) { _, _ in (only, "") }
        } else {
            router.get("/") { request, _ in Routes.html(Pages.catalog(catalog, token: Routes.token(request))) }
        }
        Routes.register(on: router.group("packages/:package"), state: state) { _, context in
            guard let name = context.parameters.get("package"), let view = catalog.packages[name] else {
                throw ServerError(.notFound, "no package '\(context.parameters.get("package") ?? "")' is served; the packages are \(catalog.names.joined(separator: ", "))")
            }
            return (view, "/packages/\(name)")
        }
        return router
    }

    /// Runs the server until the process is interrupted (SIGINT, SIGTERM); `started` is called
    /// with the address once it listens (the port chosen when the configuration's is 0).
    /// - Throws: what Hummingbird throws when it cannot bind.
    public func run(started: @escaping @Sendable (_ host: String, _ port: Int) -> Void) async throws {
        var logger = Logger(label: "mifa-serve")
        logger.logLevel = .warning
        let app = Application(
            responder: responder(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "mifa-serve"),
            onServerRunning: { [configuration] channel in started(configuration.host, channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        try await app.runService()
    }
}
