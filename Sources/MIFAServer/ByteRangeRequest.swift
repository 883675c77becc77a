/// One byte range of an HTTP `Range` header (RFC 9110 §14.1.2), resolved against a file's size.
///
/// One range per request is served (`bytes=a-b`, `bytes=a-`, `bytes=-n`); a header with several
/// ranges, another unit, or malformed numbers is ignored as RFC 9110 allows (the whole file is
/// sent); a well-formed range that lies outside the file is unsatisfiable (416).
enum ByteRangeRequest: Equatable {
    /// The range, as an offset and a count inside the file.
    case satisfiable(offset: Int, count: Int)
    /// No usable range: send the whole file.
    case whole
    /// A range outside the file.
    case unsatisfiable

    /// The range `header` asks for in a file of `size` bytes.
    init(header: String?, size: Int) {
        guard let header, header.hasPrefix("bytes=") else { self = .whole; return }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: [" "])
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        let digits = { (text: Substring) in !text.isEmpty && text.utf8.count <= 18 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        if first.isEmpty {
            guard digits(last), let length = Int(last) else { self = .whole; return }
            guard length > 0, size > 0 else { self = .unsatisfiable; return }
            let count = min(length, size)
            self = .satisfiable(offset: size - count, count: count)
            return
        }
        guard digits(first), let start = Int(first) else { self = .whole; return }
        var end = size - 1
        if !last.isEmpty {
            guard digits(last), let value = Int(last) else { self = .whole; return }
            guard value >= start else { self = .whole; return }
            end = min(value, size - 1)
        }
        guard start < size else { self = .unsatisfiable; return }
        self = .satisfiable(offset: start, count: end - start + 1)
    }
}

extension Substring {
    /// The text without the given leading and trailing characters.
    fileprivate func trimmingCharacters(in set: Set<Character>) -> Substring {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return text
    }
}
