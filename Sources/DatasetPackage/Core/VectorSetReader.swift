public import Annotations
import MIFACore

/// Reads one image's objects of a vector annotation set without reading the other images'.
///
/// Opening reads the set's `index.json` (see ``AnnotationIndex``), checked against the version's
/// digest and validated against the GeoJSON's size, and the GeoJSON's header (the bytes before its
/// features: images, categories, tracks) with one range read; ``annotations(of:)`` then reads
/// exactly the image's features with one more range read, wherever the package is (a folder, a zip,
/// `http(s)://`, `s3://`). A set without an index (package format 1, see
/// ``PackageLayout/formatVersion``) is read whole once and filtered: the same result, more bytes.
///
/// Range reads are not digest-checked (only the whole file can be); what they return must parse
/// as the features the index promises (their count, all on the image asked for), and `mifa audit`
/// checks the whole file against its digest and the index against the file.
///
/// ```swift
/// let set = try VectorSetReader(snapshot: PackageSnapshot(package: package), set: "set1")
/// let objects = try set.annotations(of: "img2").annotations
/// ```
public struct VectorSetReader: Sendable {
    /// The set id.
    public let setID: String
    /// The index, or `nil` for a set written before package format 2 (read whole).
    public let index: AnnotationIndex?
    private let package: DatasetPackage
    /// Where the GeoJSON's bytes are read from, package-relative.
    private let source: String
    private let file: String
    /// The header bytes (indexed) or the whole parsed set (not indexed).
    private let header: [UInt8]
    private let whole: AnnotationDocument?

    /// Opens the vector set `set` of a snapshot's version.
    /// - Throws: ``PackageError`` `.invalidArgument` when the version has no vector set `set`,
    ///   `.malformed` for an index that does not describe the file (see
    ///   ``AnnotationIndex/validate(describing:file:)``), `.invalidInput` for a set that is not
    ///   GeoJSON, `.missingObject`, `.io`.
    public init(snapshot: PackageSnapshot, set: String) throws {
        setID = set
        package = snapshot.package
        file = PackageLayout.annotationFile(set)
        guard let entry = snapshot.fileList.files[file] else {
            let sets = snapshot.vectorSets
            throw PackageError(.invalidArgument, "version \(snapshot.version) has no vector annotation set '\(set)'; it has \(sets.isEmpty ? "none" : sets.joined(separator: ", "))",
                               context: ErrorContext(file: snapshot.package.root))
        }
        let indexFile = PackageLayout.annotationIndex(set)
        guard snapshot.fileList.files[indexFile] != nil else {
            index = nil
            source = file
            header = []
            whole = try Self.parse(snapshot.contents(of: file), file: file)
            return
        }
        let index = try AnnotationIndex.decode(snapshot.contents(of: indexFile), describing: entry, file: indexFile)
        self.index = index
        whole = nil
        // The current version's file is in the tree; an earlier version's, when replaced since, in the object store.
        let object = PackageLayout.object(entry.sha256)
        let replaced = try snapshot.version != snapshot.manifest.version && snapshot.package.reader.isFile(object)
        source = replaced ? object : file
        header = try snapshot.package.reader.read(source, offset: 0, length: index.headerBytes)
    }

    /// The image ids the set has objects on: from the index, or from the whole set.
    public var imageIDs: [String] {
        let ids = index.map { Array($0.images.keys) } ?? Array(Set(whole!.annotations.compactMap { AnnotationIndex.imageID(of: $0, in: whole!) }))
        return ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Per image the set has objects on, how many objects of each kind it has there (`polygon`,
    /// `point`, `box`, ...: `AnnotationValue.kindName`): a set's summary. From the index, with no
    /// further read, where it counts kinds (``AnnotationIndex/countsKinds``); else from the whole
    /// set, read once (a set without an index is read whole when opened; an index written before
    /// kinds were counted costs one read of the file, checked against its digest).
    /// - Throws: ``PackageError`` `.malformed` when the file read is not the one the index
    ///   describes, `.invalidInput` when it is not GeoJSON, `.io`.
    public func objectKinds() throws -> [String: [String: Int]] {
        if let index, index.countsKinds { return index.images.mapValues { $0.kinds ?? [:] } }
        let document: AnnotationDocument
        if let whole {
            document = whole
        } else {
            let bytes = try package.reader.read(source)
            guard let described = index?.file, described == ManifestEntry(sha256: SHA256Digest(of: bytes), bytes: bytes.count) else {
                throw PackageError(.malformed, "'\(source)' is not the file its index describes (\(index?.file.bytes ?? 0) bytes); run `mifa audit` to find what changed it",
                                   context: ErrorContext(file: package.path(source)))
            }
            document = try Self.parse(bytes, file: file)
        }
        var kinds: [String: [String: Int]] = [:]
        for annotation in document.annotations {
            guard let image = AnnotationIndex.imageID(of: annotation, in: document) else { continue }
            kinds[image, default: [:]][annotation.value.kindName, default: 0] += 1
        }
        return kinds
    }

    /// The set's objects on `image` (none for an image it does not annotate), as a document with
    /// the set's categories, tracks and members, listing only that image; every object names it.
    /// - Throws: ``PackageError`` `.malformed` when the indexed bytes are not the features the
    ///   index promises, `.invalidInput` when they are not GeoJSON, `.io`.
    public func annotations(of image: String) throws -> AnnotationDocument {
        guard let index else { return Self.only(image, of: whole!) }
        guard let entry = index.images[image] else {
            var empty = try Self.parse(header + Array("\n]}\n".utf8), file: file)
            empty.annotations = []
            return Self.only(image, of: empty)
        }
        let features = try package.reader.read(source, offset: entry.offset, length: entry.length)
        return try Self.indexed(image, entry: entry, header: header, features: features, set: setID)
    }

    /// The objects on `image` from its indexed bytes: `header` (the GeoJSON before its features)
    /// and `features` (the entry's range), checked to be the entry's number of features, all on `image`.
    /// - Throws: ``PackageError`` `.malformed` naming the index when they are not, `.invalidInput`
    ///   when the bytes are not GeoJSON.
    static func indexed(_ image: String, entry: AnnotationIndex.Entry, header: [UInt8], features: some Collection<UInt8>, set: String) throws -> AnnotationDocument {
        var bytes = header
        bytes.reserveCapacity(header.count + features.count + 6)
        bytes.append(0x0A)
        bytes.append(contentsOf: features)
        bytes.append(contentsOf: "\n]}\n".utf8)
        let document = try parse(bytes, file: PackageLayout.annotationFile(set))
        let onImage = document.annotations.filter { AnnotationIndex.imageID(of: $0, in: document) == image }
        guard document.annotations.count == entry.objects, onImage.count == entry.objects else {
            throw PackageError(
                .malformed,
                "the index says bytes \(entry.offset)..<\(entry.offset + entry.length) of the set hold \(entry.objects) object(s) of image '\(image)', but they hold \(document.annotations.count), \(onImage.count) on that image; rewrite the index with `mifa version` (`mifa audit` reports it)",
                context: ErrorContext(file: PackageLayout.annotationIndex(set), pointer: JSONPointer(tokens: ["images", image]).description))
        }
        return only(image, of: document)
    }

    /// `document` with only the objects on `image` (each naming it), only that image listed, and
    /// only the categories those objects use, in the order of their first use.
    static func only(_ image: String, of document: AnnotationDocument) -> AnnotationDocument {
        var result = document
        result.annotations = document.annotations.filter { AnnotationIndex.imageID(of: $0, in: document) == image }
        for index in result.annotations.indices { result.annotations[index].imageID = .string(image) }
        result.images = document.images.filter { $0.id.description == image }
        var used: [Identifier] = []
        for id in result.annotations.compactMap(\.categoryID) where !used.contains(id) { used.append(id) }
        result.categories = used.compactMap { document.category($0) }
        return result
    }

    /// The annotation document of GeoJSON bytes.
    /// - Throws: ``PackageError`` `.invalidInput` naming `file`.
    static func parse(_ bytes: [UInt8], file: String) throws -> AnnotationDocument {
        do {
            return try GeoJSONReader.read(bytes: bytes, file: file).document
        } catch let error as AnnotationError {
            throw PackageError(.invalidInput, error.message, context: error.context, underlying: error)
        }
    }
}
