import MIFACore

/// One version of a package, read for export: its file list and, for each file, its bytes checked
/// against the digest (from the tree when unchanged, else from the object store).
public struct PackageSnapshot: Sendable {
    /// The package.
    public let package: DatasetPackage
    /// The version.
    public let version: String
    /// The version's content files.
    public let fileList: FileList

    /// The current version, or `version`, of `package`.
    /// - Throws: ``PackageError`` `.invalidVersion` for an unknown version, `.missingObject`, `.malformed`, `.io`.
    public init(package: DatasetPackage, version: String? = nil) throws {
        self.package = package
        let current = try package.currentVersion()
        self.version = version ?? current
        fileList = try package.fileList(of: self.version)
    }

    /// The bytes of a content file, checked against the version's digest.
    /// - Throws: ``PackageError`` `.invalidPath` when the version has no such file, `.missingObject`, `.io`.
    public func contents(of path: String) throws -> [UInt8] {
        try package.contents(of: path, in: fileList)
    }

    /// The image ids (`images/<id>/zarr.json` present), in byte order.
    public var imageIDs: [String] {
        fileList.paths.compactMap { path in
            let parts = path.split(separator: "/")
            return parts.count == 3 && parts[0] == "images" && parts[2] == "zarr.json" ? String(parts[1]) : nil
        }
    }

    /// The vector annotation sets (`annotations/<set>/annotations.geojson`), in byte order.
    public var vectorSets: [String] {
        fileList.paths.compactMap { path in
            let parts = path.split(separator: "/")
            return parts.count == 3 && parts[0] == "annotations" && parts[2] == "annotations.geojson" ? String(parts[1]) : nil
        }
    }

    /// The label sets (`images/<id>/labels/<set>/zarr.json`) with the images they annotate.
    public var labelSets: [String: [String]] {
        var sets: [String: [String]] = [:]
        for path in fileList.paths {
            let parts = path.split(separator: "/")
            if parts.count == 5, parts[0] == "images", parts[2] == "labels", parts[4] == "zarr.json" {
                sets[String(parts[3]), default: []].append(String(parts[1]))
            }
        }
        return sets
    }

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
