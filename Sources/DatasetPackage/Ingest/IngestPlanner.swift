import Annotations
import MIFACore
import MIFAModel

/// Builds an `IngestPlan` from the source entries, the metadata and the file list, collecting
/// every problem (errors stop the pack; unmatched items are reported and left out).
struct IngestPlanner {
    let entries: [SourceEntry]
    let document: MIFADocument
    let fileList: SourceFileList?
    var plan = IngestPlan()
    var problems: [String] = []

    private var entryByPath: [String: SourceEntry] = [:]
    /// What the source paths that are neither regular files nor folders are ("a symbolic link").
    private var irregularity: [String: String] = [:]
    /// The file list's rows, each naming a source entry: a row for a file inside a folder entry
    /// (a frame of a Cell Tracking Challenge folder) stands for that folder, once.
    private var rows: [SourceFileList.Row] = []
    private var rowByPath: [String: SourceFileList.Row] = [:]
    /// Annotation file path -> (set index, file_metadata index).
    private var listedAnnotation: [String: (set: Int, index: Int)] = [:]
    /// Image id -> the splits the file-list rows of its annotation files put it in, with where.
    private var splitClaims: [String: [(split: String, place: String)]] = [:]

    init(entries: [SourceEntry], ignored: [SourceEntry.Ignored], document: MIFADocument, fileList: SourceFileList?) {
        self.entries = entries
        self.document = document
        self.fileList = fileList
        plan.ignored = ignored.map(\.path)
        for item in ignored { if let what = item.irregularity { irregularity[item.path] = what } }
        entryByPath = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var folderRows = Set<String>()
        for var row in fileList?.rows ?? [] {
            if entryByPath[row.path] == nil, let folder = entries.first(where: { row.path.hasPrefix($0.path + "/") }) ?? Self.yoloEntry(namedBy: row.path, in: entries) {
                guard folderRows.insert(folder.path).inserted else { continue }
                row.path = folder.path
            }
            rows.append(row)
        }
    }

    /// Decides everything.
    /// - Throws: ``PackageError`` `.invalidInput` listing every problem found.
    mutating func run() throws -> IngestPlan {
        let sets = document.annotations ?? []
        plan.setIDs = document.annotationSetIDs
        checkFileList()
        for (setIndex, set) in sets.enumerated() {
            for (index, file) in (set.fileMetadata ?? []).enumerated() {
                guard let id = file.annotationID else { continue }
                // `file.json#IM1`: one entry per image of a file that annotates several (as the Archive's ids do).
                let fragmentBase = id.firstIndex(of: "#").map { String(id[..<$0]) }
                if let entry = resolveEntry(id) ?? fragmentBase.flatMap(resolveEntry) {
                    if let earlier = listedAnnotation[entry.path], earlier.set != setIndex || (earlier.index != index && fragmentBase == nil) {
                        problems.append("'\(entry.path)' is listed by annotations[\(earlier.set)].file_metadata[\(earlier.index)] and annotations[\(setIndex)].file_metadata[\(index)]; list each annotation file once")
                    }
                    if listedAnnotation[entry.path] == nil || fragmentBase == nil { listedAnnotation[entry.path] = (setIndex, index) }
                } else {
                    plan.unmatched.append(UnmatchedItem(file: id, pointer: "/annotations/\(setIndex)/file_metadata/\(index)/annotation_id", reason: "no file or folder of the source has this path; the entry is kept in mifa.json but no annotation is packed for it"))
                }
            }
        }
        let imagePaths = decideImages(sets: sets)
        assignImageIDs(imagePaths)
        assignAnnotations(sets: sets, imagePaths: imagePaths)
        assignSplits()
        checkEverySetHasData(sets: sets)
        guard problems.isEmpty else {
            throw PackageError(.invalidInput, "the source cannot be packed:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") + "\nnothing was written")
        }
        return plan
    }

    /// The YOLO labels entry whose class-name file (`data.yaml`, `classes.txt`) a path names: the
    /// file sits beside that `labels` folder and is read with it.
    static func yoloEntry(namedBy path: String, in entries: [SourceEntry]) -> SourceEntry? {
        let parts = path.split(separator: "/").map(String.init)
        guard let name = parts.last, YOLOFolder.classFileNames.contains(name) else { return nil }
        let labels = (parts.dropLast() + ["labels"]).joined(separator: "/")
        return entries.first { $0.path == labels && $0.kind == .vector(.yolo) }
    }

    /// A declared annotation set that gets nothing from the source is an error, never a silent
    /// skip: it names the set, the files meant for it that could not be used, and the files of the
    /// source that pack cannot read.
    private mutating func checkEverySetHasData(sets: [AnnotationSet]) {
        for (index, set) in sets.enumerated() {
            let setID = plan.setIDs[index]
            guard !plan.labels.contains(where: { $0.setID == setID }), !plan.vectorFiles.contains(where: { $0.setID == setID }) else { continue }
            var lines = ["annotations[\(index)] (\(setID), '\(set.annotationOverview ?? "no overview")') gets no annotations from the source folder; nothing of it would be packed"]
            let mine = plan.unmatched.filter { $0.pointer?.hasPrefix("/annotations/\(index)/") == true }
            for item in mine { lines.append("    \(item)") }
            let unread = plan.ignored.filter { irregularity[$0] == nil }
            if !unread.isEmpty {
                let shown = unread.prefix(12).joined(separator: ", ") + (unread.count > 12 ? ", ... (\(unread.count - 12) more)" : "")
                lines.append("    files pack cannot read as images or annotations: \(shown)")
            }
            lines.append("    pack reads masks (PNG, TIFF, .npy), COCO, GeoJSON, napari CSV, Cell Tracking Challenge folders and YOLO folders (labels/ with data.yaml or classes.txt); convert the files with `mifa convert`, name them in the set's file_metadata or the file list, or remove the set from the metadata")
            problems.append(lines.joined(separator: "\n"))
        }
    }

    // MARK: Roles

    private mutating func checkFileList() {
        guard let fileList else { return }
        for row in rows {
            if entryByPath[row.path] == nil, let what = irregularity[row.path] {
                problems.append("\(fileList.file) line \(row.line): '\(row.path)' is \(what); a package takes regular files only: list the file itself (for a link, the file it points to, copied into the source folder)")
            } else if entryByPath[row.path] == nil, plan.ignored.contains(row.path) {
                problems.append("\(fileList.file) line \(row.line): '\(row.path)' is in the source folder but is not a file pack reads (images: TIFF, PNG, .npy, OME-Zarr; annotations: masks, COCO, GeoJSON, napari CSV, CTC folders, YOLO folders with labels/ and data.yaml or classes.txt); convert it with `mifa convert`, or list the folder that holds it")
            } else if entryByPath[row.path] == nil {
                problems.append("\(fileList.file) line \(row.line): '\(row.path)' is not in the source folder; correct the path or add the file")
            } else {
                rowByPath[row.path] = row
            }
            for source in row.sourceImages where resolveEntry(source) == nil && !(document.images ?? []).contains(where: { $0.id == source }) {
                problems.append("\(fileList.file) line \(row.line): the source image '\(source)' of '\(row.path)' is not in the source folder; correct the Source image cell")
            }
        }
    }

    /// The entries that are images.
    private mutating func decideImages(sets: [AnnotationSet]) -> [String] {
        var isImage: [String: Bool] = [:]
        for (index, image) in (document.images ?? []).enumerated() {
            guard let path = image.path else { continue }
            if let entry = resolveEntry(path) { isImage[entry.path] = true } else if !isPackagePath(path, of: image) {
                problems.append("images[\(index)].path '\(path)' is not in the source folder; correct the path or add the image")
            }
        }
        for set in sets {
            for file in set.fileMetadata ?? [] {
                if let source = file.sourceImageID, let entry = resolveEntry(source) { isImage[entry.path] = true }
            }
        }
        for row in rows {
            for source in row.sourceImages { if let entry = resolveEntry(source) { isImage[entry.path] = true } }
            if row.sourceImage == nil, row.annotationType == nil, entryByPath[row.path] != nil { isImage[row.path] = true }
        }
        var annotationPaths = Set(listedAnnotation.keys)
        for row in rows where row.sourceImage != nil || row.annotationType != nil { annotationPaths.insert(row.path) }
        for path in annotationPaths.sorted() where isImage[path] == true {
            problems.append("'\(path)' is named both as an image and as an annotation (by the file list or the metadata); give it one role")
        }
        let patternSets = sets.contains { $0.annotationSourceIndicator == .fileNamePattern }
        var images: [String] = []
        for entry in entries where entry.isImageLike && !annotationPaths.contains(entry.path) {
            if isImage[entry.path] != true, patternSets, entry.kind == .raster, patternBase(of: entry) != nil { continue }
            if isImage[entry.path] != true, isMaskFolderRaster(entry) { continue }
            images.append(entry.path)
        }
        return images
    }

    /// Folder names that hold label images (Samples/README.md: `masks/` holds the masks, matched to
    /// their images by name), compared ignoring case.
    static let maskFolderNames: Set<String> = ["masks", "mask", "labels", "label", "label_images", "segmentations", "ground_truth", "groundtruth", "gt"]

    /// Whether a raster is a mask by where it sits: inside a mask folder (``maskFolderNames``), with
    /// an image of the same name outside such folders. Without a file list, `masks/IM1.tif` is the
    /// label image of `images/IM1.tif`, not a second image.
    private func isMaskFolderRaster(_ entry: SourceEntry) -> Bool {
        guard entry.kind == .raster, Self.inMaskFolder(entry.path) else { return false }
        return entries.contains { other in
            other.path != entry.path && other.isImageLike && other.stem == entry.stem && !Self.inMaskFolder(other.path)
        }
    }

    /// Whether one of the folders of a path is a mask folder.
    static func inMaskFolder(_ path: String) -> Bool {
        path.split(separator: "/").dropLast().contains { maskFolderNames.contains($0.lowercased()) }
    }

    /// Under `file_name_pattern`: the raster whose stem plus a separator starts this entry's stem (the longest).
    private func patternBase(of entry: SourceEntry, among candidates: [SourceEntry]? = nil) -> SourceEntry? {
        let pool = candidates ?? entries.filter { $0.isImageLike && $0.path != entry.path }
        let stem = entry.stem
        let matches = pool.filter { other in
            let base = other.stem
            guard stem.count > base.count + 1, stem.hasPrefix(base) else { return false }
            let separator = stem[stem.index(stem.startIndex, offsetBy: base.count)]
            return separator == "_" || separator == "-" || separator == "."
        }
        let longest = matches.map(\.stem.count).max()
        let best = matches.filter { $0.stem.count == longest }
        return best.count == 1 ? best[0] : nil
    }

    // MARK: Image ids

    private mutating func assignImageIDs(_ paths: [String]) {
        let metadataImages = document.images ?? []
        var proposals: [(path: String, id: String, metadataIndex: Int?)] = []
        var usedMetadata = Set<Int>()
        for path in paths {
            let entry = entryByPath[path]!
            var metadataIndex = metadataImages.firstIndex { $0.path.map(SourceFileList.normalizedPath) == path }
                ?? metadataImages.firstIndex { $0.id == path }
            if metadataIndex == nil {
                let byStem = metadataImages.indices.filter { index in
                    metadataImages[index].id == entry.stem && (metadataImages[index].path.map { resolveEntry($0) == nil } ?? true)
                }
                if byStem.count == 1 { metadataIndex = byStem[0] }
            }
            if let metadataIndex { usedMetadata.insert(metadataIndex) }
            // A metadata id that is a safe name is kept; one that is not (often a path, as in the
            // Archive's examples) gives way to the file name.
            let id = metadataIndex.flatMap { metadataImages[$0].id }.flatMap { SafeName.isSafe($0) ? $0 : nil } ?? SafeName.making(from: entry.stem)
            proposals.append((path, id, metadataIndex))
        }
        var count: [String: Int] = [:]
        for proposal in proposals { count[proposal.id, default: 0] += 1 }
        var taken = Set<String>()
        for proposal in proposals {
            var id = proposal.id
            if count[id]! > 1 { id = SafeName.making(from: SourceEntry.stem(of: proposal.path).replacingOccurrences(of: "/", with: "_")) }
            guard taken.insert(id).inserted else {
                problems.append("'\(proposal.path)' would get the image id '\(id)', which another image has; rename one of the files or give them ids in the metadata's images")
                continue
            }
            plan.images.append(IngestPlan.Image(id: id, entry: entryByPath[proposal.path]!, metadataIndex: proposal.metadataIndex,
                                                attributes: rowByPath[proposal.path]?.attributes ?? []))
        }
        plan.images.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        for (index, image) in metadataImages.enumerated() where !usedMetadata.contains(index) {
            problems.append("images[\(index)] ('\(image.id ?? "no id")') matches no image file of the source folder; give its path, or remove it")
        }
    }

    // MARK: Splits

    /// Gives each image its split: the metadata's `images[].split` and `file_metadata[].split`, its
    /// own file-list row's `Split` and those of its annotation files' rows must name one split; two
    /// is a problem (an image in two splits would be trained on and tested on).
    private mutating func assignSplits() {
        let metadataImages = document.images ?? []
        for (setIndex, set) in (document.annotations ?? []).enumerated() {
            for (index, file) in (set.fileMetadata ?? []).enumerated() {
                guard let split = file.split else { continue }
                let key = IngestPlan.FileMetadataKey(set: setIndex, index: index)
                guard let imageID = plan.resolvedFileMetadata[key] ?? file.sourceImageID.flatMap(imageIDForMetadataID) else { continue }
                splitClaims[imageID, default: []].append((split, "the metadata's annotations[\(setIndex)].file_metadata[\(index)].split"))
            }
        }
        for index in plan.images.indices {
            let image = plan.images[index]
            var claims: [(split: String, place: String)] = []
            if let m = image.metadataIndex, let split = metadataImages[m].split {
                claims.append((split, "the metadata's images[\(m)].split"))
            }
            if let row = rowByPath[image.entry.path], let split = row.split {
                claims.append((split, "\(fileList?.file ?? "the file list") line \(row.line) (\(row.path))"))
            }
            claims += splitClaims[image.id] ?? []
            let splits = Set(claims.map(\.split))
            if splits.count > 1 {
                let places = splits.sorted().map { split in "'\(split)' by \(claims.filter { $0.split == split }.map(\.place).joined(separator: ", "))" }
                problems.append("image '\(image.id)' is put in \(splits.count) splits: \(places.joined(separator: "; ")); an image belongs to one split (its annotations go with it): correct the Split cells or the metadata")
            }
            plan.images[index].split = claims.first?.split
        }
    }

    // MARK: Annotations

    private mutating func assignAnnotations(sets: [AnnotationSet], imagePaths: [String]) {
        let imagePathSet = Set(imagePaths)
        let imageIDByPath = Dictionary(plan.images.map { ($0.entry.path, $0.id) }, uniquingKeysWith: { first, _ in first })
        for entry in entries where !imagePathSet.contains(entry.path) {
            let row = rowByPath[entry.path]
            let listed = listedAnnotation[entry.path]
            let typeText = row?.annotationType ?? listed.flatMap { sets[$0.set].fileMetadata?[$0.index].annotationType?.first?.rawValue }
            guard let setIndex = listed?.set ?? chooseSet(sets: sets, entry: entry, typeText: typeText) else {
                plan.unmatched.append(UnmatchedItem(file: entry.path, line: row?.line, reason: sets.isEmpty
                    ? "the metadata has no annotation sets" : "cannot tell which annotation set it belongs to; list it in a set's file_metadata"))
                continue
            }
            let set = sets[setIndex]
            var imageID: String?
            var reason: String?
            let rowSources = row?.sourceImages ?? []
            if rowSources.count > 1 {
                // A file that annotates several images names them itself (COCO file_name, GeoJSON image ids).
                if entry.kind != .vector(.coco), entry.kind != .vector(.geojson) { reason = "the file list names \(rowSources.count) source images; only a COCO or GeoJSON file can annotate several" }
            } else if let source = rowSources.first ?? listed.flatMap({ set.fileMetadata?[$0.index].sourceImageID }) {
                imageID = resolveEntry(source).flatMap { imageIDByPath[$0.path] } ?? imageIDForMetadataID(source)
                if imageID == nil { reason = "its source image '\(source)' is not one of the images packed" }
            } else {
                (imageID, reason) = matchByIndicator(set.annotationSourceIndicator, entry: entry)
            }
            if let listed, let imageID { plan.resolvedFileMetadata[IngestPlan.FileMetadataKey(set: listed.set, index: listed.index)] = imageID }
            if let row, let split = row.split {
                let named = rowSources.count > 1 ? rowSources.compactMap { resolveEntry($0).flatMap { imageIDByPath[$0.path] } ?? imageIDForMetadataID($0) } : imageID.map { [$0] } ?? []
                for id in named { splitClaims[id, default: []].append((split, "\(fileList?.file ?? "the file list") line \(row.line) (\(row.path))")) }
            }
            let setID = plan.setIDs[setIndex]
            switch entry.kind {
            case .raster, .omeZarr:
                guard let imageID else {
                    plan.unmatched.append(UnmatchedItem(file: entry.path, line: row?.line, reason: reason ?? "no source image"))
                    continue
                }
                if entry.kind == .omeZarr {
                    plan.unmatched.append(UnmatchedItem(file: entry.path, line: row?.line, reason: "an OME-Zarr folder cannot be a label image here; give the mask as a PNG or TIFF"))
                    continue
                }
                if let other = plan.labels.first(where: { $0.setID == setID && $0.imageID == imageID }) {
                    problems.append("'\(entry.path)' and '\(other.entry.path)' are both masks of set \(setID) for image '\(imageID)'; an image has one label image per set")
                    continue
                }
                plan.labels.append(IngestPlan.Label(setID: setID, imageID: imageID, entry: entry, attributes: row?.attributes ?? [], annotationType: typeText))
            case .vector:
                if imageID == nil, ![.vector(.coco), .vector(.geojson), .vector(.yolo)].contains(entry.kind) {
                    plan.unmatched.append(UnmatchedItem(file: entry.path, line: row?.line, reason: reason ?? "no source image"))
                    continue
                }
                plan.vectorFiles.append(IngestPlan.VectorFile(setID: setID, entry: entry, imageID: imageID, line: row?.line,
                                                              attributes: row?.attributes ?? [], annotationType: typeText))
            }
        }
    }

    /// The set of an annotation not listed in any `file_metadata`: the only set, or the only set of its type.
    private func chooseSet(sets: [AnnotationSet], entry: SourceEntry, typeText: String?) -> Int? {
        if sets.count == 1 { return 0 }
        let type = typeText.flatMap { AnnotationType.suggestion(for: $0) } ?? defaultType(of: entry)
        guard let type else { return nil }
        let candidates = sets.indices.filter { (sets[$0].annotationType ?? []).contains(type) }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// The annotation type a format most likely holds, when the file list does not say.
    private func defaultType(of entry: SourceEntry) -> AnnotationType? {
        switch entry.kind {
        case .raster: .segmentationMask
        case .omeZarr: nil
        case .vector(let format): format.typicalAnnotationType.map(AnnotationType.init(rawValue:))
        }
    }

    /// The source image by the set's indicator, or why there is none.
    mutating func matchByIndicator(_ indicator: AnnotationSourceIndicator?, entry: SourceEntry) -> (String?, String?) {
        let indicator = indicator ?? .fileNameExactMatch
        switch indicator {
        case .fileNameExactMatch:
            let matches = plan.images.filter { $0.entry.stem == entry.stem }
            if matches.count == 1 { return (matches[0].id, nil) }
            if matches.isEmpty { return (nil, "no image has the name '\(entry.stem)' (file_name_exact_match); name the source image in the file list or file_metadata") }
            return (nil, "several images have the name '\(entry.stem)': \(matches.map(\.entry.path).joined(separator: ", ")); name the source image in the file list or file_metadata")
        case .fileNamePattern:
            if let base = patternBase(of: entry, among: plan.images.map(\.entry)), let image = plan.images.first(where: { $0.entry.path == base.path }) {
                return (image.id, nil)
            }
            return (nil, "no single image's name followed by '_', '-' or '.' starts '\(entry.stem)' (file_name_pattern); name the source image in the file list or file_metadata")
        default:
            return (nil, "the set's annotation_source_indicator is '\(indicator)', and neither the file list nor file_metadata names the source image")
        }
    }

    /// The entry a reference names: its relative path, the one entry whose path ends with the reference
    /// (or that the reference ends with) at a folder boundary, or the one folder entry holding it.
    func resolveEntry(_ reference: String) -> SourceEntry? {
        let path = SourceFileList.normalizedPath(reference)
        if let entry = entryByPath[path] { return entry }
        let matches = entries.filter { ("/" + path).hasSuffix("/" + $0.path) || ("/" + $0.path).hasSuffix("/" + path) }
        if matches.count == 1 { return matches[0] }
        // A path inside a folder entry (the TRA folder of a Cell Tracking Challenge ground truth) names that folder.
        let folders = entries.filter { path.hasPrefix($0.path + "/") }
        return folders.count == 1 ? folders[0] : nil
    }

    /// Whether a metadata image `path` is the image's place inside the package (`images/<id>`, as
    /// MIFA-MODEL.md defines `path`) rather than a file of the source folder.
    private func isPackagePath(_ path: String, of image: ImageMetadata) -> Bool {
        let normalized = SourceFileList.normalizedPath(path)
        return normalized == PackageLayout.image(image.id ?? "") || normalized.hasPrefix(PackageLayout.images + "/") && !normalized.dropFirst(PackageLayout.images.count + 1).contains("/")
    }

    /// The package id of the image a metadata image id names.
    func imageIDForMetadataID(_ id: String) -> String? {
        guard let index = (document.images ?? []).firstIndex(where: { $0.id == id }) else { return nil }
        return plan.images.first { $0.metadataIndex == index }?.id
    }
}
