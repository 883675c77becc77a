import DatasetPackage
import Foundation
import Hummingbird
import HummingbirdCore
import MIFACore
import OMEZarr
import RasterIO
import Rendering

/// The routes of one package: pages, API and files, registered under a prefix (`""` for a single
/// package, `/packages/<name>` in a folder of packages).
enum Routes {
    /// Finds the package a request is about and the path prefix its routes have (`""` for a
    /// single package, `/packages/<name>` in a folder), for links and for cutting `/files/` paths
    /// out of the raw request path.
    typealias Resolve<Context: RequestContext> = @Sendable (Request, Context) throws -> (view: PackageView, prefix: String)

    /// Registers every route of a package on `group`.
    static func register<Context: RequestContext>(on group: RouterGroup<Context>, state: ServerState, resolve: @escaping Resolve<Context>) {
        group.get("/") { request, context in
            let (view, prefix) = try resolve(request, context)
            return try html(Pages.overview(view, prefix: prefix, token: token(request)))
        }
        group.get("images/") { request, context in
            let (view, prefix) = try resolve(request, context)
            return html(Pages.gallery(view, prefix: prefix, token: token(request)))
        }
        group.get("images/:id") { request, context in
            let (view, prefix) = try resolve(request, context)
            return try html(Pages.viewer(view, image: try parameter(context, "id"), prefix: prefix, token: token(request)))
        }
        group.get("versions/:from/:to") { request, context in
            let (view, prefix) = try resolve(request, context)
            return try html(Pages.versionChanges(view, from: parameter(context, "from"), to: parameter(context, "to"), prefix: prefix, token: token(request)))
        }
        group.get("versions/:from/:to/images/:id") { request, context in
            let (view, prefix) = try resolve(request, context)
            let versions = (from: try parameter(context, "from"), to: try parameter(context, "to"))
            try view.checkVersions(versions.from, versions.to)
            return try html(Pages.viewer(view, image: try parameter(context, "id"), prefix: prefix, token: token(request), changes: versions))
        }
        group.get("api/versions/:from/:to/images/:id/changes") { request, context in
            let view = try resolve(request, context).view
            let collection = try view.changedObjectsGeoJSON(from: parameter(context, "from"), to: parameter(context, "to"), on: parameter(context, "id"))
            return bytes(jsonBytes(collection), type: "application/geo+json")
        }
        group.get("api/versions/:from/:to/images/:id/label-changes") { request, context in
            let view = try resolve(request, context).view
            return json(try API.labelChanges(view, from: parameter(context, "from"), to: parameter(context, "to"), on: parameter(context, "id")))
        }
        group.get("api/versions/:from/:to/images/:id/label-changes/at") { request, context in
            let view = try resolve(request, context).view
            return json(try API.labelChangesAt(view, from: parameter(context, "from"), to: parameter(context, "to"), on: parameter(context, "id"),
                                               query: request.uri.queryParameters))
        }
        group.get("api/versions/:from/:to/tiles/:id/:level/:row/:tile") { request, context in
            let view = try resolve(request, context).view
            let (level, row, column) = try tileAddress(context)
            let query = request.uri.queryParameters
            let options = try renderOptions(query, defaultLayers: false)
            let kinds = try query["changes"].map { text in
                try text.split(separator: ",").map { kind -> String in
                    guard PackageView.changeColors[String(kind)] != nil else {
                        throw ServerError(.badRequest, "'changes' is a comma-separated list of added, removed and changed, not '\(text)'")
                    }
                    return String(kind)
                }
            } ?? ["added", "removed", "changed"]
            let picture = try view.labelChangesTile(from: parameter(context, "from"), to: parameter(context, "to"), on: parameter(context, "id"),
                                                    level: level, row: row, column: column, t: options.t, z: options.z, kinds: Set(kinds))
            var response = bytes(try picture.png(compressionLevel: 1), type: "image/png")
            response.headers[.cacheControl] = "max-age=3600"
            return response
        }
        group.get("api/versions/:from/:to/diff") { request, context in
            let view = try resolve(request, context).view
            return bytes(try CanonicalJSON.encode(API.diff(view, from: parameter(context, "from"), to: parameter(context, "to"))), type: "application/json")
        }
        group.get("api/images") { request, context in try json(API.images(resolve(request, context).view)) }
        group.get("api/sets") { request, context in try json(API.sets(resolve(request, context).view)) }
        group.get("api/versions") { request, context in try json(API.versions(resolve(request, context).view)) }
        group.get("api/metadata") { request, context in
            let view = try resolve(request, context).view
            return bytes(try view.snapshot.package.reader.read(PackageLayout.metadata, limit: 64 << 20), type: "application/json")
        }
        group.get("api/audit") { request, context in bytes(try state.audit(resolve(request, context).view), type: "application/json") }
        group.get("api/images/:id/region") { request, context in
            try API.region(resolve(request, context).view, image: parameter(context, "id"), query: request.uri.queryParameters)
        }
        group.get("api/images/:id/annotations") { request, context in
            let view = try resolve(request, context).view
            let id = try parameter(context, "id")
            _ = try view.image(id)
            guard let set = request.uri.queryParameters["set"].map(String.init) else {
                throw ServerError(.badRequest, "name the set: ?set=<set id> (one of \(view.vectorSets.joined(separator: ", ")))")
            }
            return bytes(try view.geoJSON(set, on: id), type: "application/geo+json")
        }
        group.get("api/images/:id/thumbnail.png") { request, context in
            let view = try resolve(request, context).view
            let options = try renderOptions(request.uri.queryParameters, defaultLayers: true)
            return bytes(try view.renderer(parameter(context, "id")).thumbnail(maxSide: 256, options: options).png(compressionLevel: 3), type: "image/png")
        }
        group.get("api/tiles/:id/:level/:row/:tile") { request, context in
            let view = try resolve(request, context).view
            let (level, row, column) = try tileAddress(context)
            let options = try renderOptions(request.uri.queryParameters, defaultLayers: false)
            let picture = try view.renderer(parameter(context, "id")).tile(level: level, row: row, column: column, options: options)
            var response = bytes(try picture.png(compressionLevel: 1), type: "image/png")
            response.headers[.cacheControl] = "max-age=3600"
            return response
        }
        group.get("api/openapi.json") { _, _ in bytes(try Resources.bytes("openapi.json"), type: "application/json") }
        group.get("static/:name") { _, context in
            let name = try parameter(context, "name")
            let type = name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : name.hasSuffix(".css") ? "text/css; charset=utf-8" : "application/octet-stream"
            return bytes(try Resources.bytes(name), type: type)
        }
        group.get("files/**") { request, context in
            let (view, prefix) = try resolve(request, context)
            let raw = request.uri.path.dropFirst(prefix.count + "/files/".count)
            return try file(view, raw: Substring(raw), range: request.headers[.range])
        }
    }

    /// A file of the package, whole or the byte range asked for.
    static func file(_ view: PackageView, raw: Substring, range: String?) throws -> Response {
        let path = try view.servedPath(raw: raw)
        let size = try view.size(ofServed: path)
        let type = path.hasSuffix(".json") ? "application/json" : path.hasSuffix(".geojson") ? "application/geo+json" : "application/octet-stream"
        switch ByteRangeRequest(header: range, size: size) {
        case .whole:
            var response = bytes(try view.read(served: path, offset: 0, count: size), type: type)
            response.headers[.acceptRanges] = "bytes"
            return response
        case .satisfiable(let offset, let count):
            var response = bytes(try view.read(served: path, offset: offset, count: count), type: type)
            response.status = .partialContent
            response.headers[.acceptRanges] = "bytes"
            response.headers[.contentRange] = "bytes \(offset)-\(offset + count - 1)/\(size)"
            return response
        case .unsatisfiable:
            var response = RequestGuard<BasicRequestContext>.error(.rangeNotSatisfiable, code: "range-not-satisfiable", message: "the range '\(range ?? "")' lies outside the \(size)-byte file '\(path)'")
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        }
    }

    /// The level, row and column of a tile route (`.../<level>/<row>/<column>.png`).
    /// - Throws: ``ServerError`` `.badRequest` when one is not an integer or the name does not end in `.png`.
    static func tileAddress<Context: RequestContext>(_ context: Context) throws -> (level: Int, row: Int, column: Int) {
        let tile = try parameter(context, "tile")
        guard tile.hasSuffix(".png"), let column = Int(tile.dropLast(4)), let level = Int(try parameter(context, "level")),
              let row = Int(try parameter(context, "row")) else {
            throw ServerError(.badRequest, "a tile is .../<level>/<row>/<column>.png with integer level, row and column")
        }
        return (level, row, column)
    }

    /// The options of a picture request: `channels=0,2`, `t`, `z`, `labels=set1,...`, `sets=set2,...`,
    /// `image=0` (overlay only). Without `labels`/`sets`, tiles draw none and thumbnails all.
    static func renderOptions(_ query: FlatDictionary<Substring, Substring>, defaultLayers: Bool) throws -> RenderOptions {
        func list(_ name: String) -> [String]? {
            query[Substring(name)].map { $0.split(separator: ",").map(String.init) }
        }
        let channels = try list("channels")?.map { text -> Int in
            guard let value = Int(text) else { throw ServerError(.badRequest, "'channels' is a comma-separated list of channel indices, not '\(text)'") }
            return value
        }
        return RenderOptions(t: try query.integer("t"), z: try query.integer("z"), channels: channels, showImage: query["image"] != "0",
                             labels: list("labels") ?? (defaultLayers ? nil : []), vectors: list("sets") ?? (defaultLayers ? nil : []))
    }

    /// The token the request carries in its query, for the links of a page.
    static func token(_ request: Request) -> String? {
        request.uri.queryParameters["token"].flatMap { String($0).removingPercentEncodingStrict() }
    }

    /// A route parameter.
    static func parameter<Context: RequestContext>(_ context: Context, _ name: String) throws -> String {
        guard let value = context.parameters.get(name) else { throw ServerError(.badRequest, "the path has no '\(name)'") }
        return value
    }

    /// A 200 response with `bytes` of a content type.
    static func bytes(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON response.
    static func json(_ value: JSONValue) -> Response { bytes(jsonBytes(value), type: "application/json") }

    /// A JSON document as canonical JSON bytes.
    static func jsonBytes(_ value: JSONValue) -> [UInt8] { (try? CanonicalJSON.encode(value)) ?? Array("null\n".utf8) }

    /// An HTML page.
    static func html(_ text: String) -> Response { bytes(Array(text.utf8), type: "text/html; charset=utf-8") }
}

/// The files shipped with the server (`Sources/MIFAServer/Resources`): the OpenAPI document, the viewer's script and the style sheet.
enum Resources {
    /// The bytes of resource `name`.
    /// - Throws: ``ServerError`` `.notFound` for a name that is not a resource.
    static func bytes(_ name: String) throws -> [UInt8] {
        guard SafeName.isSafe(name), let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources"),
              let data = try? Data(contentsOf: url) else {
            throw ServerError(.notFound, "no resource '\(name)'")
        }
        return [UInt8](data)
    }
}

/// What the server computes once and keeps: each package's audit report.
final class ServerState: Sendable {
    private let audits = LockedState([String: [UInt8]]())

    /// The audit report of `view` as JSON, computed on first use.
    /// - Throws: `PackageError` when the package cannot be audited.
    func audit(_ view: PackageView) throws -> [UInt8] {
        if let cached = audits.withLock({ $0[view.root] }) { return cached }
        let report = try CanonicalJSON.encode(PackageAuditor().audit(view.root))
        audits.withLock { $0[view.root] = report }
        return report
    }
}
