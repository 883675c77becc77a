import ArgumentParser
import Dispatch
import Foundation
import MIFACore
import MIFAServer

/// `mifa serve <package|folder> [--port N] [--host 127.0.0.1] [--token T]`: a read-only web view
/// and API of one package or a folder of packages.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a package (or a folder of packages) read-only over HTTP: pages, tiles, API, files.",
        discussion: """
            Pages: / overview, /images/ gallery, /images/<id> viewer. API: /api/images, /api/sets, \
            /api/metadata, /api/audit, /api/versions, /api/images/<id>/region, /api/images/<id>/annotations, \
            /api/tiles/<id>/<level>/<row>/<column>.png, described by /api/openapi.json. /files/<path> serves \
            the package's own files with HTTP Range and CORS, so zarr-python, ome-zarr-py and browser \
            viewers open it remotely. Only GET, HEAD and OPTIONS are answered; the server binds to \
            loopback unless --host says otherwise. Stops on Ctrl-C. Exit 1 when the path is not a package.
            """)

    @Argument(help: "A package folder, its .zip export, an http(s):// or s3:// URL of one (read in place), or a folder holding packages (served under /packages/<name>/).")
    var path: String

    @Option(name: .long, help: "The TCP port (0: a free one, printed at start).")
    var port: Int = 8000

    @Option(name: .long, help: "The address to bind; 127.0.0.1 (loopback) unless you mean to share it.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Require this token: 'Authorization: Bearer <token>' or '?token=<token>'.")
    var token: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, not \(port)") }
        if let token, token.isEmpty || token.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            throw ValidationError("--token must be printable ASCII without spaces")
        }
    }

    func run() throws {
        let server = try PackageServer(path: path, configuration: ServerConfiguration(host: host, port: port, token: token))
        let names = server.catalog.names
        let failure = LockedState<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run { host, port in
                    let what = server.catalog.isSinglePackage ? "package \(names[0])" : "\(names.count) packages"
                    // Written unbuffered: whoever started the server waits for this line.
                    FileHandle.standardOutput.write(Data("mifa serve: \(what) at http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
                }
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) {
            throw InvalidInput(message: "cannot serve on \(host):\(port): \(error)")
        }
    }
}
