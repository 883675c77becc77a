/// The rule for names that become one path component of a package or a store: image ids,
/// annotation set ids (`set_id` in the MIFA metadata) and version ids.
///
/// A safe name is 1-128 characters from `A-Z a-z 0-9 . _ -`, not starting with `.` or `-`, so it
/// is one path component on every file system and never a hidden file or a command-line option.
/// The metadata validator and the package writer both ask this one rule.
public enum SafeName {
    /// The longest safe name, in characters (all ASCII, so also in bytes).
    public static let maximumLength = 128

    /// Whether `name` is a safe name.
    public static func isSafe(_ name: String) -> Bool {
        guard (1...maximumLength).contains(name.utf8.count), let first = name.utf8.first,
            first != UInt8(ascii: "."), first != UInt8(ascii: "-")
        else { return false }
        return name.unicodeScalars.allSatisfy(isAllowed)
    }

    /// A safe name made from any text: characters outside the rule become `_`, a leading `.` or
    /// `-` gets a `_` before it, and the name is cut to ``maximumLength``.
    public static func making(from text: String) -> String {
        var name = String(text.unicodeScalars.map { isAllowed($0) ? Character($0) : "_" })
        while name.hasPrefix(".") || name.hasPrefix("-") { name = "_" + name.dropFirst() }
        return name.isEmpty ? "_" : String(name.prefix(maximumLength))
    }

    /// Whether a character may stand in a safe name: an ASCII letter or digit, `.`, `_` or `-`.
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
            || scalar == "." || scalar == "_" || scalar == "-"
    }
}
