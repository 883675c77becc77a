import Annotations
import MIFACore

/// Reads the vector annotation files of each set and merges them into one normalised
/// ``Annotations/AnnotationDocument`` per set, whose images are the package images (id = package
/// image id) and whose objects each name their package image (`image_id` on every feature).
struct VectorSetBuilder {
    /// The source folder.
    let root: String
    /// Package images: id -> (source entry, height, width).
    let images: [String: (entry: SourceEntry, height: Int, width: Int)]
    /// The planner, to resolve references to files.
    let resolve: (String) -> SourceEntry?

    var documents: [String: AnnotationDocument] = [:]
    var objectCounts: [String: Int] = [:]
    /// Per file: the package images its objects were given to.
    var imagesOfFile: [String: [String]] = [:]
    var unmatched: [UnmatchedItem] = []
    var problems: [String] = []

    /// Reads and merges one file into its set.
    mutating func add(_ file: IngestPlan.VectorFile) {
        let path = "\(root)/\(file.entry.path)"
        guard case .vector(let format) = file.entry.kind else { return }
        var read: AnnotationDocument
        do {
            var options = ConversionOptions()
            if format == .yolo {
                // YOLO coordinates are fractions of the image size: the source image's, else the one
                // size every packed image shares, else the reader finds each image file beside the labels.
                let sizes = Set(images.values.map { ImageSize(width: $0.width, height: $0.height) })
                if let imageID = file.imageID, let image = images[imageID] {
                    options.imageSize = ImageSize(width: image.width, height: image.height)
                } else if sizes.count == 1 {
                    options.imageSize = sizes.first
                }
            }
            read = try Converter.read(path, format: format, options: options).document
            try read.validateReferences()
            _ = try ObjectAnnotator.annotators(of: read, file: file.entry.path)
            if format == .napariPointsCSV { read = Self.fileScopedIDs(read, file: file.entry) }
        } catch let error as any MIFAError {
            problems.append("\(file.entry.path) (annotation set \(file.setID), read as \(format)): \(error.message)\(error.context.isEmpty ? "" : " (\(error.context))")")
            return
        } catch {
            problems.append("\(file.entry.path) (annotation set \(file.setID), read as \(format)): \(error)")
            return
        }
        // Each object's package image.
        var mapping: [Identifier: String] = [:]
        var fallback: String?
        // A document listing several images says itself which image each object is on; otherwise
        // the file's source image (file list, file_metadata or indicator) holds every object.
        // A CTC folder's images are the frames of its one source image.
        let perImage = file.imageID == nil || (read.images.count > 1 && format != .ctc)
        if !perImage {
            fallback = file.imageID
        } else {
            for reference in read.images {
                if let imageID = match(reference) {
                    mapping[reference.id] = imageID
                } else {
                    unmatched.append(UnmatchedItem(file: file.entry.path, line: file.line, reason: "its image \(reference.id) ('\(reference.fileName ?? "no file name")') matches no packed image; its objects are left out"))
                }
            }
            if read.images.count == 1 { fallback = mapping[read.images[0].id] }
            if read.images.isEmpty {
                unmatched.append(UnmatchedItem(file: file.entry.path, line: file.line, reason: "no source image: no image has its name, and it lists no images; name the source image in the file list or file_metadata"))
                return
            }
        }
        var kept: [Annotation] = []
        for var annotation in read.annotations {
            let target = perImage ? annotation.imageID.flatMap { mapping[$0] } ?? (annotation.imageID == nil ? fallback : nil) : fallback
            guard let target else { continue }
            annotation.imageID = .string(target)
            kept.append(annotation)
        }
        merge(kept, from: read, file: file)
    }

    /// napari writes an `index` column that restarts at 0 in every file (the row of a points layer,
    /// the shape of a shapes layer), so it names an object only within its file: the id becomes
    /// `<file stem>:<index>` (`img0:3`), which stays unique when a set has several napari files.
    static func fileScopedIDs(_ document: AnnotationDocument, file: SourceEntry) -> AnnotationDocument {
        var result = document
        for index in result.annotations.indices {
            guard let id = result.annotations[index].id else { continue }
            result.annotations[index].id = .string("\(file.stem):\(id)")
        }
        return result
    }

    /// The package image a document's image reference names, by its file name.
    private func match(_ reference: ImageReference) -> String? {
        guard let name = reference.fileName else { return images[reference.id.description] == nil ? nil : reference.id.description }
        if let entry = resolve(name), let found = images.first(where: { $0.value.entry.path == entry.path }) { return found.key }
        let stem = SourceEntry.stem(of: name.split(separator: "/").last.map(String.init) ?? name)
        let matches = images.filter { $0.value.entry.stem == stem }
        return matches.count == 1 ? matches.first!.key : nil
    }

    private mutating func merge(_ annotations: [Annotation], from read: AnnotationDocument, file: IngestPlan.VectorFile) {
        var document = documents[file.setID] ?? AnnotationDocument()
        let ids = Set(document.annotations.compactMap(\.id))
        if let duplicate = annotations.first(where: { $0.id.map(ids.contains) ?? false }) {
            problems.append("\(file.entry.path): annotation id \(duplicate.id!) is also used by another file of set \(file.setID); two annotations of a set cannot have one id: give the files' objects distinct ids (for example prefixed with the file name), or put the files in separate sets")
            return
        }
        for category in read.categories {
            if let existing = document.category(category.id) {
                if existing.name != category.name {
                    problems.append("\(file.entry.path): category \(category.id) is '\(category.name)' here but '\(existing.name)' in another file of set \(file.setID)")
                }
            } else {
                document.categories.append(category)
            }
        }
        if let tracking = read.tracking, !tracking.tracks.isEmpty {
            if document.tracking != nil {
                problems.append("\(file.entry.path): set \(file.setID) already has tracks from another file; give each tracked set one file")
            }
            document.tracking = tracking
        }
        if document.annotations.isEmpty { document.rasterization = read.rasterization }
        document.annotations += annotations
        documents[file.setID] = document
        objectCounts[file.setID, default: 0] += annotations.count
        imagesOfFile[file.entry.path] = Set(annotations.compactMap { $0.imageID?.description }).sorted()
    }

    /// The finished documents: images listed (the package images their objects name, by id).
    func finished() -> [String: AnnotationDocument] {
        documents.mapValues { document in
            var result = document
            let used = Set(document.annotations.compactMap { $0.imageID?.description }).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            result.images = used.map { id in
                ImageReference(id: .string(id), fileName: PackageLayout.image(id), width: images[id]?.width, height: images[id]?.height)
            }
            // GeoJSONWriter names each feature's image only when there are several; with one, the
            // property says it, so that every feature of a package carries its image_id.
            if used.count == 1 {
                for index in result.annotations.indices { result.annotations[index].properties["image_id"] = .string(used[0]) }
            }
            return result
        }
    }
}
