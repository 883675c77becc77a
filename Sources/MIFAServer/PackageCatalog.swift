import DatasetPackage
import MIFACore
import Zarr

/// What `mifa serve` serves: one package, or every package directly inside a folder.
public struct PackageCatalog: Sendable {
    /// The packages by name (their folders' names), sorted by name.
    public let packages: [String: PackageView]
    /// Whether the catalog is one package served at the root (`/`), rather than a folder whose
    /// packages are served under `/packages/<name>/`.
    public let isSinglePackage: Bool

    /// The package at `path`, or the packages inside the folder `path`.
    /// - Throws: ``ServerError`` `.invalidPackage` when `path` is neither a package nor a folder
    ///   holding one; `PackageError` when a package cannot be read.
    public init(path: String) throws {
        var root = path
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        // A package read in place (its .zip export, an http(s):// or s3:// URL) is one package.
        if StoreURL.isRemote(root) || PackageReader.isZipFile(root) {
            let view = try PackageView(root: root)
            packages = [view.name: view]
            isSinglePackage = true
            return
        }
        if try DatasetPackage.isPackage(at: root) {
            let view = try PackageView(root: root)
            packages = [view.name: view]
            isSinglePackage = true
            return
        }
        guard FileSystem.kind(of: root) == .directory else {
            throw ServerError(.invalidPackage, "'\(path)' is not a MIFA package or a folder of packages; give a package made by `mifa pack` or the folder that holds them", context: ErrorContext(file: path))
        }
        var found: [String: PackageView] = [:]
        for entry in try PackageFileSystem.walkTopLevel(root).sorted() {
            let child = "\(root)/\(entry)"
            guard SafeName.isSafe(entry), FileSystem.kind(of: child) == .directory, try DatasetPackage.isPackage(at: child) else { continue }
            found[entry] = try PackageView(root: child)
        }
        guard !found.isEmpty else {
            throw ServerError(.invalidPackage, "the folder '\(path)' holds no MIFA package (a folder with zarr.json, mifa.json and manifest.json); give a package or a folder of packages", context: ErrorContext(file: path))
        }
        packages = found
        isSinglePackage = false
    }

    /// The package names, sorted.
    public var names: [String] { packages.keys.sorted() }
}
