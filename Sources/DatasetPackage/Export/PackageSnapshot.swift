import MIFACore
public import MIFAModel

/// One version of a package, read for export: its file list and, for each file, its bytes checked
/// against the digest (from the tree when unchanged, else from the object store).
///
/// The reader's side of the package's commit protocol: `manifest.json` is read once, when the
/// snapshot is taken, and everything after that is reached from it through digests (the version
/// records through the manifest's and each record's `previous_record_sha256`, the files through
/// the file lists). A writer committing a new version meanwhile only replaces tree files, whose old
/// content it first copies into the object store, so a snapshot always reads exactly one version.
public struct PackageSnapshot: Sendable {
    /// The package.
    public let package: DatasetPackage
    /// The version.
    public let version: String
    /// The version's content files.
    public let fileList: FileList
    /// The manifest as it was when the snapshot was taken.
    public let manifest: Manifest
    /// The bytes of `manifest.json` as read.
    let manifestBytes: [UInt8]

    /// The current version, or `version`, of `package`.
    /// - Throws: ``PackageError`` `.invalidVersion` for an unknown version, `.missingObject`, `.malformed`, `.io`.
    public init(package: DatasetPackage, version: String? = nil) throws {
        self.package = package
        let manifestFile = package.path(PackageLayout.manifest)
        manifestBytes = try package.reader.read(PackageLayout.manifest, limit: 1 << 30)
        manifest = try Manifest.decode(manifestBytes, file: manifestFile)
        self.version = version ?? manifest.version
        fileList = self.version == manifest.version ? manifest.fileList : try package.fileList(of: self.version)
    }

    /// The history of the manifest's version: each version record's bytes, from the current one
    /// back to the first, each checked against the digest that names it, and the stored objects
    /// any of those versions refers to (their file lists and files), in byte order.
    /// - Throws: ``PackageError`` `.digestMismatch` for a record that is not the one its successor
    ///   (or the manifest) names, `.malformed` for a loop, `.missingObject`, `.io`.
    public func history() throws -> (records: [(version: String, bytes: [UInt8])], objects: [SHA256Digest]) {
        var records: [(version: String, bytes: [UInt8])] = []
        var referenced = Set<SHA256Digest>()
        var next: (version: String, sha256: SHA256Digest)? = (manifest.version, manifest.versionRecordSHA256)
        while let (id, expected) = next {
            guard !records.contains(where: { $0.version == id }) else {
                throw PackageError(.malformed, "the version chain loops back to '\(id)'; run `mifa audit`", context: ErrorContext(file: PackageLayout.versionRecord(id)))
            }
            let stored = try package.storedRecord(id)
            guard stored.sha256 == expected else {
                throw PackageError(.digestMismatch, "the record of version \(id) is not the one its successor names (SHA-256 \(stored.sha256.hex), expected \(expected.hex)); run `mifa audit`", context: ErrorContext(file: PackageLayout.versionRecord(id)))
            }
            records.append((id, stored.bytes))
            referenced.insert(stored.record.manifestSHA256)
            let list = id == manifest.version ? manifest.fileList : try FileList.decode(package.objects.read(stored.record.manifestSHA256), file: PackageLayout.object(stored.record.manifestSHA256))
            for entry in list.files.values { referenced.insert(entry.sha256) }
            next = try stored.record.previousVersion.map { previous in
                guard let digest = stored.record.previousRecordSHA256 else {
                    throw PackageError(.malformed, "version \(id) names no previous_record_sha256 for version \(previous); run `mifa audit`", context: ErrorContext(file: PackageLayout.versionRecord(id), pointer: "/previous_record_sha256"))
                }
                return (previous, digest)
            }
        }
        return (records, referenced.filter(package.objects.contains).sorted())
    }

    /// The bytes of a content file, checked against the version's digest.
    /// - Throws: ``PackageError`` `.invalidPath` when the version has no such file, `.missingObject`, `.io`.
    public func contents(of path: String) throws -> [UInt8] {
        try package.contents(of: path, in: fileList)
    }

    /// The version's metadata (`mifa.json`), normalised.
    /// - Throws: ``PackageError`` `.invalidMetadata` when it cannot be read as metadata; what
    ///   ``contents(of:)`` throws.
    public func metadata() throws -> MIFADocument {
        do {
            return try MetadataReader.read(bytes: contents(of: PackageLayout.metadata), format: .json, file: PackageLayout.metadata).document
        } catch let error as MetadataError {
            throw PackageError(.invalidMetadata, "mifa.json cannot be read: \(error.message); run `mifa audit`", context: error.context, underlying: error)
        }
    }

    /// The image ids of the version (``FileList/imageIDs``).
    public var imageIDs: [String] { fileList.imageIDs }

    /// The vector annotation sets of the version (``FileList/vectorSets``).
    public var vectorSets: [String] { fileList.vectorSets }

    /// The label sets of the version with the images they annotate (``FileList/labelSets``).
    public var labelSets: [String: [String]] { fileList.labelSets }

    /// The height and width of an image's full-resolution level, from its OME-Zarr metadata; `nil`
    /// when the metadata does not say.
    public func imageSize(_ id: String) -> (height: Int, width: Int)? {
        guard let group = try? JSONParser.parse(contents(of: "images/\(id)/zarr.json")),
            let path = (group["attributes"]?["ome"]?["multiscales"] ?? group["attributes"]?["multiscales"])?[0]?["datasets"]?[0]?["path"]?.stringValue,
            let array = try? JSONParser.parse(contents(of: "images/\(id)/\(path)/zarr.json")),
            let shape = array["shape"]?.arrayValue?.compactMap({ $0.numberValue?.intValue }), shape.count >= 2
        else { return nil }
        return (shape[shape.count - 2], shape[shape.count - 1])
    }
}
