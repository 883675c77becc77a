import DatasetPackage
import MIFACore
import Zarr

extension PackageView {
    /// The package-relative path a `/files/` request names, checked: percent-decoded once, with
    /// no encoded `/` or `\` (which would let one component pass as two), a relative path inside
    /// the package (`PackageLayout.checkRelativePath`: no `..`, `.`, empty or absolute parts), one
    /// of the files of the current version (content, manifest, version records), and no symbolic
    /// link anywhere on the way (the file's real path is the package's real path plus the name).
    /// - Parameter raw: the request path after `/files/`, still percent-encoded.
    /// - Returns: the path relative to the package.
    /// - Throws: ``ServerError`` `.badRequest` for encoded slashes, bad escapes and paths that
    ///   leave the package; `.notFound` for files the version does not list and links;
    ///   `.invalidPackage` for a version record when the package's versions could not be listed.
    func servedPath(raw: Substring) throws -> String {
        let lowered = raw.lowercased()
        guard !lowered.contains("%2f"), !lowered.contains("%5c"), !lowered.contains("%00") else {
            throw ServerError(.badRequest, "the path '\(raw)' encodes a slash, backslash or NUL; name files by their plain path", context: ErrorContext(file: String(raw)))
        }
        guard let path = String(raw).removingPercentEncodingStrict() else {
            throw ServerError(.badRequest, "the path '\(raw)' has a malformed percent escape", context: ErrorContext(file: String(raw)))
        }
        do {
            try PackageLayout.checkRelativePath(path)
        } catch {
            throw ServerError(.badRequest, "'\(path)' is not a path inside the package", context: ErrorContext(file: path), underlying: error)
        }
        let isRecord = path.hasPrefix(PackageLayout.versions + "/") && path.hasSuffix(".json") && path.split(separator: "/").count == 2
        guard try servable.contains(path) || (isRecord && versionRecords.get().contains(path)) else {
            throw ServerError(.notFound, "the package's current version has no file '\(path)'", context: ErrorContext(file: path))
        }
        // A folder's file must be itself, not a link (a zip or a URL has no links).
        if snapshot.package.reader.folder != nil {
            guard let real = FileSystem.canonicalPath(snapshot.package.path(path)), let base = FileSystem.canonicalPath(root),
                  real == base + "/" + path
            else {
                throw ServerError(.notFound, "'\(path)' is missing or reached through a symbolic link; links are not served", context: ErrorContext(file: path))
            }
        }
        return path
    }

    /// The size of a served file: a folder's file as it is; in a package read in place, the size
    /// the version's file list records for a content file, else (manifest, version records) the
    /// size of the file read whole.
    /// - Throws: ``ServerError`` `.notFound` when it is not a regular file.
    func size(ofServed path: String) throws -> Int {
        guard snapshot.package.reader.folder != nil else {
            if let entry = snapshot.fileList.files[path] { return entry.bytes }
            return try snapshot.package.reader.read(path, limit: 64 << 20).count
        }
        guard FileSystem.kind(of: snapshot.package.path(path)) == .file else {
            throw ServerError(.notFound, "'\(path)' is not a regular file", context: ErrorContext(file: path))
        }
        return try PackageFileSystem.size(of: snapshot.package.path(path))
    }

    /// `count` bytes at `offset` of a served file, read through the package's store (a folder's
    /// directory store refuses anything resolving outside the package).
    /// - Throws: ``ServerError`` `.notFound` when it vanished; `ZarrError` when it cannot be read.
    func read(served path: String, offset: Int, count: Int) throws -> [UInt8] {
        let store = try snapshot.package.reader.store()
        guard let bytes = try store.get(StoreKey(path), range: .range(offset: offset, length: count)) else {
            throw ServerError(.notFound, "'\(path)' vanished", context: ErrorContext(file: path))
        }
        return bytes
    }
}

extension String {
    /// The string with `%XX` escapes decoded as UTF-8; `nil` for a malformed escape or invalid UTF-8.
    func removingPercentEncodingStrict() -> String? {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
