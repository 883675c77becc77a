import MIFACore

/// A key in a Zarr store: `/`-separated names such as `zarr.json`, `labels/0/.zarray` or `0/c/1/2`.
///
/// A key is validated when it is made, so no store ever sees one that could leave its root: no
/// leading `/`, no empty, `.` or `..` component, no backslash, no NUL byte.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#storage-keys.
public struct StoreKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The key text, e.g. `image/0/c/0/1`.
    public let value: String

    /// A key from its text.
    /// - Throws: ``ZarrError`` `.invalidKey` when the text is empty, absolute, or has an empty,
    ///   `.` or `..` component, a backslash or a NUL byte.
    public init(_ text: String) throws {
        try StoreKey.validate(text, allowEmpty: false)
        value = text
    }

    init(unchecked text: String) {
        value = text
    }

    /// The key `path/name`, or `name` when `path` is empty (the root node).
    /// - Throws: ``ZarrError`` `.invalidKey` when the result is not a valid key.
    public static func joining(_ path: String, _ name: String) throws -> StoreKey {
        try StoreKey(path.isEmpty ? name : "\(path)/\(name)")
    }

    /// The components between slashes.
    public var components: [Substring] { value.split(separator: "/", omittingEmptySubsequences: false) }

    /// The last component.
    public var name: Substring { components.last ?? Substring(value) }

    /// The key text.
    public var description: String { value }

    /// Keys sort by their text.
    public static func < (lhs: StoreKey, rhs: StoreKey) -> Bool { lhs.value < rhs.value }

    /// Checks a node path or listing prefix: empty (the root), or a valid key optionally ending in `/`.
    /// - Throws: ``ZarrError`` `.invalidKey` as ``init(_:)``.
    public static func validatePrefix(_ prefix: String) throws {
        var text = Substring(prefix)
        if text.hasSuffix("/") { text = text.dropLast() }
        try validate(String(text), allowEmpty: true)
    }

    static func validate(_ text: String, allowEmpty: Bool) throws {
        if text.isEmpty {
            if allowEmpty { return }
            throw ZarrError(.invalidKey, "a store key cannot be empty", context: ErrorContext(key: text))
        }
        guard !text.hasPrefix("/") else {
            throw ZarrError(.invalidKey, "store key '\(text)' is absolute; keys are relative to the store root",
                            context: ErrorContext(key: text))
        }
        guard !text.utf8.contains(0), !text.contains("\\") else {
            throw ZarrError(.invalidKey, "store key '\(text.debugDescription)' contains a NUL byte or a backslash",
                            context: ErrorContext(key: text))
        }
        for component in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw ZarrError(.invalidKey, "store key '\(text)' has an empty, '.' or '..' component; keys cannot leave the store",
                                context: ErrorContext(key: text))
            }
        }
    }
}
