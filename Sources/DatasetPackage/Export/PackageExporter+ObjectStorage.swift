import MIFACore
public import Zarr

extension PackageExporter {
    /// Writes `format` as the one object `key` of `store` (object storage): the export is written
    /// to the local file `work` (which must not exist; the caller removes it), then created in one
    /// conditional write (`If-None-Match: *`; a multipart upload for a large zip), so that the object
    /// appears whole or not at all and an existing object is never replaced.
    /// - Parameters: as ``export(_:to:version:setID:image:progress:)``, with `store`, `key` and `work`.
    /// - Returns: the summary, its `output` the store's location and the key.
    /// - Throws: ``PackageError`` `.alreadyExists` when the object exists, `.invalidArgument` when it
    ///   is inside the package's own prefix, `.io` when the store refuses, and what the export throws.
    public func export(_ format: Format, to store: any ConditionalStore, key: StoreKey, work: String, version: String? = nil, setID: String? = nil,
                       image: String? = nil, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Summary {
        let output = store.location.hasSuffix("/") ? store.location + key.value : "\(store.location)/\(key.value)"
        let packageRoot = package.root.hasSuffix("/") ? package.root : package.root + "/"
        guard !output.hasPrefix(packageRoot) else {
            throw PackageError(.invalidArgument, "'\(output)' is inside the package; write the export outside the package's prefix so the package stays unchanged", context: ErrorContext(file: output))
        }
        do {
            guard try !store.exists(key) else {
                throw PackageError(.alreadyExists, "'\(output)' already exists; give a new object name", context: ErrorContext(file: output))
            }
            var summary = try export(format, to: work, version: version, setID: setID, image: image, progress: progress)
            let bytes = try PackageFileSystem.read(work, limit: .max)
            guard try store.create(key, bytes) != nil else {
                throw PackageError(.alreadyExists, "'\(output)' was created by someone else while this export was made; it was left as it is", context: ErrorContext(file: output))
            }
            summary.output = output
            return summary
        } catch let error as ZarrError {
            throw PackageError(.io, "cannot write '\(output)': \(error.message)", context: ErrorContext(file: output), underlying: error)
        }
    }
}
