
/// What `mifa pack` will make of a source folder, decided before anything is written: which
/// entries are images (and their package ids), which raster annotations become labels of which
/// image, which vector files belong to which annotation set and image, and what could not be matched.
///
/// The rules (documented for users in `mifa pack --help`):
/// - **Roles.** A file-list row with a `Source image` or an `Annotation type` is an annotation, one
///   with neither an image; a file named by a set's `file_metadata` `annotation_id` is an annotation of
///   that set; a file named by `images[].path`, a `source_image_id` or a `Source image` is an image.
///   Other rasters and OME-Zarr folders are images, except that under `file_name_pattern` a raster
///   whose name is another raster's name plus a separator (`_`, `-`, `.`) and a suffix
///   (`img_01_mask.png` for `img_01.tif`) is an annotation, and a raster inside a mask folder
///   (`masks/`, `labels/`, `gt/`, ...) with the name of an image outside such folders
///   (`masks/IM1.tif` for `images/IM1.tif`) is that image's mask. COCO, GeoJSON, CSV, CTC and YOLO
///   entries are annotations.
/// - **Image ids.** The `id` of the `images` entry whose `path` (or `id`) is the file's relative path,
///   when it is a safe name, else the file name without extension; characters outside `A-Z a-z 0-9 . _ -` become `_`, and
///   names two images share fall back to the whole relative path.
/// - **Sets.** The i-th annotation set of the metadata is `set<i>` (`set1`, `set2`, ...). A file
///   belongs to the set whose `file_metadata` lists it, else to the only set, else to the only set
///   whose `annotation_type` holds the file's type.
/// - **Source image.** The file list's `Source image`, else `file_metadata`'s `source_image_id`
///   (a relative path, an image id, or a path that ends in one image's path), else by the set's
///   `annotation_source_indicator`: `file_name_exact_match` (default when absent) pairs equal names
///   without extension, `file_name_pattern` an image whose name plus a separator starts the
///   annotation's name (the longest such); `metadata_file`, `file_path` and `other` need one of the
///   explicit sources. A COCO, GeoJSON or YOLO source without a source image has its own image list: each of
///   its images is matched by file name the same way.
struct IngestPlan {
    /// An image to convert.
    struct Image {
        var id: String
        var entry: SourceEntry
        /// The index of its entry in the metadata's `images`, if any.
        var metadataIndex: Int?
        var attributes: [SourceFileList.Attribute]
        /// Its machine-learning split, from the metadata's `images[].split` or the file list's
        /// `Split` column (of its own row or of its annotation files' rows), which must agree.
        var split: String? = nil
    }

    /// A raster annotation of an image, written as `images/<image>/labels/<set>`.
    struct Label {
        var setID: String
        var imageID: String
        var entry: SourceEntry
        var attributes: [SourceFileList.Attribute]
        var annotationType: String?
    }

    /// A vector annotation file of a set, with its source image when one is known for the whole file.
    struct VectorFile {
        var setID: String
        var entry: SourceEntry
        var imageID: String?
        var line: Int?
        var attributes: [SourceFileList.Attribute]
        var annotationType: String?
    }

    var images: [Image] = []
    var labels: [Label] = []
    var vectorFiles: [VectorFile] = []
    /// Set ids, one per annotation set of the metadata, in order.
    var setIDs: [String] = []
    /// For each metadata `file_metadata` entry (set index, entry index) that names a file: the package image id.
    var resolvedFileMetadata: [FileMetadataKey: String] = [:]
    var unmatched: [UnmatchedItem] = []
    var ignored: [String] = []

    /// A `file_metadata` entry's place.
    struct FileMetadataKey: Hashable {
        var set: Int
        var index: Int
    }
}

/// Something in the source that `mifa pack` could not place: a file, a row of the file list or a
/// metadata entry, and why. Unmatched items are left out of the package and listed in the summary.
public struct UnmatchedItem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file (relative to the source folder), or the metadata / file list file.
    public var file: String
    /// The line of the file list row, if it came from one.
    public var line: Int?
    /// The metadata pointer (e.g. `/annotations/0/file_metadata/3`), if it came from the metadata.
    public var pointer: String?
    /// Why it could not be matched and how to fix it.
    public var reason: String

    /// An unmatched item.
    public init(file: String, line: Int? = nil, pointer: String? = nil, reason: String) {
        self.file = file
        self.line = line
        self.pointer = pointer
        self.reason = reason
    }

    /// `file (line 3): reason`.
    public var description: String {
        var place = file
        if let line { place += " (line \(line))" }
        if let pointer { place += " (\(pointer))" }
        return "\(place): \(reason)"
    }
}
