import MIFACore

/// A read-only store over a zip file holding a Zarr hierarchy: OME-Zarr `.ozx` files, zipped
/// `.zarr` directories and MIFA package exports.
///
/// The zip is read in place, from a local file or from an object in another store (an
/// `http(s)://` or `s3://` URL) through ranged reads: opening one costs one suffix read (two when
/// its central directory is larger than the last 64 KiB), and reading an entry usually one ranged
/// read covering its local header and data.
///
/// Entries may be stored or deflated; zip64 archives are read. Ranges of stored entries are read
/// directly from the file; deflated entries are inflated whole and their CRC-32 verified. No read
/// allocates more than ``maxEntryBytes`` (nor more than the data actually inflates to: declared
/// sizes only bound the output, they never reserve it).
/// See https://ngff.openmicroscopy.org/specifications/ for `.ozx` and the zarr-python `ZipStore`.
public final class ZipStore: ZarrStore {
    /// The zip file's path or URL.
    public let path: String
    /// The directory inside the zip that is the store root (`""` for the zip's root).
    public let prefix: String
    /// The most bytes one read may allocate: an entry's range, its compressed data, its inflated
    /// data, or the central directory. Default ``defaultMaxEntryBytes``.
    public let maxEntryBytes: Int
    private let file: any ByteSource
    private let archive: ZipArchive

    /// 1 GiB: the default of ``maxEntryBytes``.
    public static let defaultMaxEntryBytes = 1 << 30

    /// Opens the zip file at `path`; `prefix` selects a folder inside it as the store root. With
    /// `prefix` `nil`, a zip whose only top-level entry is a folder holding `zarr.json`, `.zgroup`
    /// or `.zarray` (as `zip -r image.zarr.zip image.zarr` makes) is rooted in that folder.
    /// `maxEntryBytes` bounds every read (see ``maxEntryBytes``).
    /// - Throws: ``ZarrError`` `.notFound` when the file is missing, `.storeFailure` when it is
    ///   not a readable zip file (or not a regular file), `.tooLarge` for a central directory over
    ///   `maxEntryBytes`.
    public convenience init(path: String, prefix: String? = nil, maxEntryBytes: Int = defaultMaxEntryBytes) throws {
        try self.init(file: try ReadOnlyFile(path: path), prefix: prefix, maxEntryBytes: maxEntryBytes)
    }

    /// Opens the zip file that is the value of `key` in `store` (an object on an HTTP server or in
    /// an S3 bucket), reading it in place through ranged reads; `prefix` and `maxEntryBytes` as in
    /// ``init(path:prefix:maxEntryBytes:)``.
    /// - Throws: ``ZarrError`` `.notFound` when there is no such value, `.storeFailure` when it is
    ///   not a readable zip file or the server does not honour byte ranges (for a zip larger than
    ///   64 KiB), `.tooLarge` for a central directory over `maxEntryBytes`; what the store throws.
    public convenience init(store: any ZarrStore, key: StoreKey, prefix: String? = nil, maxEntryBytes: Int = defaultMaxEntryBytes) throws {
        try self.init(file: try StoreObjectSource(store: store, key: key), prefix: prefix, maxEntryBytes: maxEntryBytes)
    }

    /// Opens the zip file at an `http(s)://` or `s3://` URL (`https://host/data/image.ozx`,
    /// `s3://bucket/packages/nuclei.zip`, a presigned `https://host/nuclei.zip?X-Amz-Signature=...`,
    /// whose query is sent with every ranged read) in place: its folder is opened as a store
    /// (``StoreURL/openRemote(_:http:writable:zipFiles:)``, requests held to `http`) and the file read from it
    /// as ``init(store:key:prefix:maxEntryBytes:)`` does.
    /// - Throws: ``ZarrError`` `.storeFailure` for a URL that is not an `http(s)://` or `s3://` URL of
    ///   a file; as ``init(store:key:prefix:maxEntryBytes:)``.
    public convenience init(url: String, prefix: String? = nil, maxEntryBytes: Int = defaultMaxEntryBytes, http: HTTPLimits = .default) throws {
        let (path, query) = StoreURL.splittingQuery(url)
        var text = path
        while text.hasSuffix("/") { text.removeLast() }
        guard let scheme = StoreURL.scheme(of: text), let slash = text.lastIndex(of: "/"),
              text.distance(from: text.startIndex, to: slash) > scheme.count + 3
        else {
            throw ZarrError(.storeFailure, "'\(path)' is not the URL of a zip file; give http(s)://host/path/file.zip or s3://bucket/path/file.zip",
                            context: ErrorContext(file: path))
        }
        let raw = String(text[text.index(after: slash)...])
        let name = scheme == "s3" ? raw : raw.removingPercentEncoding ?? raw
        guard let folder = try StoreURL.openRemote(String(text[..<slash]) + (query.map { "?\($0)" } ?? ""), http: http, zipFiles: false) else {
            throw ZarrError(.storeFailure, "'\(path)' is not a URL", context: ErrorContext(file: path))
        }
        try self.init(store: folder, key: try StoreKey(name), prefix: prefix, maxEntryBytes: maxEntryBytes)
    }

    private init(file: any ByteSource, prefix: String?, maxEntryBytes: Int) throws {
        let archive = try ZipArchive(file: file, maxBytes: maxEntryBytes)
        self.maxEntryBytes = maxEntryBytes
        self.path = file.name
        self.file = file
        self.archive = archive
        if let prefix {
            try StoreKey.validatePrefix(prefix)
            self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        } else {
            self.prefix = Self.detectRoot(archive.entries.keys)
        }
    }

    /// Whether `text` (a path or URL) names a zip file by its extension: `.zip` or `.ozx`, before
    /// the query of an `http(s)://` URL (``StoreURL/splittingQuery(_:)``: a presigned URL of a zip
    /// is a zip). The one test of "is this a zip" for every layer.
    public static func isZipLocation(_ text: String) -> Bool {
        var name = StoreURL.splittingQuery(text).path.lowercased()
        while name.hasSuffix("/") { name.removeLast() }
        return name.hasSuffix(".zip") || name.hasSuffix(".ozx")
    }

    private init(rerooting store: ZipStore, prefix: String) {
        (path, maxEntryBytes, file, archive, self.prefix) = (store.path, store.maxEntryBytes, store.file, store.archive, prefix)
    }

    /// The same open zip rooted at `prefix` instead (`""` for the zip's root), without reading
    /// the central directory again.
    /// - Throws: ``ZarrError`` `.invalidKey` for a prefix that leaves the zip.
    public func rooted(at prefix: String) throws -> ZipStore {
        try StoreKey.validatePrefix(prefix)
        return ZipStore(rerooting: self, prefix: prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/")
    }

    /// The zip path, with the inner root if any.
    public var location: String { prefix.isEmpty ? path : "\(path)/\(prefix)" }

    /// Always `false`.
    public var isWritable: Bool { false }

    /// Always `false`: a range of a stored entry is read by range (a remote zip on a server that ignores ranges is refused when opened or read).
    public var rangesIgnored: Bool { false }

    /// The entry's content or part of it; `nil` when there is no such entry.
    /// - Throws: ``ZarrError`` `.storeFailure` for encrypted or unsupported entries, damaged data;
    ///   `.checksumMismatch` for a CRC mismatch; `.tooLarge` for a read over ``maxEntryBytes``.
    public func get(_ key: StoreKey, range: ByteRange?) throws -> [UInt8]? {
        guard let entry = archive.entries[prefix + key.value] else { return nil }
        let context = ErrorContext(file: path, key: key.value)
        guard entry.flags & 1 == 0 else {
            throw ZarrError(.storeFailure, "zip entry '\(entry.name)' is encrypted", context: context)
        }
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw ZarrError(.storeFailure, "stored zip entry '\(entry.name)' has different compressed and uncompressed sizes", context: context)
            }
            let (offset, count) = ByteRange.resolve(range, size: entry.uncompressedSize)
            try checkLimit(count, entry, context)
            let bytes = try ZipArchive.read(entry, data: offset..<(offset + count), from: file)
            if range == nil { try verify(bytes, entry, context) }
            return bytes
        case 8:
            // Deflate cannot expand more than about 1032:1, so a larger declared size is a lie.
            let (limit, overflow) = entry.compressedSize.multipliedReportingOverflow(by: 1032)
            guard overflow || entry.uncompressedSize <= limit + 1024 else {
                throw ZarrError(.storeFailure, "zip entry '\(entry.name)' claims \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed bytes",
                                context: context)
            }
            try checkLimit(entry.compressedSize, entry, context)
            try checkLimit(entry.uncompressedSize, entry, context)
            let compressed = try ZipArchive.read(entry, data: 0..<entry.compressedSize, from: file)
            // The output grows with what the data really inflates to; the declared size is a bound only.
            let bytes: [UInt8]
            do {
                bytes = try compressed.withUnsafeBytes { try LibZlib.inflate($0, wrapping: .raw, limit: entry.uncompressedSize) }
            } catch let error as ZarrError {
                throw ZarrError(.storeFailure, "zip entry '\(entry.name)': \(error.message)", context: context, underlying: error)
            }
            guard bytes.count == entry.uncompressedSize else {
                throw ZarrError(.storeFailure, "zip entry '\(entry.name)' inflates to \(bytes.count) bytes, the directory says \(entry.uncompressedSize); the file is damaged",
                                context: context)
            }
            try verify(bytes, entry, context)
            guard range != nil else { return bytes }
            let (offset, count) = ByteRange.resolve(range, size: bytes.count)
            return Array(bytes[offset..<(offset + count)])
        default:
            throw ZarrError(.storeFailure, "zip entry '\(entry.name)' uses compression method \(entry.method); only stored (0) and deflated (8) are supported",
                            context: context)
        }
    }

    /// Whether the entry exists.
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func exists(_ key: StoreKey) throws -> Bool {
        archive.entries[prefix + key.value] != nil
    }

    /// Always throws: the store is read-only.
    /// - Throws: ``ZarrError`` `.readOnly`.
    public func set(_ key: StoreKey, _ bytes: [UInt8]) throws {
        throw readOnlyError(key)
    }

    /// Always throws: the store is read-only.
    /// - Throws: ``ZarrError`` `.readOnly`.
    public func delete(_ key: StoreKey) throws {
        throw readOnlyError(key)
    }

    /// Every entry under the root whose key starts with `prefix`, sorted.
    /// - Throws: ``ZarrError`` `.invalidKey` for an invalid prefix.
    public func list(prefix keyPrefix: String) throws -> [StoreKey] {
        try StoreKey.validatePrefix(keyPrefix)
        let full = prefix + keyPrefix
        return archive.entries.keys.compactMap { name -> StoreKey? in
            guard name.hasPrefix(full) else { return nil }
            return try? StoreKey(String(name.dropFirst(prefix.count)))
        }.sorted()
    }

    private func checkLimit(_ count: Int, _ entry: ZipArchive.Entry, _ context: ErrorContext) throws {
        guard count > maxEntryBytes else { return }
        throw ZarrError(.tooLarge, "zip entry '\(entry.name)' needs \(count) bytes, more than the limit of \(maxEntryBytes); raise maxEntryBytes if the file is genuine",
                        context: context)
    }

    private func verify(_ bytes: [UInt8], _ entry: ZipArchive.Entry, _ context: ErrorContext) throws {
        let crc = bytes.withUnsafeBytes { LibZlib.crc32($0) }
        guard crc == entry.crc32 else {
            throw ZarrError(.checksumMismatch, "zip entry '\(entry.name)' has CRC-32 \(crc), the directory says \(entry.crc32); the file is damaged",
                            context: context)
        }
    }

    private static func detectRoot(_ names: Dictionary<String, ZipArchive.Entry>.Keys) -> String {
        let metadataNames: Set<String> = ["zarr.json", ".zgroup", ".zarray"]
        if names.contains(where: { metadataNames.contains($0) }) { return "" }
        let tops = Set(names.map { $0.split(separator: "/", maxSplits: 1).first.map(String.init) ?? $0 })
        guard tops.count == 1, let top = tops.first,
              names.contains(where: { metadataNames.contains(String($0.dropFirst(top.count + 1))) && $0.hasPrefix(top + "/") })
        else { return "" }
        return top + "/"
    }
}
