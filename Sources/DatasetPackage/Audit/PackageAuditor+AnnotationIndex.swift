import Annotations
import MIFACore

extension AuditRun {
    /// Reads the package's format version once for the run (``formatVersion``): an earlier one
    /// than this build writes is reported as info (it reads as it is; the next version made of it
    /// upgrades it), and a root group that cannot be read again is reported, not passed over.
    mutating func checkFormatVersion() {
        let version: String
        do {
            version = try package.formatVersion()
        } catch {
            add(.error, .unreadable, path: PackageLayout.rootGroup,
                "the package's zarr.json cannot be read again (\(error)), so its format version is unknown and the vector sets' indexes were checked only where present")
            return
        }
        formatVersion = version
        guard version != PackageLayout.formatVersion else { return }
        add(.info, .formatOutdated, path: PackageLayout.rootGroup, pointer: "/attributes/mifa/version",
            "the package is in format version \(version); this MIFAKit writes \(PackageLayout.formatVersion), which adds an index to each vector set so that one image's objects can be read alone. It reads as it is; the next `mifa version` upgrades it (a version given only --changes changes nothing else)")
    }

    /// A vector set's index (format 2) describes its GeoJSON: it validates against the file's
    /// digest and size (see ``AnnotationIndex/validate(describing:file:)``), lists every image the
    /// set has objects on with their number (and, where it counts them, their kinds), and each
    /// range holds exactly those objects.
    mutating func checkAnnotationIndex(_ set: String, geojson: [UInt8], document: AnnotationDocument, manifest: Manifest) {
        let indexFile = PackageLayout.annotationIndex(set)
        guard manifest.files[indexFile] != nil else {
            if formatVersion == PackageLayout.formatVersion {
                add(.error, .annotationIndexMissing, path: indexFile,
                    "vector set \(set) has no index.json, which format \(PackageLayout.formatVersion) requires (readers fall back to the whole file); `mifa version` writes it")
            }
            return
        }
        let entry = ManifestEntry(sha256: SHA256Digest(of: geojson), bytes: geojson.count)
        do {
            let index = try AnnotationIndex.decode(package.reader.read(indexFile, limit: AnnotationIndex.sizeLimit), describing: entry, file: indexFile)
            var counts: [String: Int] = [:], kinds: [String: [String: Int]] = [:]
            for annotation in document.annotations {
                let image = AnnotationIndex.imageID(of: annotation, in: document) ?? ""
                counts[image, default: 0] += 1
                kinds[image, default: [:]][annotation.value.kindName, default: 0] += 1
            }
            if let image = counts.keys.sorted(by: byteOrder).first(where: { index.images[$0] == nil }) {
                throw PackageError(.malformed, "the index lists no range for the \(counts[image]!) object(s) of image '\(image.isEmpty ? "(none)" : image)'",
                                   context: ErrorContext(file: indexFile, pointer: "/images"))
            }
            let header = Array(geojson[..<index.headerBytes])
            for (image, range) in index.images.sorted(by: { byteOrder($0.key, $1.key) }) {
                guard counts[image] == range.objects else {
                    throw PackageError(.malformed, "the index says image '\(image)' has \(range.objects) object(s); the set has \(counts[image] ?? 0)",
                                       context: ErrorContext(file: indexFile, pointer: JSONPointer(tokens: ["images", image, "objects"]).description))
                }
                if let counted = range.kinds, counted != kinds[image] {
                    let listed = { (kinds: [String: Int]) in kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") }
                    throw PackageError(.malformed, "the index says image '\(image)' has \(listed(counted)); the set has \(listed(kinds[image] ?? [:]))",
                                       context: ErrorContext(file: indexFile, pointer: JSONPointer(tokens: ["images", image, "kinds"]).description))
                }
                _ = try VectorSetReader.indexed(image, entry: range, header: header, features: geojson[range.offset..<range.offset + range.length], set: set)
            }
        } catch let error as any MIFAError {
            add(.error, .annotationIndexInvalid, path: indexFile, pointer: error.context.pointer,
                "\(error.message); reading one image's objects through it is refused. `mifa version` rewrites it from the set's GeoJSON")
        } catch {
            add(.error, .annotationIndexInvalid, path: indexFile, "\(error)")
        }
    }
}
