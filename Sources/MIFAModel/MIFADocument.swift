/// A MIFA metadata document (`mifa.json`, or `mifa.yaml` as curators write it): the four modules
/// of MIFA-MODEL.md.
///
/// A document read from a single module file (the Archive's `Study_*.yaml`, `Annotations_*.yaml`,
/// `Version_*.yaml`) holds only that module; ``Kind`` says which. Every field is optional so that
/// incomplete documents (the Archive's templates) can be loaded; validation reports what is missing.
///
/// ```swift
/// let loaded = try MetadataReader.read(contentsOf: "mifa.yaml")
/// loaded.report.isValid
/// loaded.document.study?.license        // "CC-BY-4.0", whatever the file spelled
/// ```
public struct MIFADocument: Codable, Sendable, Hashable {
    /// What a document holds.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// The four modules under `study`, `images`, `annotations`, `version` (a `mifa.json`).
        /// `study`, `annotations` (at least one set) and `version` are required.
        case combined
        /// A study module alone: its fields at the top level.
        case study
        /// One annotation set alone.
        case annotations
        /// A version module alone.
        case version
    }

    /// `study`: the study module.
    public var study: Study?
    /// `images`: the image module, one entry per image.
    public var images: [ImageMetadata]?
    /// `annotations`: the annotation sets.
    public var annotations: [AnnotationSet]?
    /// `version`: the version module.
    public var version: VersionMetadata?

    /// A document; every module is optional.
    public init(study: Study? = nil, images: [ImageMetadata]? = nil, annotations: [AnnotationSet]? = nil, version: VersionMetadata? = nil) {
        self.study = study
        self.images = images
        self.annotations = annotations
        self.version = version
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case study
        case images
        case annotations
        case version
    }
}
