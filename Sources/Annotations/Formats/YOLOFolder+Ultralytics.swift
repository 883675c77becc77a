import Foundation
import MIFACore

/// A YOLO dataset in the Ultralytics layout (https://docs.ultralytics.com/datasets/detect/): the
/// images are listed first, by a `data.yaml` (`path`, `train`, `val`, `test`: folders, list files
/// or lists of them), by list files `train.txt` / `val.txt` / `test.txt` (one image path a line),
/// or by an `images/` folder; each image's labels are found by Ultralytics' rule
/// (`img2label_paths`): the last `/images/` of the image's path becomes `/labels/` and the
/// extension becomes `.txt`. Datumaro's `yolo_ultralytics` export writes this layout.
struct UltralyticsDataset {
    /// One listed image and where its label file is (which may not exist: an image without objects).
    struct Item {
        /// The image file.
        var image: String
        /// The label file by Ultralytics' rule.
        var label: String
    }

    /// The folder every relative path is reported from.
    var root: String
    /// The images, in the order they are first listed; an image listed by several splits (a data
    /// file whose `train` and `val` name the same folder, as small Ultralytics examples do) once.
    var items: [Item]
    /// The files that listed them (the data file or list files), for messages.
    var sources: [String]

    /// A dataset of `items`, each image kept once (at its first listing).
    init(root: String, items: [Item], sources: [String]) {
        var seen = Set<String>()
        self.root = root
        self.items = items.filter { seen.insert(URL(fileURLWithPath: $0.image).standardizedFileURL.path).inserted }
        self.sources = sources
    }

    /// The image file extensions Ultralytics reads (`IMG_FORMATS`).
    static let imageExtensions: Set<String> = ["bmp", "dng", "jpeg", "jpg", "mpo", "png", "tif", "tiff", "webp", "pfm", "heic"]
    /// The list files a dataset folder may hold, in split order.
    static let listFileNames = ["train.txt", "val.txt", "test.txt"]

    /// The label file of an image by Ultralytics' `img2label_paths` rule; `nil` when the path has
    /// no `images` folder.
    static func labelPath(ofImage image: String) -> String? {
        guard let range = image.range(of: "/images/", options: .backwards) else { return nil }
        var label = image.replacingCharacters(in: range, with: "/labels/")
        let name = URL(fileURLWithPath: label).lastPathComponent
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            label.removeLast(name.distance(from: dot, to: name.endIndex))
        }
        return label + ".txt"
    }

    /// The dataset `path` names (a data file, a list file, or a folder with a data file, list
    /// files or an `images/` folder); `nil` when it is none of those (a plain folder of labels).
    /// - Throws: ``AnnotationError`` `.io` for a listed image or folder that does not exist (naming
    ///   the file and line that listed it), `.malformed` for a data file without splits.
    static func find(_ path: String) throws -> UltralyticsDataset? {
        guard let kind = FileSystem.resolvedKind(of: path) else { return nil }
        if kind != .directory {
            let name = URL(fileURLWithPath: path).lastPathComponent
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") { return try fromDataFile(path) }
            if try isListFile(path) {
                let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
                return UltralyticsDataset(root: folder, items: try items(listedIn: path), sources: [path])
            }
            return nil
        }
        for name in YOLOFolder.classFileNames where name.hasSuffix(".yaml") {
            let file = path + "/" + name
            if FileSystem.resolvedKind(of: file) != nil, try dataFileHasSplits(file) { return try fromDataFile(file) }
        }
        var lists: [String] = []
        for name in listFileNames where FileSystem.resolvedKind(of: path + "/" + name) != nil {
            if try isListFile(path + "/" + name) { lists.append(path + "/" + name) }
        }
        if !lists.isEmpty {
            return UltralyticsDataset(root: path, items: try lists.flatMap { try items(listedIn: $0) }, sources: lists)
        }
        if FileSystem.isFolder(path + "/images") {
            return UltralyticsDataset(root: path, items: try items(under: path + "/images"), sources: [path + "/images"])
        }
        return nil
    }

    /// Whether a `.txt` file lists image paths (rather than holding YOLO label lines).
    static func isListFile(_ path: String) throws -> Bool {
        let text = String(decoding: try FileBytes.read(path).prefix(4096), as: UTF8.self)
        guard let first = text.split(whereSeparator: \.isNewline).first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return false }
        let ext = URL(fileURLWithPath: first.trimmingCharacters(in: .whitespaces)).pathExtension.lowercased()
        return imageExtensions.contains(ext)
    }

    /// Whether a data file names at least one split.
    static func dataFileHasSplits(_ file: String) throws -> Bool {
        let entries = try dataFileEntries(file)
        return ["train", "val", "test"].contains { entries[$0] != nil }
    }

    /// The dataset of an Ultralytics data file: `path` (relative to the data file) is the root,
    /// `train`, `val` and `test` are folders, list files or lists of them, relative to the root.
    static func fromDataFile(_ file: String) throws -> UltralyticsDataset {
        let entries = try dataFileEntries(file)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        var root = folder
        if let path = entries["path"]?.first, !path.isEmpty {
            root = path.hasPrefix("/") ? path : folder + "/" + path
            if !FileSystem.isFolder(root) { root = folder }
        }
        var listed: [Item] = []
        var named = false
        for split in ["train", "val", "test"] {
            for value in entries[split] ?? [] where !value.isEmpty {
                named = true
                var target = value.hasPrefix("/") ? value : root + "/" + value
                if FileSystem.resolvedKind(of: target) == nil, value.hasPrefix("../") { target = root + "/" + value.dropFirst(3) }
                if FileSystem.isFolder(target) {
                    listed += try items(under: target)
                } else if FileSystem.resolvedKind(of: target) != nil {
                    listed += try items(listedIn: target)
                } else {
                    throw AnnotationError(.io, "the \(split) split '\(value)' is neither a folder nor a list file (looked for \(target))", context: ErrorContext(file: file, key: split))
                }
            }
        }
        guard named else {
            throw AnnotationError(.malformed, "the data file names no train, val or test split; Ultralytics data files list their images there", context: ErrorContext(file: file))
        }
        return UltralyticsDataset(root: root, items: listed, sources: [file])
    }

    /// The top-level `key: value` and `key:` + `- value` entries of a data file.
    static func dataFileEntries(_ file: String) throws -> [String: [String]] {
        guard let text = String(validating: try FileBytes.read(file), as: UTF8.self) else {
            throw AnnotationError(.malformed, "the data file is not UTF-8 text", context: ErrorContext(file: file))
        }
        func clean(_ value: Substring) -> String {
            var value = value
            if let hash = value.range(of: " #") { value = value[..<hash.lowerBound] }
            return value.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
        var entries: [String: [String]] = [:]
        var current: String?
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix(" ") || line.hasPrefix("\t") || line.hasPrefix("-") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if let key = current, trimmed.hasPrefix("- ") { entries[key, default: []].append(clean(trimmed.dropFirst(2)[...])) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { current = nil; continue }
            let key = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = clean(line[line.index(after: colon)...])
            current = key
            if value.hasPrefix("[") && value.hasSuffix("]") {
                entries[key] = value.dropFirst().dropLast().split(separator: ",").map { clean($0) }
            } else if !value.isEmpty {
                entries[key] = [value]
            }
        }
        return entries
    }

    /// The images a list file names: `./x` and relative paths from the list file's folder (as
    /// Ultralytics resolves `./`), absolute paths as they are.
    static func items(listedIn file: String) throws -> [Item] {
        guard let text = String(validating: try FileBytes.read(file), as: UTF8.self) else {
            throw AnnotationError(.malformed, "the image list is not UTF-8 text", context: ErrorContext(file: file))
        }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        var items: [Item] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let entry = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty { continue }
            let relative = entry.hasPrefix("./") ? String(entry.dropFirst(2)) : entry
            let image = entry.hasPrefix("/") ? entry : folder + "/" + relative
            guard FileSystem.resolvedKind(of: image) != nil else {
                throw AnnotationError(.io, "the listed image '\(entry)' does not exist (looked for \(image)); fix the list or add the image", context: ErrorContext(file: file, line: number + 1))
            }
            guard let label = labelPath(ofImage: image) else {
                throw AnnotationError(.unsupported, "the listed image '\(entry)' is not under an images/ folder, so it has no labels/ sibling by Ultralytics' rule; put images in images/<split>/ and labels in labels/<split>/", context: ErrorContext(file: file, line: number + 1))
            }
            items.append(Item(image: image, label: label))
        }
        return items
    }

    /// The image files under a folder (all depths, sorted), as Ultralytics globs a split folder.
    static func items(under folder: String) throws -> [Item] {
        let images = try files(under: folder, "images").filter { imageExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
            .map { folder + "/" + $0 }
        return images.sorted().map { image in
            Item(image: image, label: labelPath(ofImage: image) ?? URL(fileURLWithPath: image).deletingPathExtension().path + ".txt")
        }
    }

    /// The label files under `root/labels` that no listed image pairs with (by path); none when
    /// there is no labels folder.
    /// - Throws: ``AnnotationError`` `.io` when a folder under it cannot be listed (its label files
    ///   could not be checked).
    func unpairedLabelFiles() throws -> [String] {
        let folder = root + "/labels"
        guard FileSystem.isFolder(folder) else { return [] }
        let names = try Self.files(under: folder, "labels")
        let used = Set(items.map { URL(fileURLWithPath: $0.label).standardizedFileURL.path })
        var unpaired: [String] = []
        for name in names {
            guard name.hasSuffix(".txt"), name != "classes.txt" else { continue }
            let path = URL(fileURLWithPath: folder + "/" + name).standardizedFileURL.path
            if !used.contains(path), let size = FileSystem.size(of: path), size > 0 {
                unpaired.append(folder + "/" + name)
            }
        }
        return unpaired.sorted()
    }

    /// The files (not folders) at any depth below `folder`, relative to it.
    /// - Throws: ``AnnotationError`` `.io` naming the folder (the `what` folder) when it cannot be listed.
    private static func files(under folder: String, _ what: String) throws -> [String] {
        do throws(CoreError) {
            return try FileSystem.walk(folder).filter { $0.kind != .directory }.map(\.path)
        } catch {
            throw AnnotationError(.io, "cannot list the \(what) folder", context: ErrorContext(file: folder), underlying: error)
        }
    }
}
