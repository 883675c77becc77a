import Annotations
import DatasetPackage
import MIFACore

extension PackageView {
    /// The vector objects that differ between versions `old` and `new`, per image id, as GeoJSON
    /// features (RFC 7946, as MIFAKit writes them) whose properties also carry `change` (`added`,
    /// `removed` or `changed`), `version` (the version whose shape the feature is: `new` for an
    /// added object, `old` for a removed one, one feature of each for a changed one), `set` and `image`.
    ///
    /// Objects are paired as `mifa diff` pairs them (``VectorSetComparison``); an object is on the
    /// image its `image_id` names, or in a set with one image, on that image. Computed once per
    /// pair of versions, then kept.
    /// - Throws: ``ServerError`` `.notFound` for a version outside the package's history;
    ///   `PackageError`, `AnnotationError` when a version's sets cannot be read.
    func changedObjects(from old: String, to new: String) throws -> [String: [JSONValue]] {
        let key = old + "\u{0}" + new
        if let cached = cache.withLock({ $0.changes[key] }) { return cached }
        try checkVersions(old, new)
        let package = snapshot.package
        let sets = try AnnotationChanges.vectorSets(VersionContent.version(old, of: package), VersionContent.version(new, of: package))
        var byImage: [String: [JSONValue]] = [:]
        for set in sets.keys.sorted() {
            guard let change = sets[set] else { continue }
            let pairing = change.pairing
            var oldSide: [(Int, String)] = pairing.removed.map { ($0, "removed") }
            oldSide += pairing.changed.map { ($0.old, "changed") }
            var newSide: [(Int, String)] = pairing.added.map { ($0, "added") }
            newSide += pairing.changed.map { ($0.new, "changed") }
            for (document, picked, version) in [(change.old, oldSide, old), (change.new, newSide, new)] {
                guard let document, !picked.isEmpty else { continue }
                for (image, feature) in try features(document, picked: picked, version: version, set: set) {
                    byImage[image, default: []].append(feature)
                }
            }
        }
        cache.withLock { $0.changes[key] = byImage }
        return byImage
    }

    /// The GeoJSON features of the objects at `picked` positions of `document`, each marked with
    /// its change, version and set, with the id of the image it is on (objects on no image are left out).
    private func features(_ document: AnnotationDocument, picked: [(Int, String)], version: String, set: String) throws -> [(String, JSONValue)] {
        let image = VectorSetComparison.imageResolver(document)
        var marked = document
        marked.annotations = []
        for (index, change) in picked {
            var annotation = document.annotations[index]
            guard let id = image(annotation).map(String.init(describing:)) else { continue }
            annotation.properties["change"] = .string(change)
            annotation.properties["version"] = .string(version)
            annotation.properties["set"] = .string(set)
            annotation.properties["image"] = .string(id)
            marked.annotations.append(annotation)
        }
        let written = try JSONParser.parse(GeoJSONWriter.encode(marked))
        return (written["features"]?.arrayValue ?? []).compactMap { feature in
            feature["properties"]?["image"]?.stringValue.map { ($0, feature) }
        }
    }

    /// The GeoJSON FeatureCollection of the objects that differ between `old` and `new` on image
    /// `id` (see ``changedObjects(from:to:)``).
    /// - Throws: as ``image(_:)`` and ``changedObjects(from:to:)``.
    func changedObjectsGeoJSON(from old: String, to new: String, on id: String) throws -> JSONValue {
        _ = try image(id)
        return ["type": "FeatureCollection", "features": .array(try changedObjects(from: old, to: new)[id] ?? [])]
    }

    /// Checks that both versions are in the package's history.
    /// - Throws: ``ServerError`` `.notFound` naming the versions there are.
    func checkVersions(_ versions: String...) throws {
        let known = try snapshot.package.lineage().map(\.version)
        for version in versions where !known.contains(version) {
            throw ServerError(.notFound, "version '\(version)' is not in this package's history; its versions are \(known.joined(separator: ", "))")
        }
    }
}
