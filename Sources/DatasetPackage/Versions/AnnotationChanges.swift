import Annotations
import MIFACore
public import OMEZarr

/// Object-level changes between two versions, per annotation set: vector sets
/// (`annotations/<set>/annotations.geojson`, see ``VectorSetComparison``) and label images
/// (`images/<image>/labels/<set>/`, see ``LabelSetComparison``; the objects of a set's label images
/// on several images are listed together). Only sets whose files differ are read; sets whose objects
/// are all the same are left out.
public enum AnnotationChanges {
    /// The changes from `old` to `new`, given their file changes.
    /// - Throws: the errors of reading a set's GeoJSON or label arrays (``PackageError``,
    ///   `AnnotationError`, `OMEZarrError`).
    public static func between(_ old: VersionContent, _ new: VersionContent, files: FileChanges, oldName: String, newName: String) throws -> [String: ObjectChanges] {
        var labels = Set<LabelKey>()
        for path in files.added + files.removed + files.modified {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 5, parts[0] == PackageLayout.images, parts[2] == "labels" {
                labels.insert(LabelKey(image: parts[1], set: parts[3]))
            }
        }
        var result: [String: ObjectChanges] = [:]
        for set in changedVectorSets(files) {
            let path = PackageLayout.annotationFile(set)
            let changes = try VectorSetComparison.compare(old: try document(path, in: old), new: try document(path, in: new))
            merge(changes, into: &result, set: set)
        }
        let oldStore = VersionStore(old, location: oldName)
        let newStore = VersionStore(new, location: newName)
        for key in labels.sorted() {
            let folder = PackageLayout.label(key.set, of: key.image)
            let before = try labelImage(folder, in: oldStore)
            let after = try labelImage(folder, in: newStore)
            merge(try LabelSetComparison.compare(old: before, new: after, imageID: key.image), into: &result, set: key.set)
        }
        return result.filter { !$0.value.isEmpty }
    }

    /// The vector sets whose GeoJSON differs from `old` to `new`, each as both versions have it
    /// with its objects paired (``VectorSetComparison/pair(old:new:)``); sets whose objects are all
    /// the same are left out.
    /// - Throws: the errors of reading a set's GeoJSON (``PackageError``, `AnnotationError`).
    public static func vectorSets(_ old: VersionContent, _ new: VersionContent) throws -> [String: VectorSetChange] {
        var result: [String: VectorSetChange] = [:]
        for set in changedVectorSets(FileChanges(from: old.fileList, to: new.fileList)) {
            let path = PackageLayout.annotationFile(set)
            let before = try document(path, in: old), after = try document(path, in: new)
            let pairing = try VectorSetComparison.pair(old: before, new: after)
            if !pairing.isEmpty { result[set] = VectorSetChange(old: before, new: after, pairing: pairing) }
        }
        return result
    }

    /// The vector sets whose GeoJSON file is among `files`' changes, sorted.
    static func changedVectorSets(_ files: FileChanges) -> [String] {
        var sets = Set<String>()
        for path in files.added + files.removed + files.modified {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 3, parts[0] == PackageLayout.annotations, parts[2] == PackageLayout.annotationFileName { sets.insert(String(parts[1])) }
        }
        return sets.sorted()
    }

    struct LabelKey: Hashable, Comparable {
        let image: String
        let set: String
        static func < (a: LabelKey, b: LabelKey) -> Bool { (a.set, a.image) < (b.set, b.image) }
    }

    static func merge(_ changes: ObjectChanges, into result: inout [String: ObjectChanges], set: String) {
        var entry = result[set] ?? ObjectChanges()
        entry.added += changes.added
        entry.removed += changes.removed
        entry.changed += changes.changed
        entry.matchedByIoU += changes.matchedByIoU
        result[set] = entry
    }

    static func document(_ path: String, in content: VersionContent) throws -> AnnotationDocument? {
        guard content.contains(path) else { return nil }
        return try GeoJSONReader.read(bytes: content.read(path), file: path).document
    }

    /// The label image in `folder` of a version, or `nil` where the version has none.
    /// - Throws: `OMEZarrError` when it cannot be opened.
    public static func labelImage(_ folder: String, in store: VersionStore) throws -> OMEZarrImage? {
        guard store.content.contains("\(folder)/zarr.json") else { return nil }
        return try OMEZarrImage.open(store, path: folder)
    }
}
