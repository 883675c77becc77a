import DatasetPackage
import MIFACore
import OMEZarr
import Rendering

/// The label objects of one label set that differ between two versions on one image: the set's
/// label image in each version (absent where the version has none) and the values added, removed
/// and changed, as ``LabelSetComparison`` (DatasetPackage) finds them.
struct LabelSetChanges: Sendable {
    /// The label set (the label image's folder name).
    let set: String
    /// The label image in the older version.
    let old: OMEZarrImage?
    /// The label image in the newer version.
    let new: OMEZarrImage?
    /// Values only in the newer version.
    let added: [Int64]
    /// Values only in the older version.
    let removed: [Int64]
    /// Values in both whose pixels differ.
    let changed: [Int64]
}

/// A changed label object under one pixel of an image, in one of the two versions compared.
struct ChangedLabelObject: Sendable, Equatable {
    /// The label set.
    let set: String
    /// The label value (the object's id in its label image).
    let value: Int64
    /// `added`, `removed` or `changed`.
    let change: String
    /// The version whose label image has the value at the pixel.
    let version: String
}

extension PackageView {
    /// The colours of the change view, as the viewer draws changed vector objects (`viewer.js`).
    static let changeColors: [String: RGBA] = ["added": RGBA(0x00, 0xC8, 0x53), "removed": RGBA(0xFF, 0x17, 0x44), "changed": RGBA(0xFF, 0x91, 0x00)]

    /// The label sets of image `id` whose label image differs between versions `old` and `new`,
    /// sorted by set, each with the objects that differ; sets whose objects are all the same are
    /// left out. Computed once per image and pair of versions, then kept.
    /// - Throws: ``ServerError`` `.notFound` for a version outside the history or an image the
    ///   package does not have; `PackageError`, `OMEZarrError` when a label image cannot be read.
    func changedLabels(from old: String, to new: String, on id: String) throws -> [LabelSetChanges] {
        let key = [old, new, id].joined(separator: "\u{0}")
        if let cached = cache.withLock({ $0.labelChanges[key] }) { return cached }
        try checkVersions(old, new)
        _ = try image(id)
        let package = snapshot.package
        let before = try VersionContent.version(old, of: package), after = try VersionContent.version(new, of: package)
        let files = FileChanges(from: before.fileList, to: after.fileList)
        var sets = Set<String>()
        for path in files.added + files.removed + files.modified {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 5, parts[0] == PackageLayout.images, parts[1] == id, parts[2] == "labels" { sets.insert(parts[3]) }
        }
        var result: [LabelSetChanges] = []
        for set in sets.sorted() {
            let folder = PackageLayout.label(set, of: id)
            let images = try [(before, old), (after, new)].map { content, version in
                try AnnotationChanges.labelImage(folder, in: VersionStore(content, location: version))
            }
            // Chunk by chunk: memory bounded by a chunk of the label image, not by the image.
            let changes = try LabelSetComparison.compare(old: images[0], new: images[1], imageID: id)
            // The comparison names objects `<image id>:<value>`.
            let values = { (names: [String]) in names.compactMap { Int64($0.dropFirst(id.count + 1)) } }
            let entry = LabelSetChanges(set: set, old: images[0], new: images[1], added: values(changes.added), removed: values(changes.removed), changed: values(changes.changed))
            if !(entry.added.isEmpty && entry.removed.isEmpty && entry.changed.isEmpty) { result.append(entry) }
        }
        cache.withLock { $0.labelChanges[key] = result }
        return result
    }

    /// The changed label objects at full-resolution pixel (`x`, `y`) of image `id`, plane `t`, `z`
    /// (0 where not given; channel 0 of a label image with channels): per changed label set, sorted,
    /// the older version's value there when it was removed or changed, then the newer version's
    /// when it was added or changed. Reads one pixel of each label image (the chunk that holds it).
    /// - Throws: as ``changedLabels(from:to:on:)``; ``ServerError`` `.badRequest` for a pixel or
    ///   plane outside a label image.
    func changedLabels(from old: String, to new: String, on id: String, x: Int, y: Int, t: Int?, z: Int?) throws -> [ChangedLabelObject] {
        var result: [ChangedLabelObject] = []
        for change in try changedLabels(from: old, to: new, on: id) {
            let sides = [(change.old, old, [("removed", change.removed), ("changed", change.changed)]),
                         (change.new, new, [("added", change.added), ("changed", change.changed)])]
            for (image, version, kinds) in sides {
                guard let image else { continue }
                let shape = image.shape
                let wanted: [String: Int] = ["x": x, "y": y, "t": t ?? 0, "z": z ?? 0]
                let ranges = try image.axes.enumerated().map { axis, description -> Range<Int> in
                    let at = wanted[description.name] ?? 0
                    guard (0..<shape[axis]).contains(at) else {
                        throw ServerError(.badRequest, "\(description.name) = \(at) is outside label image '\(change.set)' of image '\(id)' in version \(version), whose \(description.name) runs 0..<\(shape[axis])")
                    }
                    return at..<(at + 1)
                }
                guard let value = try LabelSetComparison.values(image.read(level: 0, region: Region(ranges), concurrency: 1)).first, value != 0 else { continue }
                for (kind, values) in kinds where values.contains(value) {
                    result.append(ChangedLabelObject(set: change.set, value: value, change: kind, version: version))
                }
            }
        }
        return result
    }

    /// A transparent tile of image `id` with the label objects that differ between `old` and `new`
    /// in the change colours, for the kinds of change in `kinds` (`added`, `removed`, `changed`):
    /// each set's removed and changed objects where the older version has their pixels, then its
    /// added and changed objects where the newer one has them (over the older).
    /// - Throws: as ``changedLabels(from:to:on:)`` and `ImageRenderer.tile(level:row:column:tileSize:options:)`.
    func labelChangesTile(from old: String, to new: String, on id: String, level: Int, row: Int, column: Int, t: Int?, z: Int?, kinds: Set<String>) throws -> RGBAImage {
        var layers: [LabelLayer] = []
        func colors(_ groups: [(String, [Int64])]) -> [Int64: RGBA] {
            var table: [Int64: RGBA] = [:]
            for (kind, values) in groups where kinds.contains(kind) {
                for value in values { table[value] = Self.changeColors[kind] }
            }
            return table
        }
        for change in try changedLabels(from: old, to: new, on: id) {
            if let image = change.old {
                layers.append(try LabelLayer(name: change.set + "@" + old, image: image, only: colors([("removed", change.removed), ("changed", change.changed)])))
            }
            if let image = change.new {
                layers.append(try LabelLayer(name: change.set + "@" + new, image: image, only: colors([("added", change.added), ("changed", change.changed)])))
            }
        }
        var renderer = try self.renderer(id)
        renderer.labels = layers
        renderer.vectors = []
        return try renderer.tile(level: level, row: row, column: column, options: RenderOptions(t: t, z: z, showImage: false))
    }
}
