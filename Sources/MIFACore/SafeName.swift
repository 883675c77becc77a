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
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
