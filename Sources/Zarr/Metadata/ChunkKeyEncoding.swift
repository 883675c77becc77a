/// How a chunk's grid index becomes its store key.
///
/// v3 `default` gives `c/1/0` (or `c.1.0`), v3 `v2` and Zarr v2 arrays give `1.0` (or `1/0`).
/// A zero-dimensional array's only chunk is `c` or `0`.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/chunk-key-encodings/default/index.html and
/// https://zarr-specs.readthedocs.io/en/latest/v3/chunk-key-encodings/v2/index.html.
public enum ChunkKeyEncoding: Sendable, Hashable {
    /// `c` followed by the indices, each after the separator.
    case `default`(separator: Character)
    /// The indices joined by the separator.
    case v2(separator: Character)

    /// The separator.
    public var separator: Character {
        switch self {
        case .default(let separator), .v2(let separator): separator
        }
    }

    /// The v3 name (`default` or `v2`).
    public var name: String {
        switch self {
        case .default: "default"
        case .v2: "v2"
        }
    }

    /// The key of the chunk at `index`, relative to the array's node.
    public func key(for index: [Int]) -> String {
        let separator = String(self.separator)
        switch self {
        case .default:
            return index.isEmpty ? "c" : "c" + separator + index.map(String.init).joined(separator: separator)
        case .v2:
            return index.isEmpty ? "0" : index.map(String.init).joined(separator: separator)
        }
    }
}
