import Foundation
import MIFACore

/// Reads and writes YOLO label folders (https://docs.ultralytics.com/datasets/detect/ and
/// /datasets/segment/): one `<image>.txt` per image, one object per line, as
/// `class cx cy w h` (boxes, optionally followed by a confidence) or `class x1 y1 x2 y2 ...`
/// (polygons), coordinates normalised to the image's width and height; class names in
/// `classes.txt` (one per line) or `data.yaml` (`names:`).
public enum YOLOFolder {
    /// What YOLO lines to write.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Polygons when any annotation has an area other than a box, else boxes.
        case auto
        /// `class cx cy w h` lines.
        case boxes
        /// `class x1 y1 ...` polygon lines.
        case segments
    }

    /// The files that name a YOLO dataset's classes: `classes.txt` (one name per line) or an
    /// Ultralytics data file (`names:`).
    public static let classFileNames: Set<String> = ["classes.txt", "data.yaml", "dataset.yaml"]

    /// Reads a YOLO dataset: an Ultralytics layout (a `data.yaml` with splits, list files
    /// `train.txt` / `val.txt` of image paths, or `images/<split>/` folders, each image's labels
    /// found by Ultralytics' `images/` -> `labels/` rule), or else a folder of `.txt` label files
    /// (in it or in its `labels` subfolder, and in their split subfolders), each image next to its
    /// labels, in an `images` sibling or subfolder.
    ///
    /// - Parameters:
    ///   - path: the folder, a data file, a list file, or one `.txt` label file.
    ///   - imageSize: the size of every image; when `nil`, each image's size is read from its file.
    /// - Throws: ``AnnotationError`` `.invalidArgument` when an image's size cannot be found,
    ///   `.malformed` naming the file and line, `.io` for a listed image that does not exist,
    ///   `.unsupported` when label files pair with none of the listed images (they would be lost).
    public static func read(path: String, imageSize: ImageSize? = nil) throws -> AnnotationReadResult {
        guard let kind = FileSystem.resolvedKind(of: path) else {
            throw AnnotationError(.io, "'\(path)' does not exist", context: ErrorContext(file: path))
        }
        if let dataset = try UltralyticsDataset.find(path) { return try read(dataset, imageSize: imageSize) }
        var folder = kind == .directory ? path : URL(fileURLWithPath: path).deletingLastPathComponent().path
        var files: [String]
        if kind == .directory {
            if FileSystem.resolvedKind(of: folder + "/labels") != nil { folder += "/labels" }
            files = try labelFiles(in: folder)
        } else {
            files = [path]
        }
        let root = URL(fileURLWithPath: folder).lastPathComponent == "labels" ? URL(fileURLWithPath: folder).deletingLastPathComponent().path : folder
        var reader = LabelReader(names: try classNames(in: [folder, root]))
        for file in files {
            let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            // Ultralytics pairs labels/<split>/x.txt with images/<split>/x.*.
            let split = URL(fileURLWithPath: file).deletingLastPathComponent().path
            let mirrored = split.hasPrefix(folder + "/") ? root + "/images" + split.dropFirst(folder.count) : split
            let size = try imageSize ?? findImageSize(stem: stem, near: [split, mirrored, folder, root, root + "/images"], file: file)
            try reader.add(image: ImageReference(id: .string(stem), fileName: stem, width: size.width, height: size.height), labels: file)
        }
        return reader.finish()
    }

    /// Reads an Ultralytics dataset: every listed image, with the objects of its label file.
    /// - Throws: ``AnnotationError`` as ``read(path:imageSize:)``.
    static func read(_ dataset: UltralyticsDataset, imageSize: ImageSize?) throws -> AnnotationReadResult {
        let unpaired = try dataset.unpairedLabelFiles()
        if let first = unpaired.first {
            throw AnnotationError(
                .unsupported,
                "\(unpaired.count) label file(s) under labels/ pair with no image listed by \(dataset.sources.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")) (Ultralytics pairs images/<split>/x.jpg with labels/<split>/x.txt); their objects would be lost: add the images to the list, or give the folder of labels with --from yolo after removing the list",
                context: ErrorContext(file: first))
        }
        let folder = URL(fileURLWithPath: dataset.root).standardizedFileURL.path
        func relative(_ image: String) -> String {
            let full = URL(fileURLWithPath: image).standardizedFileURL.path
            return full.hasPrefix(folder + "/") ? String(full.dropFirst(folder.count + 1)) : full
        }
        let stems = dataset.items.map { URL(fileURLWithPath: $0.image).deletingPathExtension().lastPathComponent }
        let unique = Set(stems).count == stems.count
        let dataFolders = dataset.sources.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
        var reader = LabelReader(names: try classNames(in: dataFolders + [folder]))
        for (item, stem) in zip(dataset.items, stems) {
            let name = relative(item.image)
            let size = try imageSize ?? ImageSize.of(file: item.image)
            let id = unique ? stem : URL(fileURLWithPath: name).deletingPathExtension().relativePath
            let image = ImageReference(id: .string(id), fileName: name, width: size.width, height: size.height)
            try reader.add(image: image, labels: FileSystem.resolvedKind(of: item.label) != nil ? item.label : nil)
        }
        return reader.finish()
    }

    /// Turns label files into a document, one image at a time.
    struct LabelReader {
        var document = AnnotationDocument()
        var warnings: [AnnotationWarning] = []
        var nextID: Int64 = 1
        var usedClasses = Set<Int64>()

        init(names: [String]) {
            document.categories = names.enumerated().map { Category(id: .int(Int64($0)), name: $1) }
        }

        /// Adds an image and the objects of its label file (none when `labels` is `nil`).
        mutating func add(image: ImageReference, labels file: String?) throws {
            document.images.append(image)
            guard let file, let width = image.width, let height = image.height else { return }
            guard let text = String(validating: try FileBytes.read(file), as: UTF8.self) else {
                throw AnnotationError(.malformed, "not UTF-8 text", context: ErrorContext(file: file))
            }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                if fields.isEmpty { continue }
                let context = ErrorContext(file: file, line: number + 1)
                guard let classID = Int64(fields[0]), classID >= 0 else {
                    throw AnnotationError(.malformed, "a line starts with a class index (a whole number from 0), found '\(fields[0])'", context: context)
                }
                let values = fields.dropFirst().map { Double($0) }
                guard values.allSatisfy({ $0?.isFinite == true }) else {
                    throw AnnotationError(.malformed, "every value after the class is a finite number", context: context)
                }
                let numbers = values.map { $0! }
                if numbers.contains(where: { $0 < 0 || $0 > 1 }) {
                    warnings.append(AnnotationWarning(.outsideImage, "coordinates outside 0...1 (outside the image); kept", context: context))
                }
                var annotation = Annotation(id: .int(nextID), imageID: image.id, categoryID: .int(classID), value: .classLabel)
                let (w, h) = (Double(width), Double(height))
                if numbers.count == 4 || numbers.count == 5 {
                    let (cx, cy, bw, bh) = (numbers[0] * w, numbers[1] * h, numbers[2] * w, numbers[3] * h)
                    guard bw >= 0, bh >= 0 else { throw AnnotationError(.invalidGeometry, "a box has a negative width or height", context: context) }
                    annotation.value = .box(BoundingBox(x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh))
                    if numbers.count == 5 { annotation.confidence = numbers[4] }
                } else if numbers.count >= 6 && numbers.count % 2 == 0 {
                    var vertices: [Vertex] = []
                    for index in stride(from: 0, to: numbers.count, by: 2) { vertices.append(Vertex(numbers[index] * w, numbers[index + 1] * h)) }
                    annotation.value = .geometry(.polygon(Polygon(exterior: Ring(vertices).oriented(counterClockwise: true))))
                } else {
                    throw AnnotationError(.malformed, "a YOLO line is 'class cx cy w h [confidence]' or 'class x1 y1 x2 y2 x3 y3 ...'; this one has \(numbers.count) numbers after the class", context: context)
                }
                usedClasses.insert(classID)
                document.annotations.append(annotation)
                nextID += 1
            }
        }

        /// The document, with the classes used but not named added.
        mutating func finish() -> AnnotationReadResult {
            let named = Set(document.categories.compactMap(\.id.intValue))
            for classID in usedClasses.subtracting(named).sorted() {
                document.categories.append(Category(id: .int(classID), name: String(classID)))
            }
            document.categories.sort { $0.id < $1.id }
            return AnnotationReadResult(document: document, warnings: warnings)
        }
    }

    /// The label files of a labels folder: its `.txt` files but `classes.txt`, then those of its
    /// subfolders (one level: the splits), each sorted by name.
    /// - Throws: ``AnnotationError`` `.io` when the folder cannot be listed.
    static func labelFiles(in folder: String) throws -> [String] {
        let names = try FileBytes.names(in: folder)
        var files: [String] = []
        var splits: [String] = []
        for name in names where !name.hasPrefix(".") {
            guard let kind = FileSystem.resolvedKind(of: folder + "/" + name) else { continue }
            if kind == .directory {
                splits.append(name)
            } else if name.hasSuffix(".txt") && name != "classes.txt" {
                files.append(folder + "/" + name)
            }
        }
        for split in splits {
            let inside = try FileBytes.names(in: folder + "/" + split)
            files += inside.filter { $0.hasSuffix(".txt") && $0 != "classes.txt" && !$0.hasPrefix(".") }.map { folder + "/" + split + "/" + $0 }
        }
        return files
    }

    /// The class names from `classes.txt` or `data.yaml` in the first folder that has one.
    static func classNames(in folders: [String]) throws -> [String] {
        for folder in folders {
            if FileSystem.resolvedKind(of: folder + "/classes.txt") != nil {
                guard let text = String(validating: try FileBytes.read(folder + "/classes.txt"), as: UTF8.self) else {
                    throw AnnotationError(.malformed, "the class names are not UTF-8 text", context: ErrorContext(file: folder + "/classes.txt"))
                }
                return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            }
            for name in ["data.yaml", "dataset.yaml"] {
                guard FileSystem.resolvedKind(of: folder + "/" + name) != nil else { continue }
                guard let text = String(validating: try FileBytes.read(folder + "/" + name), as: UTF8.self) else {
                    throw AnnotationError(.malformed, "the data file is not UTF-8 text", context: ErrorContext(file: folder + "/" + name))
                }
                return try namesFromYAML(text, file: folder + "/" + name)
            }
        }
        return []
    }

    /// The `names:` of an Ultralytics data file: a flow list `[a, b]`, a block list `- a`, or a
    /// mapping `0: a`.
    static func namesFromYAML(_ text: String, file: String) throws -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("names:") }) else { return [] }
        func clean(_ value: Substring) -> String {
            value.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
        let inline = lines[start].dropFirst("names:".count).trimmingCharacters(in: .whitespaces)
        if inline.hasPrefix("[") {
            guard inline.hasSuffix("]") else { throw AnnotationError(.unsupported, "write names: [a, b] on one line, or use classes.txt", context: ErrorContext(file: file, line: start + 1)) }
            return inline.dropFirst().dropLast().split(separator: ",").map(clean)
        }
        var mapped: [(Int, String)] = []
        var listed: [String] = []
        for line in lines[(start + 1)...] {
            guard line.hasPrefix(" ") || line.hasPrefix("\t") || line.hasPrefix("-") else { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("- ") {
                listed.append(clean(trimmed.dropFirst(2)))
            } else if let colon = trimmed.firstIndex(of: ":"), let index = Int(trimmed[..<colon]) {
                mapped.append((index, clean(trimmed[trimmed.index(after: colon)...])))
            } else {
                throw AnnotationError(.unsupported, "cannot read this line of names:; use classes.txt", context: ErrorContext(file: file))
            }
        }
        if !mapped.isEmpty {
            let count = (mapped.map(\.0).max() ?? -1) + 1
            var names = (0..<count).map(String.init)
            for (index, name) in mapped where index >= 0 { names[index] = name }
            return names
        }
        return listed
    }

    /// The size of the image with this stem in one of the folders.
    static func findImageSize(stem: String, near folders: [String], file: String) throws -> ImageSize {
        for folder in folders {
            for ext in ["png", "tif", "tiff", "jpg", "jpeg", "npy", "PNG", "TIF", "JPG"] {
                let candidate = folder + "/" + stem + "." + ext
                if FileSystem.resolvedKind(of: candidate) != nil { return try ImageSize.of(file: candidate) }
            }
        }
        throw AnnotationError(.invalidArgument, "YOLO coordinates are fractions of the image size, and no image named \(stem).png/.tif/.jpg was found next to the labels or in images/; give --image WIDTHxHEIGHT", context: ErrorContext(file: file))
    }
}
