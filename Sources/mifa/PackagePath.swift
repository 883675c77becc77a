import Zarr

/// A package (or a folder a package command writes) named on the command line. Packages are
/// read wherever they are (a folder, a `.zip`, `http(s)://`, `s3://`; see `PackageReader`) but
/// written in local folders only: a URL to write is refused with a clear message, never taken for
/// a folder name (before this check, `mifa pack src s3://bucket/pkg` made a folder named `s3:`).
enum PackagePath {
    /// `text`, when it is a local path that a command writes.
    /// - Parameters:
    ///   - text: the argument.
    ///   - command: the command, for the message (`audit`, `pack`, ...).
    /// - Throws: ``InvalidInput`` for a URL of any scheme.
    static func local(_ text: String, command: String) throws -> String {
        guard let scheme = StoreURL.scheme(of: text) else { return text }
        guard StoreURL.schemes.contains(scheme) else {
            throw InvalidInput(message: "'\(text)' has the URL scheme '\(scheme)://', which is not supported; give a local folder")
        }
        throw InvalidInput(message: "'\(text)' is a URL; `mifa \(command)` writes packages and files in local folders only (writing over \(scheme):// is not supported yet; reading is: `mifa audit`, `validate`, `diff`, `export`, `checkout`, `credits`, `log` and `bench` take a URL)")
    }
}
