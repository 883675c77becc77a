/// ORCID iDs (https://support.orcid.org/hc/en-us/articles/360006897674): reading the forms people
/// write and checking the check digit.
///
/// MIFAKit stores the **bare** form: the 16 characters `0000-0002-1825-0097`, in four groups of four
/// separated by hyphens, without the `https://orcid.org/` URL or `ORCID:` prefix.
public enum ORCID {
    /// The bare form of `text`, or `nil` if it is not an ORCID iD in any accepted form.
    ///
    /// Accepted: bare (`0000-0002-1825-0097`), without hyphens (`0000000218250097`), with a lowercase
    /// `x`, with an `ORCID:` prefix (any case) or as an `orcid.org` URL (http or https, with or
    /// without `www.`), surrounded by whitespace. Whether the check digit is right is not tested
    /// here (see ``hasValidCheckDigit(_:)``).
    public static func bareForm(of text: String) -> String? {
        var rest = Substring(text.trimmingWhitespace())
        let lowered = rest.lowercased()
        for prefix in ["https://www.orcid.org/", "http://www.orcid.org/", "https://orcid.org/", "http://orcid.org/",
                       "www.orcid.org/", "orcid.org/", "orcid:"] where lowered.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var characters = Array(rest.uppercased().unicodeScalars)
        if characters.count == 16 {
            characters.insert("-", at: 12)
            characters.insert("-", at: 8)
            characters.insert("-", at: 4)
        }
        let candidate = String(String.UnicodeScalarView(characters))
        return isWellFormed(candidate) ? candidate : nil
    }

    /// Whether `bare` has the bare shape `NNNN-NNNN-NNNN-NNNC` (digits, the last may be `X`); the
    /// JSON Schema pattern `^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$`.
    public static func isWellFormed(_ bare: String) -> Bool {
        let scalars = Array(bare.unicodeScalars)
        guard scalars.count == 19 else { return false }
        for (index, scalar) in scalars.enumerated() {
            switch index {
            case 4, 9, 14: guard scalar == "-" else { return false }
            case 18: guard ("0"..."9").contains(scalar) || scalar == "X" else { return false }
            default: guard ("0"..."9").contains(scalar) else { return false }
            }
        }
        return true
    }

    /// The ISO 7064 MOD 11-2 check character for the first 15 digits of a bare iD (`0`-`9` or `X`
    /// for 10), or `nil` if `bare` is not well formed.
    public static func expectedCheckDigit(_ bare: String) -> Character? {
        guard isWellFormed(bare) else { return nil }
        var total = 0
        for scalar in bare.unicodeScalars.dropLast() where scalar != "-" {
            total = (total + Int(scalar.value - 48)) * 2
        }
        let result = (12 - total % 11) % 11
        return result == 10 ? "X" : Character(String(result))
    }

    /// Whether `bare` is well formed and its last character is the right check digit.
    /// `0000-0002-1825-0097` passes; the placeholder `0000-0000-0000-0000` does not.
    public static func hasValidCheckDigit(_ bare: String) -> Bool {
        guard let expected = expectedCheckDigit(bare) else { return false }
        return bare.last == expected
    }
}
