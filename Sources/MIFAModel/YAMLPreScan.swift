/// A conservative look at YAML text before it is parsed.
///
/// Yams checks mapping keys for duplicates by hashing them while it composes the document. A key
/// that is a collection (written after `?`, or a flow collection before `:`) or an alias, combined
/// with aliases that expand to huge structures, would make that hashing take exponential time.
/// MIFA keys are plain text, so documents that *might* combine the two are refused. The scan errs
/// on the side of refusing: it does not track quoting or comments.
enum YAMLPreScan {
    /// Whether `text` may contain both an alias and a non-plain mapping key.
    static func mayHashExpandedAliases(_ text: String) -> Bool {
        let s = Array(text.utf8)
        var hasAlias = false
        var hasComplexKey = false
        func isBlank(_ i: Int) -> Bool { i >= s.count || s[i] == 0x20 || s[i] == 0x09 || s[i] == 0x0A || s[i] == 0x0D }
        func isTokenStart(_ i: Int) -> Bool {
            guard i > 0 else { return true }
            switch s[i - 1] {
            case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":"),
                UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: ">"):
                return true
            default:
                return false
            }
        }
        func isAnchorCharacter(_ i: Int) -> Bool {
            guard i < s.count else { return false }
            let c = s[i]
            return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
        func colonFollows(_ start: Int) -> Bool {
            var i = start
            while i < s.count, s[i] == 0x20 || s[i] == 0x09 { i += 1 }
            return i < s.count && s[i] == UInt8(ascii: ":")
        }
        var i = 0
        while i < s.count {
            switch s[i] {
            case UInt8(ascii: "*") where isTokenStart(i) && isAnchorCharacter(i + 1):
                hasAlias = true
                var end = i + 1
                while isAnchorCharacter(end) { end += 1 }
                if colonFollows(end) { hasComplexKey = true }
                i = end
                continue
            case UInt8(ascii: "?") where isTokenStart(i) && isBlank(i + 1):
                hasComplexKey = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if colonFollows(i + 1) { hasComplexKey = true }
            default:
                break
            }
            if hasAlias && hasComplexKey { return true }
            i += 1
        }
        return false
    }
}
