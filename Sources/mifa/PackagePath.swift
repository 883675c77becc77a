import Zarr

/// A package (or a folder a package command writes) named on the command line. Packages are read
/// and written in local folders only: a URL is refused with a clear message, never taken for a
/// folder name (before this check, `mifa pack src s3://bucket/pkg` made a folder named `s3:`).
/// Single arrays and images are read and written at URLs (`mifa zarr`, `mifa omezarr`, `mifa bench`).
enum PackagePath {
    /// `text`, when it is a local path.
    /// - Parameters:
    ///   - text: the argument.
    ///   - command: the command, for the message (`audit`, `pack`, ...).
    /// - Throws: ``InvalidInput`` for a URL of any scheme.
    static func local(_ text: String, command: String) throws -> String {
        guard let scheme = StoreURL.scheme(of: text) else { return text }
        guard StoreURL.schemes.contains(scheme) else {
            throw InvalidInput(message: "'\(text)' has the URL scheme '\(scheme)://', which is not supported; give a local folder")
        }
        throw InvalidInput(message: "'\(text)' is a URL; `mifa \(command)` reads and writes packages in local folders only (whole packages over \(scheme):// are not supported yet; single OME-Zarr images and Zarr arrays are, with `mifa omezarr`, `mifa zarr` and `mifa bench`)")
    }
}
