/// One annotation set: the annotations module of MIFA (MIFA-MODEL.md, "Annotations").
///
/// Required: ``annotationOverview``, ``annotationType`` (when absent it is derived from the files'
/// types), ``annotationMethod``. ``authors`` are the annotators, whom later versions must keep
/// crediting.
public struct AnnotationSet: Codable, Sendable, Hashable {
    /// `annotation_overview`* : what the annotations are and how they were made, in short.
    public var annotationOverview: String?
    /// `annotation_type`* : the types of annotation in the set.
    public var annotationType: [AnnotationType]?
    /// `annotation_method`* : how the annotations were created and checked.
    public var annotationMethod: String?
    /// `annotation_criteria`: rules followed when annotating.
    public var annotationCriteria: String?
    /// `annotation_coverage`: which images were annotated.
    public var annotationCoverage: String?
    /// `annotation_confidence_level`: how accurate the annotations are believed to be.
    public var annotationConfidenceLevel: String?
    /// `annotation_source_indicator`: how annotation files are linked to their source images.
    public var annotationSourceIndicator: AnnotationSourceIndicator?
    /// `authors`: the annotators.
    public var authors: [Author]?
    /// `file_metadata`: one entry per annotation file.
    public var fileMetadata: [FileLevelMetadata]?
    /// `set_id` (MIFAKit): the set's id in a package (`annotations/<set_id>/`, label images
    /// `labels/<set_id>/`); when absent the set is `set<N>`, N its 1-based place in `annotations`
    /// (see ``MIFADocument/annotationSetIDs``).
    public var setID: String?

    /// An annotation set; every field is optional so that incomplete documents can be represented.
    public init(
        annotationOverview: String? = nil, annotationType: [AnnotationType]? = nil, annotationMethod: String? = nil,
        annotationCriteria: String? = nil, annotationCoverage: String? = nil, annotationConfidenceLevel: String? = nil,
        annotationSourceIndicator: AnnotationSourceIndicator? = nil, authors: [Author]? = nil,
        fileMetadata: [FileLevelMetadata]? = nil, setID: String? = nil
    ) {
        self.annotationOverview = annotationOverview
        self.annotationType = annotationType
        self.annotationMethod = annotationMethod
        self.annotationCriteria = annotationCriteria
        self.annotationCoverage = annotationCoverage
        self.annotationConfidenceLevel = annotationConfidenceLevel
        self.annotationSourceIndicator = annotationSourceIndicator
        self.authors = authors
        self.fileMetadata = fileMetadata
        self.setID = setID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case annotationOverview = "annotation_overview"
        case annotationType = "annotation_type"
        case annotationMethod = "annotation_method"
        case annotationCriteria = "annotation_criteria"
        case annotationCoverage = "annotation_coverage"
        case annotationConfidenceLevel = "annotation_confidence_level"
        case annotationSourceIndicator = "annotation_source_indicator"
        case authors
        case fileMetadata = "file_metadata"
        case setID = "set_id"
    }
}

extension MIFADocument {
    /// The package id of each annotation set, in order: its ``AnnotationSet/setID``, else
    /// `set<N>`, N its 1-based place. The one mapping from set ids to `annotations` entries.
    public var annotationSetIDs: [String] {
        (annotations ?? []).enumerated().map { $0.element.setID ?? "set\($0.offset + 1)" }
    }
}

/// The metadata of one annotation file and its link to the source image
/// (MIFA-MODEL.md, "FileLevelMetadata").
///
/// Required: ``annotationID`` (unique in the document), ``annotationType``, ``sourceImageID``.
public struct FileLevelMetadata: Codable, Sendable, Hashable {
    /// `annotation_id`* : the annotation's identifier (often its path in the dataset).
    public var annotationID: String?
    /// `annotation_type`* : the annotation's types.
    public var annotationType: [AnnotationType]?
    /// `source_image_id`* : the image the annotation was made on.
    public var sourceImageID: String?
    /// `transformations`: transformations needed to align annotation and image.
    public var transformations: String?
    /// `spatial_information`: spatial information for non-pixel annotations.
    public var spatialInformation: String?
    /// `annotation_creation_time`: when it was created, RFC 3339 date-time with offset.
    public var annotationCreationTime: String?
    /// `split`: the machine-learning split of the source image (train, validation, test, or any
    /// named split), for sheets that give splits per annotation file; it must agree with the
    /// image's own split and every other file of the image.
    public var split: String?

    /// File-level metadata; every field is optional.
    public init(
        annotationID: String? = nil, annotationType: [AnnotationType]? = nil, sourceImageID: String? = nil,
        transformations: String? = nil, spatialInformation: String? = nil, annotationCreationTime: String? = nil,
        split: String? = nil
    ) {
        self.split = split
        self.annotationID = annotationID
        self.annotationType = annotationType
        self.sourceImageID = sourceImageID
        self.transformations = transformations
        self.spatialInformation = spatialInformation
        self.annotationCreationTime = annotationCreationTime
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case annotationID = "annotation_id"
        case annotationType = "annotation_type"
        case sourceImageID = "source_image_id"
        case transformations
        case spatialInformation = "spatial_information"
        case annotationCreationTime = "annotation_creation_time"
        case split
    }
}

/// The version module: which version of the dataset this is (MIFA-MODEL.md, "Version").
///
/// Required: ``version``, ``timestamp`` (RFC 3339 date-time with offset).
public struct VersionMetadata: Codable, Sendable, Hashable {
    /// `version`* : the version's name, e.g. `1.1` or `v2`.
    public var version: String?
    /// `timestamp`* : when the version was made.
    public var timestamp: String?
    /// `changes`: what changed since the previous version.
    public var changes: String?
    /// `previous_version`: the version this one derives from (an id, URI or accession).
    public var previousVersion: String?

    /// Version metadata; every field is optional.
    public init(version: String? = nil, timestamp: String? = nil, changes: String? = nil, previousVersion: String? = nil) {
        self.version = version
        self.timestamp = timestamp
        self.changes = changes
        self.previousVersion = previousVersion
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version
        case timestamp
        case changes
        case previousVersion = "previous_version"
    }
}
