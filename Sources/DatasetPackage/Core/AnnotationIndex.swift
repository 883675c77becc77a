public import Annotations
import MIFACore

/// `annotations/<set_id>/index.json` (package format 2): where each image's features are inside the
/// set's `annotations.geojson`, so that a reader fetches one image's objects with byte-range reads
/// (see ``VectorSetReader``) instead of the whole set.
///
/// The GeoJSON stays the set's one file, readable by every GeoJSON tool; its features are written
/// grouped by image (images in the order of their first object, objects in their order), so each
/// image's features are one contiguous run. The index names the file it describes (digest and size,
/// as in the manifest), the size of the part before the features (`header_bytes`: the collection's
/// images, categories, tracks and other members, up to and including the `[` of `features`), and per
/// image id the byte range `[offset, offset + length)` from its first feature's `{` to its last
/// feature's `}`, with the number of objects there and, per kind of object (`polygon`, `point`,
/// `box`, ...: `AnnotationValue.kindName`), how many of them (`kinds`), so that a set's summary
/// (its images, objects and kinds) is read from the index alone:
///
/// ```json
/// {"file": {"bytes": 5120, "sha256": "9f2c..."}, "format": "mifa-annotation-index", "header_bytes": 412,
///  "images": {"img1": {"kinds": {"point": 1, "polygon": 2}, "length": 2210, "objects": 3, "offset": 413}, "img2": {...}}}
/// ```
///
/// `kinds` came after the first indexes of package format 2: an index without it is still valid
/// (readers that need the kinds read the set whole, ``VectorSetReader/objectKinds()``), and the
/// next version made of the package writes it (its format upgrade). Readers that predate it ignore it.
///
/// An index is someone else's input: ``validate(describing:file:)`` refuses one that does not
/// describe the file, reaches outside it, overlaps, names unsafe ids or claims more objects than
/// its bytes can hold, before anything is read or allocated from it.
public struct AnnotationIndex: Codable, Sendable, Hashable {
    /// Where one image's features are.
    public struct Entry: Codable, Sendable, Hashable {
        /// The offset of the image's first feature (its `{`) in the GeoJSON file.
        public var offset: Int
        /// The bytes from the first feature's `{` to the last feature's `}`, both included.
        public var length: Int
        /// How many features (objects) the range holds.
        public var objects: Int
        /// How many of them are of each kind (`AnnotationValue.kindName`); `nil` in an index
        /// written before kinds were counted.
        public var kinds: [String: Int]?

        /// An entry.
        public init(offset: Int, length: Int, objects: Int, kinds: [String: Int]? = nil) {
            self.offset = offset
            self.length = length
            self.objects = objects
            self.kinds = kinds
        }
    }

    /// Always ``formatName``.
    public var format: String
    /// The digest and size of the GeoJSON file the index describes.
    public var file: ManifestEntry
    /// The bytes of the GeoJSON file before its first feature.
    public var headerBytes: Int
    /// Per image id, where its features are.
    public var images: [String: Entry]

    /// The value of `format`.
    public static let formatName = "mifa-annotation-index"
    /// The most bytes an index file may have (about 80 bytes per image: millions of images).
    public static let sizeLimit = 256 << 20

    enum CodingKeys: String, CodingKey {
        case format, file, images
        case headerBytes = "header_bytes"
    }

    /// An index.
    public init(file: ManifestEntry, headerBytes: Int, images: [String: Entry]) {
        format = Self.formatName
        self.file = file
        self.headerBytes = headerBytes
        self.images = images
    }

    /// The image a feature of a set belongs to: its `image_id`, else the document's only image.
    public static func imageID(of annotation: Annotation, in document: AnnotationDocument) -> String? {
        annotation.imageID?.description ?? (document.images.count == 1 ? document.images[0].id.description : nil)
    }

    /// The normalised GeoJSON of a vector set, its features grouped by image (stable: images in the
    /// order of their first object), and the index of those bytes.
    /// - Parameters:
    ///   - document: the normalised set.
    ///   - file: the set's file, for messages.
    /// - Throws: ``PackageError`` `.invalidInput` for an object that names no image in a set of
    ///   several images, what encoding GeoJSON throws.
    public static func encode(_ document: AnnotationDocument, file: String) throws -> (geojson: [UInt8], index: [UInt8]) {
        var order: [String] = []
        var groups: [String: [Annotation]] = [:]
        for (number, annotation) in document.annotations.enumerated() {
            guard let image = imageID(of: annotation, in: document) else {
                let name = annotation.id.map { "annotation \($0)" } ?? "feature \(number)"
                throw PackageError(.invalidInput, "\(name) names no image and the set has several; give each feature an image_id (rewrite the set with `mifa version --annotations`)",
                                   context: ErrorContext(file: file, pointer: "/features/\(number)/properties/image_id"))
            }
            if groups[image] == nil { order.append(image) }
            groups[image, default: []].append(annotation)
        }
        var grouped = document
        grouped.annotations = order.flatMap { groups[$0]! }
        let encoded: (bytes: [UInt8], featuresStart: Int, features: [Range<Int>], kinds: [String])
        do {
            encoded = try GeoJSONWriter.encodeLocatingFeatures(grouped)
        } catch let error as AnnotationError {
            throw PackageError(.invalidInput, error.message, context: ErrorContext(file: file, key: error.context.key), underlying: error)
        }
        var entries: [String: Entry] = [:]
        var next = 0
        for image in order {
            let count = groups[image]!.count
            let first = encoded.features[next], last = encoded.features[next + count - 1]
            // The kinds a reader of the written set finds (a mask is written as its outline).
            var kinds: [String: Int] = [:]
            for kind in encoded.kinds[next..<(next + count)] { kinds[kind, default: 0] += 1 }
            entries[image] = Entry(offset: first.lowerBound, length: last.upperBound - first.lowerBound, objects: count, kinds: kinds)
            next += count
        }
        let index = AnnotationIndex(file: ManifestEntry(sha256: SHA256Digest(of: encoded.bytes), bytes: encoded.bytes.count),
                                    headerBytes: encoded.featuresStart, images: entries)
        return (encoded.bytes, try CanonicalJSON.encode(index))
    }

    /// Reads an index from its bytes and validates it against the GeoJSON file it must describe.
    /// - Parameters:
    ///   - bytes: the index file's bytes.
    ///   - geojson: the digest and size of the set's GeoJSON (from the version's file list).
    ///   - file: the index file, for messages.
    /// - Throws: ``PackageError`` `.malformed` for an index that is not JSON of this shape or does
    ///   not describe `geojson` (see ``validate(describing:file:)``).
    public static func decode(_ bytes: [UInt8], describing geojson: ManifestEntry, file: String) throws -> AnnotationIndex {
        let index = try PackageJSON.decode(AnnotationIndex.self, from: bytes, file: file)
        try index.validate(describing: geojson, file: file)
        return index
    }

    /// Whether every entry counts its objects' kinds (an index written before `kinds` does not).
    public var countsKinds: Bool { images.values.allSatisfy { $0.kinds != nil } }

    /// Checks that the index describes `geojson` and that every range lies inside it, after the
    /// header, without overlapping another, with no more objects than its bytes can hold (a feature
    /// is at least `{}`, and two are separated by at least a newline and a comma) and under a safe
    /// image id, and that an entry's `kinds`, where present, add up to its objects.
    /// - Throws: ``PackageError`` `.malformed` naming the index file and the JSON pointer of the
    ///   first problem.
    public func validate(describing geojson: ManifestEntry, file: String) throws {
        func refuse(_ pointer: String, _ message: String) -> PackageError {
            PackageError(.malformed, "\(message); the annotation index is damaged or crafted: nothing was read through it (rewrite it with `mifa version`, `mifa audit` reports it)",
                         context: ErrorContext(file: file, pointer: pointer))
        }
        guard format == Self.formatName else { throw refuse("/format", "the format is '\(format)', not '\(Self.formatName)'") }
        let described = self.file
        guard described == geojson else {
            throw refuse("/file", "the index describes a GeoJSON of \(described.bytes) bytes with SHA-256 \(described.sha256.hex), but the set's file has \(geojson.bytes) bytes with SHA-256 \(geojson.sha256.hex)")
        }
        let size = geojson.bytes
        guard headerBytes >= 1, headerBytes <= size else {
            throw refuse("/header_bytes", "header_bytes is \(headerBytes), outside the file's 1...\(size) bytes")
        }
        var ranges: [(offset: Int, end: Int, image: String)] = []
        for (image, entry) in images {
            let pointer = JSONPointer(tokens: ["images", image]).description
            guard SafeName.isSafe(image) else { throw refuse(pointer, "'\(image.prefix(200))' is not an image id") }
            guard entry.offset >= headerBytes, entry.length >= 2, entry.offset <= size - entry.length else {
                throw refuse(pointer, "the range of image '\(image)' (offset \(entry.offset), length \(entry.length)) is not inside the features of the \(size)-byte file (which start at byte \(headerBytes))")
            }
            guard entry.objects >= 1, entry.objects <= (entry.length + 2) / 4 else {
                throw refuse("\(pointer)/objects", "image '\(image)' claims \(entry.objects) objects in \(entry.length) bytes")
            }
            if let kinds = entry.kinds {
                if let (kind, count) = kinds.first(where: { $0.key.isEmpty || $0.key.utf8.count > 64 || $0.value < 1 || $0.value > entry.objects }) {
                    throw refuse("\(pointer)/kinds", "image '\(image)' counts \(count) object(s) of kind '\(kind.prefix(64))'; a kind is a name of 1 to 64 bytes with 1 to the image's \(entry.objects) object(s)")
                }
                guard kinds.values.reduce(0, +) == entry.objects else {
                    throw refuse("\(pointer)/kinds", "the kinds of image '\(image)' add up to \(kinds.values.reduce(0, +)) object(s), not its \(entry.objects)")
                }
            }
            ranges.append((entry.offset, entry.offset + entry.length, image))
        }
        ranges.sort { $0.offset < $1.offset }
        for (earlier, later) in zip(ranges, ranges.dropFirst()) where later.offset < earlier.end {
            throw refuse(JSONPointer(tokens: ["images", later.image]).description, "the ranges of images '\(earlier.image)' and '\(later.image)' overlap")
        }
    }
}
