/// Small text helpers for did-you-mean suggestions: edit distance and nearest candidate.
enum TextSimilarity {
    /// The edit distance between `a` and `b` in Unicode scalars, counting an insertion, deletion,
    /// substitution or swap of two neighbours as one edit (optimal string alignment). Each input is
    /// cut to its first 128 scalars, so hostile input cannot make this slow.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars.prefix(128))
        let y = Array(b.unicodeScalars.prefix(128))
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { table[i][0] = i }
        for j in 0...y.count { table[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { best = min(best, table[i - 2][j - 2] + 1) }
                table[i][j] = best
            }
        }
        return table[x.count][y.count]
    }

    /// The candidate closest to `text` if it is close enough to be a plausible typo: within an edit
    /// distance of a third of the length (at least 1, at most 3), or one containing the other
    /// (`orcid` and `orcid_id`). `normalize` is applied to both sides before comparing.
    static func closest(to text: String, among candidates: [String], normalize: (String) -> String = { $0 }) -> String? {
        let needle = normalize(text)
        guard !needle.isEmpty else { return nil }
        var best: (candidate: String, score: Int)?
        for candidate in candidates {
            let other = normalize(candidate)
            var score = editDistance(needle, other)
            let limit = max(1, min(3, max(needle.count, other.count) / 3))
            if score > limit {
                let contained = min(needle.count, other.count) >= 4 && (other.contains(needle) || needle.contains(other))
                guard contained else { continue }
                score = limit + abs(needle.count - other.count)
            }
            if best == nil || score < best!.score { best = (candidate, score) }
        }
        return best?.candidate
    }
}

extension Unicode.Scalar {
    /// Whitespace as Python's `str.isspace()` (and so the `\s` of the JSON Schema validator the
    /// interop tests use) defines it, so blank checks agree with `Schemas/mifa.schema.json`.
    var isSchemaWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isSchemaWhitespace }),
            let last = scalars.lastIndex(where: { !$0.isSchemaWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// Whether the string is empty or only whitespace (what the validator reports as a missing value).
    public var isBlank: Bool { unicodeScalars.allSatisfy(\.isSchemaWhitespace) }
}
