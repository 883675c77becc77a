import DatasetPackage
import Foundation
import MIFACore
import Zarr

/// A package (or a file) that a command writes, named on the command line. Packages are read
/// wherever they are (a folder, a `.zip`, `http(s)://`, `s3://`; see `PackageReader`) and written
/// in local folders or, for `pack`, `version`, `propose`, `review`, `flag` and `export`, in object
/// storage (`s3://`). A URL
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
        throw InvalidInput(message: "'\(text)' is a URL; `mifa \(command)` writes in local folders only (`mifa pack`, `version`, `propose`, `review`, `flag` and `export` also write to s3://; reading works everywhere: `mifa audit`, `validate`, `diff`, `export`, `checkout`, `credits`, `log` and `bench` take a URL)")
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

    /// Runs `change` on the package that `text` names and returns what it returns: a local folder
    /// is opened and changed in place (under its lock, as every package writer does); of an
    /// `s3://` package, the metadata, records and annotations are copied into a work folder (image
    /// data stays in the bucket unless the change reads or replaces it), the change is made there,
    /// and what differs is published with the commit protocol (``StoreTransaction``), so a writer
    /// killed at any moment leaves the old version or the new one.
    /// - Throws: as ``target(_:command:)``, `DatasetPackage.open`, `StoreTransaction.change`, and
    ///   what `change` throws.
    static func change<T>(_ text: String, command: String, _ change: (DatasetPackage) throws -> T) throws -> T {
        switch try target(text, command: command) {
        case .local(let folder):
            return try change(try DatasetPackage.open(folder))
        case .objectStorage(_, let store):
            return try withWorkFolder { work in try StoreTransaction.change(in: store, work: work, change) }
        }
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
