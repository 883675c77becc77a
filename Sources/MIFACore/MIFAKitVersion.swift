/// The version of MIFAKit: what `mifa --version` prints, what the C ABI's `mifa_version()` returns
/// and what the Python package's `mifakit.__version__` equals (Tests/Python checks all three agree).
public enum MIFAKitVersion {
    /// The version, `MAJOR.MINOR.PATCH` (Semantic Versioning 2.0.0, https://semver.org).
    public static let string = "0.1.0"
}
