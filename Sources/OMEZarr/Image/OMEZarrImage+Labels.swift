import MIFACore
import Zarr

extension OMEZarrImage {
    /// The names the image's `labels` group lists (empty when it has none).
    ///
    /// See https://ngff.openmicroscopy.org/0.5/#labels-md.
    /// - Throws: ``OMEZarrError`` `.invalidMetadata` when `labels` exists but is not a labels group
    ///   of the same version; `.storage` for store errors.
    public func labelNames() throws -> [String] {
        let labelsPath = childPath("labels")
        let exists = try OMEZarrError.wrapping("cannot look for the labels group") {
            try store.exists(try StoreKey.joining(labelsPath, version == .v05 ? "zarr.json" : ".zgroup"))
        }
        guard exists else { return [] }
        guard let metadata = try NGFFGroupMetadata.read(store, path: labelsPath) else {
            throw OMEZarrError(.invalidMetadata, "the 'labels' group has no 'labels' list in its attributes", context: ErrorContext(file: "\(store.location)/\(labelsPath)"))
        }
        guard let value = metadata.metadata["labels"] else {
            throw OMEZarrError(.invalidMetadata, "the 'labels' group has no 'labels' list in its attributes", file: metadata.file, pointer: metadata.metadataPointer)
        }
        guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count else {
            throw OMEZarrError(.invalidMetadata, "'labels' must be a list of label image names, found \(value.summary)", file: metadata.file,
                               pointer: metadata.metadataPointer.appending("labels"))
        }
        return names
    }

    /// Opens the label image `name` of this image (`labels/<name>`).
    ///
    /// A label image is a multiscale image with `image-label` metadata whose pixels are integers.
    /// - Throws: ``OMEZarrError`` `.invalidLabel` when its pixels are not integers or it has no
    ///   `image-label` metadata; as ``open(_:path:multiscale:)``.
    public func openLabel(_ name: String) throws -> OMEZarrImage {
        let label = try OMEZarrImage.open(store, path: childPath("labels/\(name)"))
        try label.checkIsLabel(name: name)
        return label
    }

    /// Checks that the image holds labels: `image-label` metadata and integer pixels at every level.
    /// - Throws: ``OMEZarrError`` `.invalidLabel` naming the level and its type.
    public func checkIsLabel(name: String? = nil) throws {
        let what = name.map { "label image '\($0)'" } ?? "the label image"
        guard imageLabel != nil else {
            throw OMEZarrError(.invalidLabel, "\(what) has no 'image-label' metadata; label images carry it next to 'multiscales'", context: ErrorContext(file: group.file))
        }
        for level in levels where !(level.dataType?.isInteger ?? false) {
            throw OMEZarrError(.invalidLabel, "\(what) holds \(level.array.dataType) pixels at level \(level.index) ('\(level.path)'); label images must hold integers (uint8...int64)",
                               context: ErrorContext(file: group.file, key: level.path, shape: level.shape))
        }
    }

    /// The store path of a child of the image group.
    func childPath(_ name: String) -> String {
        path.isEmpty ? name : "\(path)/\(name)"
    }
}
