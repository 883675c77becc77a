/// A part of a stored value to read: what HTTP range requests and `pread` can express.
///
/// Ranges that reach past the end of a value are cut at its end (as HTTP servers do); callers that
/// need an exact length check the count they get back.
/// See https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#abstract-store-interface.
public enum ByteRange: Sendable, Hashable, CustomStringConvertible {
    /// `length` bytes starting at `offset`.
    case range(offset: Int, length: Int)
    /// Everything from `offset` to the end.
    case from(offset: Int)
    /// The last `length` bytes (all of them when the value is shorter).
    case suffix(length: Int)

    /// The `(offset, count)` this range covers in a value of `size` bytes, cut to the value; a
    /// missing range means the whole value.
    public static func resolve(_ range: ByteRange?, size: Int) -> (offset: Int, count: Int) {
        switch range {
        case nil:
            return (0, size)
        case .range(let offset, let length)?:
            let start = Swift.min(Swift.max(offset, 0), size)
            return (start, Swift.min(Swift.max(length, 0), size - start))
        case .from(let offset)?:
            let start = Swift.min(Swift.max(offset, 0), size)
            return (start, size - start)
        case .suffix(let length)?:
            let count = Swift.min(Swift.max(length, 0), size)
            return (size - count, count)
        }
    }

    /// The HTTP `Range` header value (RFC 9110 §14.1.2), e.g. `bytes=0-99` or `bytes=-16`.
    public var httpHeader: String {
        switch self {
        case .range(let offset, let length): "bytes=\(offset)-\(offset + Swift.max(length, 1) - 1)"
        case .from(let offset): "bytes=\(offset)-"
        case .suffix(let length): "bytes=-\(length)"
        }
    }

    /// `offset..<end`, `offset..`, or `-length`.
    public var description: String {
        switch self {
        case .range(let offset, let length): "\(offset)..<\(offset + length)"
        case .from(let offset): "\(offset).."
        case .suffix(let length): "-\(length)"
        }
    }
}
