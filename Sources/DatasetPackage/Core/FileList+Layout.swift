extension FileList {
    /// The image ids of the version (`images/<id>/zarr.json` listed), in the byte order of their paths.
    public var imageIDs: [String] {
        paths.compactMap { path in
            let parts = path.split(separator: "/")
            return parts.count == 3 && parts[0] == PackageLayout.images[...] && parts[2] == PackageLayout.rootGroup[...] ? String(parts[1]) : nil
        }
    }

    /// The vector annotation sets of the version (`annotations/<set>/annotations.geojson` listed),
    /// in the byte order of their paths.
    public var vectorSets: [String] {
        paths.compactMap { path in
            let parts = path.split(separator: "/")
            return parts.count == 3 && parts[0] == PackageLayout.annotations[...] && parts[2] == PackageLayout.annotationFileName[...]
                ? String(parts[1]) : nil
        }
    }

    /// The label sets of the version (`images/<id>/labels/<set>/zarr.json` listed), each with the
    /// images it annotates in the byte order of their paths.
    public var labelSets: [String: [String]] {
        var sets: [String: [String]] = [:]
        for path in paths {
            let parts = path.split(separator: "/")
            if parts.count == 5, parts[0] == PackageLayout.images[...], parts[2] == "labels", parts[4] == PackageLayout.rootGroup[...] {
                sets[String(parts[3]), default: []].append(String(parts[1]))
            }
        }
        return sets
    }
}
