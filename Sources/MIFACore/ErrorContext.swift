/// Where a problem was found: the file and the place inside it.
///
/// Every field is optional; an error fills in what it knows. The description reads like a compiler
/// location, `file:line:column`, followed by the JSON pointer, key, byte offset or shape that applies.
public struct ErrorContext: Sendable, Hashable, CustomStringConvertible {
    /// The file (or store path) the problem is in.
    public var file: String?
    /// 1-based line in a text file.
    public var line: Int?
    /// 1-based column in a text file.
    public var column: Int?
    /// JSON pointer (RFC 6901) to the value in a JSON or YAML document, e.g. `/study/authors/0/orcid_id`.
    public var pointer: String?
    /// A store key, chunk key or TIFF tag name.
    public var key: String?
    /// Byte offset in a binary file.
    public var offset: Int?
    /// An array shape the problem concerns.
    public var shape: [Int]?

    /// A context with the given fields; all default to unknown.
    public init(
        file: String? = nil, line: Int? = nil, column: Int? = nil, pointer: String? = nil,
        key: String? = nil, offset: Int? = nil, shape: [Int]? = nil
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.pointer = pointer
        self.key = key
        self.offset = offset
        self.shape = shape
    }

    /// Whether nothing is known about the place.
    public var isEmpty: Bool { description.isEmpty }

    /// `file:line:column pointer key @offset shape`, leaving out what is unknown.
    public var description: String {
        var location = file ?? ""
        if let line {
            location += (location.isEmpty ? "line " : ":") + "\(line)"
            if let column { location += ":\(column)" }
        }
        var parts: [String] = location.isEmpty ? [] : [location]
        if let pointer { parts.append(pointer.isEmpty ? "(document root)" : pointer) }
        if let key { parts.append("key '\(key)'") }
        if let offset { parts.append("byte \(offset)") }
        if let shape { parts.append("shape [\(shape.map(String.init).joined(separator: ", "))]") }
        return parts.joined(separator: " ")
    }
}

/// The shape every MIFAKit error shares: a stable code, a message that says how to fix the problem,
/// where it was found, and the error underneath if any.
///
/// Each layer has its own error struct (``CoreError``, `RasterIOError`, `MetadataError`, ...).
/// Libraries throw these; they do not log and carry on.
public protocol MIFAError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code such as `truncated-file` or `invalid-region`.
    var code: String { get }
    /// What was expected, what was found, and how to fix it.
    var message: String { get }
    /// Where the problem was found.
    var context: ErrorContext { get }
    /// The lower-level error that caused this one, if any.
    var underlying: (any Error & Sendable)? { get }
}

extension MIFAError {
    /// `place: message`, followed by the underlying error when there is one.
    public var description: String {
        var text = context.isEmpty ? message : "\(context): \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
