import MIFACore

/// One file of a package version: its digest and size.
public struct ManifestEntry: Codable, Sendable, Hashable {
    /// SHA-256 of the file's bytes.
    public var sha256: SHA256Digest
    /// The file's size in bytes.
    public var bytes: Int

    /// An entry with a digest and a size.
    public init(sha256: SHA256Digest, bytes: Int) {
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// The files of one package version: package-relative path -> digest and size.
///
/// The file list's canonical JSON (keys sorted, see `CanonicalJSON`) is what a version record's
/// `manifest_sha256` names, and it is stored under that digest in the object store so that every
/// earlier version's file list can be read back.
public struct FileList: Codable, Sendable, Hashable {
    /// Every content file, by package-relative path.
    public var files: [String: ManifestEntry]

    /// A file list.
    public init(files: [String: ManifestEntry] = [:]) {
        self.files = files
    }

    /// The paths in byte order.
    public var paths: [String] { files.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }

    /// The total size of all files.
    public var totalBytes: Int { files.values.reduce(0) { $0 + $1.bytes } }

    /// The canonical JSON bytes.
    /// - Throws: `EncodingError` (not expected).
    public func canonicalJSON() throws -> [UInt8] { try CanonicalJSON.encode(self) }

    /// The digest of the canonical JSON bytes.
    /// - Throws: `EncodingError` (not expected).
    public func digest() throws -> SHA256Digest { SHA256Digest(of: try canonicalJSON()) }

    /// Reads a file list from its JSON bytes.
    /// - Throws: ``PackageError`` `.malformed` naming `file`, `.invalidPath` for a path that is not
    ///   package content or leaves the package (see ``checkPaths(file:)``).
    public static func decode(_ bytes: [UInt8], file: String) throws -> FileList {
        let list = try PackageJSON.decode(FileList.self, from: bytes, file: file)
        try list.checkPaths(file: file)
        return list
    }

    /// Checks that every path is package content that stays inside the package: a file list read
    /// from a package is someone else's input, and each path becomes a file that checkout, export
    /// and versions read and write.
    /// - Throws: ``PackageError`` `.invalidPath` naming the first bad path and the file holding it.
    public func checkPaths(file: String) throws {
        for path in paths {
            try PackageLayout.checkContentPath(path, listedIn: file)
        }
    }
}

/// `manifest.json`: the current version of a package, written last by every change.
public struct Manifest: Codable, Sendable, Hashable {
    /// Always `mifa-manifest`.
    public var format: String
    /// The current version's id.
    public var version: String
    /// The digest of the current version's record file `versions/<version>.json`.
    public var versionRecordSHA256: SHA256Digest
    /// The current version's files.
    public var files: [String: ManifestEntry]

    /// A manifest for a version, its record's digest and its files.
    public init(version: String, versionRecordSHA256: SHA256Digest, fileList: FileList) {
        self.format = "mifa-manifest"
        self.version = version
        self.versionRecordSHA256 = versionRecordSHA256
        self.files = fileList.files
    }

    /// The file list part.
    public var fileList: FileList { FileList(files: files) }

    enum CodingKeys: String, CodingKey {
        case format, version, files
        case versionRecordSHA256 = "version_record_sha256"
    }

    /// Reads `manifest.json` from its bytes.
    /// - Throws: ``PackageError`` `.malformed` naming `file`.
    public static func decode(_ bytes: [UInt8], file: String) throws -> Manifest {
        let manifest = try PackageJSON.decode(Manifest.self, from: bytes, file: file)
        guard manifest.format == "mifa-manifest" else {
            throw PackageError(.malformed, "'format' is '\(manifest.format)', expected 'mifa-manifest'", context: ErrorContext(file: file, pointer: "/format"))
        }
        try manifest.fileList.checkPaths(file: file)
        return manifest
    }
}

/// Reading the package's own JSON documents strictly, with errors that name the file and place.
enum PackageJSON {
    /// Decodes a package document.
    /// - Throws: ``PackageError`` `.malformed` with the file and, where known, the JSON pointer.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws -> T {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, file: file)
        } catch let error as CoreError {
            throw PackageError(.malformed, error.message, context: error.context)
        }
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw PackageError(.malformed, "\(reason); the file is not a valid \(T.self) document", context: ErrorContext(file: file, pointer: path))
        }
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        func pointer(_ path: [any CodingKey]) -> String {
            path.map { "/" + ($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
        }
        switch error {
        case .typeMismatch(let type, let context): return (pointer(context.codingPath), "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context): return (pointer(context.codingPath), "expected a \(type), found null")
        case .keyNotFound(let key, let context): return (pointer(context.codingPath + [key]), "the member '\(key.stringValue)' is missing")
        case .dataCorrupted(let context): return (pointer(context.codingPath), context.debugDescription)
        @unknown default: return ("", "\(error)")
        }
    }
}
