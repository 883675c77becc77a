import DatasetPackage
import Foundation
import MIFACore
import Zarr

/// A package (or a file) that a command writes, named on the command line. Packages are read
/// wherever they are (a folder, a `.zip`, `http(s)://`, `s3://`; see `PackageReader`) and written
/// in local folders or, for `pack`, `version` and `export`, in object storage (`s3://`). A URL
/// that cannot be written is refused with a clear message, never taken for a folder name (before
/// this check, `mifa pack src s3://bucket/pkg` made a folder named `s3:`).
enum PackagePath {
    /// Where a command writes.
    enum Target {
        /// A local path.
        case local(String)
        /// An `s3://bucket/prefix` URL and its store.
        case objectStorage(url: String, store: S3Store)
    }

    /// `text`, when it is a local path that a command writes.
    /// - Parameters:
    ///   - text: the argument.
    ///   - command: the command, for the message (`checkout`, `propose`, ...).
    /// - Throws: ``InvalidInput`` for a URL of any scheme.
    static func local(_ text: String, command: String) throws -> String {
        guard let scheme = StoreURL.scheme(of: text) else { return text }
        guard StoreURL.schemes.contains(scheme) else {
            throw InvalidInput(message: "'\(text)' has the URL scheme '\(scheme)://', which is not supported; give a local folder")
        }
        throw InvalidInput(message: "'\(text)' is a URL; `mifa \(command)` writes in local folders only (`mifa pack`, `version` and `export` also write to s3://; reading works everywhere: `mifa audit`, `validate`, `diff`, `export`, `checkout`, `credits`, `log` and `bench` take a URL)")
    }

    /// Where `text` names for a command that writes locally or to `s3://`.
    /// - Throws: ``InvalidInput`` for an `http(s)://` URL (a web server cannot be written) or an
    ///   unsupported scheme; `ZarrError` for an `s3://` URL that cannot be configured.
    static func target(_ text: String, command: String) throws -> Target {
        guard let scheme = StoreURL.scheme(of: text) else { return .local(text) }
        guard scheme == "s3" else {
            guard StoreURL.schemes.contains(scheme) else {
                throw InvalidInput(message: "'\(text)' has the URL scheme '\(scheme)://', which is not supported; give a local path or an s3:// URL")
            }
            throw InvalidInput(message: "'\(text)' is a URL of a web server (\(scheme)://), which cannot be written; `mifa \(command)` writes to a local path or an s3://bucket/prefix URL")
        }
        return .objectStorage(url: text, store: try S3Store(url: text))
    }

    /// Runs `body` with a new local work folder path (which does not exist yet; its parent does)
    /// and removes everything under it afterwards, whatever happens.
    /// - Throws: what `body` throws, ``InvalidInput`` when no temporary folder can be made.
    static func withWorkFolder<T>(_ body: (String) throws -> T) throws -> T {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("mifa-work-\(UUID().uuidString)").path
        guard mkdir(parent, 0o700) == 0 else {
            throw InvalidInput(message: "cannot make a work folder in \(FileManager.default.temporaryDirectory.path) (set TMPDIR to a writable folder): \(String(cString: strerror(errno)))")
        }
        defer { try? FileSystem.removeTree(parent) }
        return try body("\(parent)/package")
    }
}
