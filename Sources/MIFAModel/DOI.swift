/// Digital Object Identifiers (https://www.doi.org/the-identifier/resources/handbook): reading the
/// forms people write and checking the shape.
///
/// MIFAKit stores the **bare** form `10.NNNN/suffix` (e.g. `10.7554/eLife.55913`), without the
/// `https://doi.org/` URL or `doi:` prefix.
public enum DOI {
    /// `text` without whitespace around it and without a `doi:` prefix (any case, optional space) or a
    /// `doi.org` / `dx.doi.org` URL (http or https). The result is not checked (see ``isWellFormed(_:)``).
    public static func bareForm(of text: String) -> String {
        var rest = Substring(text.trimmingWhitespace())
        let lowered = rest.lowercased()
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/",
                       "https://www.doi.org/", "http://www.doi.org/", "doi.org/", "dx.doi.org/", "doi:"] where lowered.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        return String(rest).trimmingWhitespace()
    }

    /// Whether `bare` is `10.`, four to nine digits, `/`, and a suffix without whitespace: the JSON
    /// Schema pattern `^10\.[0-9]{4,9}/\S+$`.
    public static func isWellFormed(_ bare: String) -> Bool {
        let scalars = Array(bare.unicodeScalars)
        guard scalars.count >= 9, scalars[0] == "1", scalars[1] == "0", scalars[2] == "." else { return false }
        var index = 3
        while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
        let digits = index - 3
        guard (4...9).contains(digits), index < scalars.count, scalars[index] == "/" else { return false }
        let suffix = scalars[(index + 1)...]
        return !suffix.isEmpty && !suffix.contains(where: \.isSchemaWhitespace)
    }
}

/// E-mail addresses, checked for shape only.
public enum EmailAddress {
    /// Whether `text` is `local@domain.tld`: no whitespace, exactly one `@`, and a dot in the domain
    /// with text on both sides: the JSON Schema pattern `^[^\s@]+@[^\s@]+\.[^\s@]+$`.
    public static func isWellFormed(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.contains(where: \.isSchemaWhitespace) else { return false }
        let parts = scalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1]
        guard domain.count >= 3 else { return false }
        // `[^\s@]+\.[^\s@]+`: some dot with text before and after it.
        let inner = domain.dropFirst().dropLast()
        return inner.contains(".")
    }
}
