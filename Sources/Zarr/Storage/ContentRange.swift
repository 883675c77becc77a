import Foundation

/// A parsed `Content-Range: bytes first-last/size` (size `*` when unknown), RFC 9110 §14.4.
struct ContentRange: Sendable, Equatable {
    /// The first byte's offset.
    let first: Int
    /// The last byte's offset (inclusive).
    let last: Int
    /// The size of the whole value, if given.
    let size: Int?

    /// Parses a header value; `nil` for anything but one valid byte range.
    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let halves = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let bounds = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Self.number(bounds[0]), let last = Self.number(bounds[1]), first <= last else { return nil }
        let size: Int?
        if halves[1] == "*" {
            size = nil
        } else {
            guard let value = Self.number(halves[1]), last < value else { return nil }
            size = value
        }
        self.first = first
        self.last = last
        self.size = size
    }

    /// A decimal number of at most 18 digits (no sign, no spaces).
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }
}
