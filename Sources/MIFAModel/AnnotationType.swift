/// An annotation type of the MIFA enum (`class_labels`, `segmentation_mask`, ...).
///
/// Stored as the text the document holds, so a free-text type ("Segmentation masks") is kept and
/// reported by validation, with the enum value it most likely means, instead of being dropped.
public struct AnnotationType: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The text as written (an enum value once the document is valid).
    public var rawValue: String

    /// An annotation type from its text.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Tags that identify features, patterns or classes in images.
    public static let classLabels = AnnotationType(rawValue: "class_labels")
    /// Rectangles enclosing a structure of interest.
    public static let boundingBoxes = AnnotationType(rawValue: "bounding_boxes")
    /// Numbers of objects found in an image.
    public static let counts = AnnotationType(rawValue: "counts")
    /// Analytical data extracted from the images (point spread function, SNR, focus, ...).
    public static let derivedAnnotations = AnnotationType(rawValue: "derived_annotations")
    /// Polygons and shapes outlining regions of interest (2D polygons, 3D meshes, ...).
    public static let geometricalAnnotations = AnnotationType(rawValue: "geometrical_annotations")
    /// Graphs of morphology or connectivity (skeletons, connectivity diagrams).
    public static let graphs = AnnotationType(rawValue: "graphs")
    /// Coordinates of points of interest (centroids, landmarks).
    public static let pointAnnotations = AnnotationType(rawValue: "point_annotations")
    /// An image the size of the source whose pixel values are identities or background.
    public static let segmentationMask = AnnotationType(rawValue: "segmentation_mask")
    /// Movements or trajectories of objects through a sequence of images.
    public static let tracks = AnnotationType(rawValue: "tracks")
    /// Rough, imprecise annotations that are fast to make.
    public static let weakAnnotations = AnnotationType(rawValue: "weak_annotations")
    /// Anything else (described in the annotation overview).
    public static let other = AnnotationType(rawValue: "other")

    /// The enum values, in the order of the Archive's model.
    public static let allKnown: [AnnotationType] = [
        .classLabels, .boundingBoxes, .counts, .derivedAnnotations, .geometricalAnnotations, .graphs,
        .pointAnnotations, .segmentationMask, .tracks, .weakAnnotations, .other,
    ]

    /// Whether the text is one of the enum values.
    public var isKnown: Bool { AnnotationType.allKnown.contains(self) }

    /// The text.
    public var description: String { rawValue }

    /// The enum value that free text most likely means ("Segmentation masks" ->
    /// `segmentation_mask`, "bounding box" -> `bounding_boxes`, "points" -> `point_annotations`),
    /// or `nil` when nothing is close. Matching ignores case, punctuation and plurals, knows common
    /// synonyms, and then allows a few typing errors.
    public static func suggestion(for text: String) -> AnnotationType? {
        let words = text.lowercased().unicodeScalars
            .map { TextClass.isAlphanumeric($0) ? Character($0) : " " }
            .split(separator: " ").map { singular(String($0)) }
        guard !words.isEmpty else { return nil }
        let phrase = words.joined(separator: " ")
        for known in allKnown where known.rawValue.split(separator: "_").map({ singular(String($0)) }).joined(separator: " ") == phrase {
            return known
        }
        for (synonyms, type) in synonyms where words.contains(where: synonyms.contains) {
            return type
        }
        let candidates = allKnown.map(\.rawValue)
        return TextSimilarity.closest(to: words.joined(separator: "_"), among: candidates).map(AnnotationType.init(rawValue:))
    }

    private static func singular(_ word: String) -> String {
        if word.hasSuffix("ies") && word.count > 4 { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("xes") || word.hasSuffix("ses") { return String(word.dropLast(2)) }
        if word.hasSuffix("s") && !word.hasSuffix("ss") && word.count > 3 { return String(word.dropLast()) }
        return word
    }

    private static let synonyms: [(Set<String>, AnnotationType)] = [
        (["mask", "segmentation", "labelmap", "instance", "semantic"], .segmentationMask),
        (["box", "bbox", "boundingbox", "detection"], .boundingBoxes),
        (["point", "centroid", "landmark", "keypoint", "spot"], .pointAnnotations),
        (["track", "tracking", "trajectory", "lineage"], .tracks),
        (["polygon", "shape", "roi", "contour", "outline", "mesh", "geometry"], .geometricalAnnotations),
        (["count", "counting", "number"], .counts),
        (["class", "classification", "label", "tag", "category"], .classLabels),
        (["graph", "skeleton", "network", "connectivity"], .graphs),
        (["weak", "scribble", "rough"], .weakAnnotations),
        (["derived", "psf", "snr", "focus"], .derivedAnnotations),
    ]
}

/// How annotation files are linked to their source images (the Archive's production model:
/// `annotation_source_indicator`). Kept as written; validation checks it against ``allKnown``.
public struct AnnotationSourceIndicator: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    public var rawValue: String

    /// An indicator from its text.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A metadata file (such as a file list) names each annotation's source image.
    public static let metadataFile = AnnotationSourceIndicator(rawValue: "metadata_file")
    /// Annotation and source image have exactly the same file name.
    public static let fileNameExactMatch = AnnotationSourceIndicator(rawValue: "file_name_exact_match")
    /// File names follow a pattern that relates annotation and image.
    public static let fileNamePattern = AnnotationSourceIndicator(rawValue: "file_name_pattern")
    /// The folder structure relates annotation and image.
    public static let filePath = AnnotationSourceIndicator(rawValue: "file_path")
    /// Another way, described in the annotation method.
    public static let other = AnnotationSourceIndicator(rawValue: "other")

    /// The values the Archive's model allows.
    public static let allKnown: [AnnotationSourceIndicator] = [
        .metadataFile, .fileNameExactMatch, .fileNamePattern, .filePath, .other,
    ]

    /// Whether the text is one of ``allKnown``.
    public var isKnown: Bool { AnnotationSourceIndicator.allKnown.contains(self) }

    /// The text.
    public var description: String { rawValue }
}

/// ASCII-and-Unicode letter/digit test (no Foundation needed).
enum TextClass {
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
