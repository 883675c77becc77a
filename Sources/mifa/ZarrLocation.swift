import Foundation
import MIFACore
import Zarr

/// Where a Zarr node is, as users write it on the command line: a directory, a zip file
/// (`image.ozx`, `data.zip/inner/array`), an `http(s)://` URL or an `s3://bucket/prefix` URL.
struct ZarrLocation {
    /// The store holding the node.
    let store: any ZarrStore
    /// The node's path inside the store.
    let path: String

    /// Resolves `text` for reading; a URL is read within `http`. A zip file, local or at a URL,
    /// may be followed by a path inside it (`data.zip/inner/array`, `https://host/data.zip/inner/array`);
    /// the query of such a URL (a presigned zip's signature: `https://host/data.zip/inner?X-Amz-...`)
    /// belongs to the zip and goes with every read of it.
    /// - Throws: ``ZarrError`` `.notFound` when nothing is there; store errors.
    static func forReading(_ text: String, http: HTTPLimits = .default) throws -> ZarrLocation {
        let remote = StoreURL.isRemote(text)
        // A zip file, possibly followed by a path inside it; a URL keeps its scheme and host, and
        // its query is the zip's (split off first: it may hold a '/').
        let (path, query) = StoreURL.splittingQuery(text)
        var components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var inner: [String] = []
        while components.count > (remote ? 3 : 0) {
            let candidate = components.joined(separator: "/")
            if !candidate.isEmpty, ZipStore.isZipLocation(candidate), remote || isRegularFile(candidate) {
                var store = remote ? try ZipStore(url: candidate + (query.map { "?" + $0 } ?? ""), http: http) : try ZipStore(path: candidate)
                let path = inner.reversed().filter { !$0.isEmpty }.joined(separator: "/")
                // A path inside a zip that is rooted in its one top folder may name that folder
                // (`data.zip/data.zarr/a`, as the zip lists it): read it as written.
                if !store.prefix.isEmpty, path == String(store.prefix.dropLast()) || path.hasPrefix(store.prefix) {
                    store = try store.rooted(at: "")
                }
                return ZarrLocation(store: store, path: path)
            }
            inner.append(components.removeLast())
        }
        if let store = try StoreURL.openRemote(text, http: http) {
            return ZarrLocation(store: store, path: "")
        }
        return ZarrLocation(store: try DirectoryStore(root: text, readOnly: true), path: "")
    }

    /// A directory for a new node (created when missing), or an `s3://bucket/prefix` URL.
    /// - Throws: ``ZarrError`` when the directory cannot be created, for an `http(s)://` URL or
    ///   another scheme.
    static func forWriting(_ text: String) throws -> ZarrLocation {
        if let store = try StoreURL.openRemote(text, writable: true) {
            return ZarrLocation(store: store, path: "")
        }
        return ZarrLocation(store: try DirectoryStore(root: text, create: true), path: "")
    }

    private static func isRegularFile(_ path: String) -> Bool {
        guard let kind = FileSystem.resolvedKind(of: path) else { return false }
        return kind != .directory
    }
}
