import MIFACore

/// How a store is named by a string, on the command line and in the APIs that take one: a local
/// path, or a URL whose scheme says which store reads it (`http://` and `https://`: ``HTTPStore``,
/// `s3://bucket/prefix`: ``S3Store``). A URL with any other scheme is refused, never taken for a
/// file name (DESIGN.md, "The command-line surface").
public enum StoreURL {
    /// The schemes a store opens.
    public static let schemes: Set<String> = ["http", "https", "s3"]

    /// The scheme of `text` when it is written as a URL (`name://...`), lower-cased; `nil` for a path.
    public static func scheme(of text: String) -> String? {
        guard let separator = text.range(of: "://") else { return nil }
        let name = text[..<separator.lowerBound]
        func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        // RFC 3986 §3.1: a letter, then letters, digits, '+', '-' and '.'.
        guard let first = name.utf8.first, isLetter(first),
              name.utf8.allSatisfy({ isLetter($0) || (0x30...0x39).contains($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { return nil }
        return name.lowercased()
    }

    /// Whether `text` is a URL (of any scheme) rather than a local path.
    public static func isRemote(_ text: String) -> Bool { scheme(of: text) != nil }

    /// Whether `byte` is one RFC 3986 leaves unescaped everywhere (`A-Z a-z 0-9 - . _ ~`).
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }

    /// An `http(s)://` URL split into its path and its query (`https://host/pkg.zip?X-Amz-Signature=...`,
    /// a presigned URL: the query is sent with every request of the object, and is no part of its
    /// name). Anything else (a local path, an `s3://` URL, whose keys may hold `?`) has no query.
    public static func splittingQuery(_ text: String) -> (path: String, query: String?) {
        guard let scheme = scheme(of: text), scheme == "http" || scheme == "https", let mark = text.firstIndex(of: "?") else { return (text, nil) }
        return (String(text[..<mark]), String(text[text.index(after: mark)...]))
    }

    /// The store a URL names, or `nil` when `text` is a local path. A URL of a `.zip` or `.ozx` file
    /// (``ZipStore/isZipLocation(_:)``), opened for reading, is that zip read in place (``ZipStore``).
    /// - Parameters:
    ///   - text: the path or URL.
    ///   - http: the bounds on every request.
    ///   - writable: open for writing (only `s3://` can be written; `http(s)://` is refused).
    ///   - zipFiles: open a URL of a zip file as the zip (`false`: as a prefix, like any other URL).
    /// - Throws: ``ZarrError`` `.storeFailure` for an unsupported scheme, an `http(s)://` URL to
    ///   write, or a malformed URL; what the store's initializer throws (for a zip file, what
    ///   opening it throws: ``ZipStore/init(url:prefix:maxEntryBytes:http:)``).
    public static func openRemote(_ text: String, http: HTTPLimits = .default, writable: Bool = false, zipFiles: Bool = true) throws -> (any ZarrStore)? {
        guard let scheme = scheme(of: text) else { return nil }
        if zipFiles, !writable, schemes.contains(scheme), ZipStore.isZipLocation(text) { return try ZipStore(url: text, http: http) }
        switch scheme {
        case "http", "https":
            guard !writable else {
                throw ZarrError(.storeFailure, "'\(text)' is an HTTP URL, which cannot be written; write to a local path or an s3:// URL",
                                context: ErrorContext(file: text))
            }
            return try HTTPStore(url: text, limits: http)
        case "s3":
            return try S3Store(url: text, limits: http, readOnly: !writable)
        default:
            throw ZarrError(.storeFailure, "'\(text)' has the URL scheme '\(scheme)://', which is not supported; give a local path, a .zip, an http(s):// or an s3:// URL",
                            context: ErrorContext(file: text))
        }
    }
}
