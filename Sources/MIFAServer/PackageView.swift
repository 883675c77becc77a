public import Annotations
public import DatasetPackage
import MIFACore
public import OMEZarr
public import Rendering
import Zarr

/// A MIFA package opened for browsing: its current version's images, annotation sets and files,
/// with the images, renderers and annotation sets each opened once and kept.
///
/// One image's vector objects are read through the set's `VectorSetReader`: where the set has an
/// index (package format 2), a viewer of one image fetches that image's objects only, which matters
/// for a package served from `http(s)://` or `s3://`. A set's summary (`/api/sets`, the overview:
/// its images, objects and kinds) comes from the same index (`VectorSetReader.objectKinds()`), so
/// it costs the same reads whatever the number of objects.
///
/// The package is read through its manifest, taken once when the view is made (see
/// `PackageSnapshot`): what is served is exactly the current version's content, whatever else lies
/// in the folder. Used by `mifa serve` and `mifa preview`, so both draw the same pictures.
public final class PackageView: Sendable {
    /// The package's name: its folder's last component.
    public let name: String
    /// The package.
    public let snapshot: PackageSnapshot
    /// The image ids, in the manifest's order.
    public let imageIDs: [String]
    /// The vector annotation sets.
    public let vectorSets: [String]
    /// The label sets, each with the images it has a label image on.
    public let labelSets: [String: [String]]
    /// The package-relative paths that `/files/` serves besides the version records: the content files and `manifest.json`.
    let servable: Set<String>
    /// The version records' paths that `/files/` serves, or why the package's versions could not
    /// be listed (a request for a record then answers that error, not "no such file").
    let versionRecords: Result<Set<String>, ServerError>
    let cache = LockedState(Cache())

    /// What the view has opened or computed once and keeps.
    struct Cache {
        /// The store images are opened from (``DatasetPackage/imageStore(manifest:)``), made once.
        var imageStore: (any ZarrStore)?
        var images: [String: OMEZarrImage] = [:]
        var readers: [String: VectorSetReader] = [:]
        /// ``objectKinds(_:)`` by set.
        var kinds: [String: [String: [String: Int]]] = [:]
        /// One image's objects of a set, by `"<set>\0<image>"`.
        var onImage: [String: AnnotationDocument] = [:]
        var renderers: [String: ImageRenderer] = [:]
        /// ``changedObjects(from:to:)`` by `"<old>\0<new>"`, for the ``maxKeptChanges`` pairs of versions computed last.
        var changes = RecentValues<[String: [JSONValue]]>(limit: maxKeptChanges)
        /// ``changedLabels(from:to:on:)`` by `"<old>\0<new>\0<image>"`, for the ``maxKeptChanges`` computed last.
        var labelChanges = RecentValues<[LabelSetChanges]>(limit: maxKeptChanges)
    }

    /// The most results of each kind of version comparison kept (changed vector objects per pair
    /// of versions, changed label objects per pair and image); computing one more forgets the
    /// oldest. Images, renderers, readers, set summaries and per-image objects are kept without a
    /// bound: there is one of each per image, set, or image and set of the package, a number the
    /// package fixes.
    static let maxKeptChanges = 32

    /// Opens the package at `root` for reading: a folder, or (read in place) its `.zip` export, an
    /// `http(s)://` or an `s3://` URL.
    /// - Throws: `PackageError` when `root` is not a package or its manifest cannot be read.
    public convenience init(root: String) throws {
        try self.init(package: DatasetPackage.open(root, recovery: .ifUnlocked))
    }

    /// A view of `package`, opened by the caller (a folder, or through a `PackageReader` over any store).
    /// - Throws: `PackageError` when its manifest cannot be read.
    public init(package: DatasetPackage) throws {
        snapshot = try PackageSnapshot(package: package)
        name = package.name
        imageIDs = snapshot.imageIDs
        vectorSets = snapshot.vectorSets
        labelSets = snapshot.labelSets
        servable = Set(snapshot.fileList.paths).union([PackageLayout.manifest])
        do {
            versionRecords = .success(Set(try package.versionIDs().map(PackageLayout.versionRecord)))
        } catch {
            versionRecords = .failure(ServerError(.invalidPackage, "cannot list the package's versions: \(error)", context: ErrorContext(file: package.root), underlying: error))
        }
    }

    /// The folder of the package.
    public var root: String { snapshot.package.root }

    /// The OME-Zarr image `id`.
    /// - Throws: ``ServerError`` `.notFound` for an id the package does not have; `OMEZarrError` when it cannot be opened.
    public func image(_ id: String) throws -> OMEZarrImage {
        guard imageIDs.contains(id) else {
            throw ServerError(.notFound, "the package has no image '\(id)'; it has \(imageIDs.joined(separator: ", "))", context: ErrorContext(file: root))
        }
        if let image = cache.withLock({ $0.images[id] }) { return image }
        // From the package's consolidated metadata when current: no request per image and level at a URL.
        let store: any ZarrStore
        if let made = cache.withLock({ $0.imageStore }) {
            store = made
        } else {
            store = try snapshot.package.imageStore(manifest: snapshot.manifest)
            cache.withLock { $0.imageStore = store }
        }
        let image = try OMEZarrImage.open(store, path: PackageLayout.image(id))
        cache.withLock { $0.images[id] = image }
        return image
    }

    /// The label sets that have a label image on image `id`, sorted.
    public func labels(of id: String) -> [String] {
        labelSets.filter { $0.value.contains(id) }.map(\.key).sorted()
    }

    /// The reader of vector set `set` (its index checked once, then kept).
    /// - Throws: ``ServerError`` `.notFound` for a set the package does not have; `PackageError`
    ///   as `VectorSetReader.init(snapshot:set:)`.
    public func reader(_ set: String) throws -> VectorSetReader {
        try checkSet(set)
        if let reader = cache.withLock({ $0.readers[set] }) { return reader }
        let reader = try VectorSetReader(snapshot: snapshot, set: set)
        cache.withLock { $0.readers[set] = reader }
        return reader
    }

    /// Vector set `set`'s summary: per image it has objects on, its number of objects of each kind
    /// (see `VectorSetReader.objectKinds()`: from the set's index); read once, then kept.
    /// - Throws: as ``reader(_:)`` and `VectorSetReader.objectKinds()`.
    public func objectKinds(_ set: String) throws -> [String: [String: Int]] {
        if let kinds = cache.withLock({ $0.kinds[set] }) { return kinds }
        let kinds = try reader(set).objectKinds()
        cache.withLock { $0.kinds[set] = kinds }
        return kinds
    }

    /// Vector set `set`'s objects on image `id`, as a document listing only that image (see
    /// `VectorSetReader.annotations(of:)`); read once, then kept.
    /// - Throws: as ``reader(_:)``; `PackageError` when the image's objects cannot be read.
    public func objects(_ set: String, on id: String) throws -> AnnotationDocument {
        let key = set + "\0" + id
        if let document = cache.withLock({ $0.onImage[key] }) { return document }
        let document = try reader(set).annotations(of: id)
        cache.withLock { $0.onImage[key] = document }
        return document
    }

    /// The objects of vector set `set` on image `id` (an object names its image by `image_id`; in
    /// a set with one image, objects without one are on it).
    /// - Throws: as ``objects(_:on:)``.
    public func annotations(_ set: String, on id: String) throws -> [Annotation] {
        try objects(set, on: id).annotations
    }

    /// The GeoJSON (RFC 7946, as MIFAKit writes it) of set `set` restricted to image `id`, with
    /// the categories its objects use.
    /// - Throws: as ``objects(_:on:)``; `AnnotationError` when it cannot be written.
    public func geoJSON(_ set: String, on id: String) throws -> [UInt8] {
        try GeoJSONWriter.encode(objects(set, on: id))
    }

    /// Refuses a vector set the package does not have.
    private func checkSet(_ set: String) throws {
        guard vectorSets.contains(set) else {
            throw ServerError(.notFound, "the package has no vector annotation set '\(set)'; it has \(vectorSets.isEmpty ? "none" : vectorSets.joined(separator: ", "))", context: ErrorContext(file: root))
        }
    }

    /// A renderer of image `id` with every label image and vector set that annotates it as layers
    /// (vector sets in their `VectorLayer.color(forLayer:)` (Rendering) colours, by their index in the package).
    /// - Throws: as ``image(_:)``, ``objects(_:on:)``; `RenderingError` when a layer cannot be made.
    public func renderer(_ id: String) throws -> ImageRenderer {
        if let renderer = cache.withLock({ $0.renderers[id] }) { return renderer }
        let image = try image(id)
        let labels = try labels(of: id).map { try LabelLayer(name: $0, image: image.openLabel($0)) }
        let vectors = try vectorSets.enumerated().compactMap { index, set -> VectorLayer? in
            let objects = try annotations(set, on: id)
            return objects.isEmpty ? nil : VectorLayer(name: set, annotations: objects, color: VectorLayer.color(forLayer: index))
        }
        let renderer = try ImageRenderer(image: image, labels: labels, vectors: vectors)
        cache.withLock { $0.renderers[id] = renderer }
        return renderer
    }

    /// The colour the renderer draws vector set `set` in.
    public func color(ofSet set: String) -> RGBA {
        VectorLayer.color(forLayer: vectorSets.firstIndex(of: set) ?? 0)
    }
}

/// Values by key, at most ``limit`` of them: inserting a new key beyond the limit forgets the key
/// inserted longest ago.
struct RecentValues<Value: Sendable>: Sendable {
    /// The most values kept.
    let limit: Int
    private var values: [String: Value] = [:]
    private var order: [String] = []

    /// No values, at most `limit` (at least 1) later.
    init(limit: Int) { self.limit = max(1, limit) }

    /// The value kept for `key`.
    subscript(key: String) -> Value? {
        get { values[key] }
        set {
            guard let newValue else {
                if values.removeValue(forKey: key) != nil { order.removeAll { $0 == key } }
                return
            }
            if values.updateValue(newValue, forKey: key) == nil { order.append(key) }
            while order.count > limit { values[order.removeFirst()] = nil }
        }
    }

    /// The number of values kept.
    var count: Int { values.count }
}
