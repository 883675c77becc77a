public import Annotations
import Foundation
import MIFACore

/// One item of a source folder that `mifa pack` can ingest: a raster file, an OME-Zarr folder, or
/// an annotation file or folder, named by its path relative to the source folder.
public struct SourceEntry: Sendable, Hashable {
    /// What an entry holds.
    public enum Kind: Sendable, Hashable {
        /// A PNG, TIFF or `.npy` raster: an image, or a label image (mask) of one.
        case raster
        /// An OME-Zarr image folder (NGFF 0.4 or 0.5).
        case omeZarr
        /// Vector or tabular annotations in a format of the Annotations module (COCO, GeoJSON,
        /// napari CSV, a Cell Tracking Challenge or YOLO folder).
        case vector(AnnotationFormat)
    }

    /// The path relative to the source folder, `/`-separated.
    public var path: String
    /// What it holds.
    public var kind: Kind

    /// The file or folder name without folders.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The name without its extension (`img_01.ome.tif` -> `img_01.ome`; folders keep `.zarr` off).
    public var stem: String { Self.stem(of: name) }

    /// A name without its last extension.
    static func stem(of name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// A path of the source folder that is not ingested, and why when it is not a regular file.
    public struct Ignored: Sendable, Hashable {
        /// The path relative to the source folder, `/`-separated.
        public var path: String
        /// What it is when it is not a regular file or folder: "a symbolic link", "a FIFO, socket
        /// or device"; `nil` for a regular file that is no image or annotation file.
        public var irregularity: String?
    }

    /// Whether this is a raster or OME-Zarr image.
    public var isImageLike: Bool {
        if case .vector = kind { return false }
        return true
    }

    /// The entries of a source folder, sorted by path, with the files to leave out (the metadata
    /// and file list when they sit inside it) and the files that are none of the above.
    ///
    /// Hidden names (starting with `.`) are skipped. An OME-Zarr folder (a `zarr.json`, `.zattrs`
    /// or `.zgroup` at its top), a Cell Tracking Challenge folder (`man_track.txt`, `res_track.txt`
    /// or `TRA`) and a YOLO folder (`classes.txt` or `data.yaml`) are single entries; in an
    /// Ultralytics dataset (`data.yaml` or `classes.txt` beside `labels/`) the `labels` folder is the
    /// YOLO entry and the rest is descended into; other folders are descended into.
    /// - Throws: ``PackageError`` `.invalidInput` when `root` is not a folder or holds a name that is
    ///   not UTF-8 (which cannot be read, so would be lost), `.io` when a folder cannot be listed.
    static func scan(_ root: String, excluding excluded: Set<String>) throws -> (entries: [SourceEntry], ignored: [Ignored]) {
        guard FileSystem.kind(of: root) == .directory else {
            throw PackageError(.invalidInput, "the source '\(root)' is not a folder; give the folder holding the images and annotations", context: ErrorContext(file: root))
        }
        let excludedNames = Set(excluded.map { $0.split(separator: "/").last.map(String.init) ?? $0 })
        var entries: [SourceEntry] = []
        var ignored: [Ignored] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root : "\(root)/\(relative)"
            let names = try PackageFileSystem.walkTopLevel(folder)
            // An Ultralytics dataset (data.yaml or classes.txt beside labels/ and images/): its labels
            // folder is one YOLO entry, read by the reader `mifa convert` uses (YOLOFolder), with the
            // class names of the file beside it; its images stay images.
            var consumed = Set<String>()
            if isYOLODataset(folder, names: names) {
                consumed = Set(names).intersection(YOLOFolder.classFileNames).union(["labels"])
                entries.append(SourceEntry(path: relative.isEmpty ? "labels" : "\(relative)/labels", kind: .vector(.yolo)))
            }
            for name in names where !name.hasPrefix(".") && !consumed.contains(name) {
                let path = relative.isEmpty ? name : "\(relative)/\(name)"
                let full = "\(root)/\(path)"
                if excludedNames.contains(name), excluded.contains(canonical(full)) { continue }
                switch FileSystem.kind(of: full) {
                case .directory:
                    let inside = try PackageFileSystem.walkTopLevel(full)
                    if !Set(inside).isDisjoint(with: ["zarr.json", ".zattrs", ".zgroup"]) {
                        entries.append(SourceEntry(path: path, kind: .omeZarr))
                    } else if !Set(inside).isDisjoint(with: ["man_track.txt", "res_track.txt", "TRA"]) {
                        entries.append(SourceEntry(path: path, kind: .vector(.ctc)))
                    } else if !Set(inside).isDisjoint(with: YOLOFolder.classFileNames), !isYOLODataset(full, names: inside) {
                        entries.append(SourceEntry(path: path, kind: .vector(.yolo)))
                    } else {
                        pending.append(path)
                    }
                case .file:
                    if let kind = try fileKind(full) { entries.append(SourceEntry(path: path, kind: kind)) } else { ignored.append(Ignored(path: path)) }
                case .symbolicLink:
                    ignored.append(Ignored(path: path, irregularity: "a symbolic link"))
                case .other:
                    ignored.append(Ignored(path: path, irregularity: "a FIFO, socket or device"))
                case nil:
                    // Listed but not there under the listed name: Foundation lists a name that is not
                    // UTF-8 with U+FFFD in place of its bad bytes, a name no file has.
                    guard name.unicodeScalars.contains("\u{FFFD}") else { continue }
                    throw PackageError(
                        .invalidInput,
                        "'\(path)' in the source folder has a name that is not UTF-8 text (shown with \u{FFFD} for its bad bytes), so it cannot be read or named in a package; rename it to UTF-8, e.g. `convmv -f latin1 -t utf8 --notest -r '\(root)'`, or with `mv` in a shell whose locale matches the name's encoding",
                        context: ErrorContext(file: full))
                }
            }
        }
        let order: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return (entries.sorted { order($0.path, $1.path) }, ignored.sorted { order($0.path, $1.path) })
    }

    /// Whether a folder is an Ultralytics-style YOLO dataset: a class-name file (`data.yaml`,
    /// `dataset.yaml` or `classes.txt`) beside a `labels` folder.
    static func isYOLODataset(_ folder: String, names: [String]) -> Bool {
        names.contains("labels") && !Set(names).isDisjoint(with: YOLOFolder.classFileNames)
            && FileSystem.kind(of: "\(folder)/labels") == .directory
    }

    /// The absolute path with symbolic links resolved (to compare paths given in different ways).
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The kind of a file by its extension (and, for `.json` and `.csv`, its first bytes).
    static func fileKind(_ path: String) throws -> Kind? {
        let lower = path.lowercased()
        if lower.hasSuffix(".tif") || lower.hasSuffix(".tiff") || lower.hasSuffix(".png") || lower.hasSuffix(".npy") { return .raster }
        if lower.hasSuffix(".json") || lower.hasSuffix(".geojson") || lower.hasSuffix(".csv") {
            return .vector(try AnnotationFormat.detect(input: path))
        }
        return nil
    }
}
