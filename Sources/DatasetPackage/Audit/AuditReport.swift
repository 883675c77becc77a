public import MIFACore

/// The result of auditing a package (``PackageAuditor``): a summary of what the package holds,
/// the findings ranked by severity, the coverage measured, and what recovery did on opening.
/// Its JSON form (`mifa audit --json`) is described by Schemas/audit-report.schema.json.
public struct AuditReport: Sendable, Hashable, Codable {
    /// The package folder as given.
    public var package: String
    /// The current version (`nil` when the manifest cannot be read).
    public var version: String?
    /// `clean`, `warnings` or `errors`.
    public var verdict: String
    /// How many files, bytes, images, annotation sets and findings of each severity.
    public var counts: Counts
    /// Every finding, errors first, then by path.
    public var findings: [AuditFinding]
    /// Which images carry annotations, per set and as the metadata declares.
    public var coverage: Coverage
    /// What opening the package did to an interrupted write; `nil` when there was none.
    public var recovered: String?
    /// Inter-annotator agreement of every two sets annotating a common image (``SetAgreement``).
    public var agreement: [SetAgreement] = []
    /// Metadata and REMBI completeness, declared against measured coverage, annotation validity (``QualityIndicators``).
    public var indicators = QualityIndicators(metadata: .init(met: 0, of: 0), rembi: .init(met: 0, of: 0), coverage: .init(met: 0, of: 0),
                                              annotationValidity: .init(met: 0, of: 0))

    /// The sizes of the package and of the findings.
    public struct Counts: Sendable, Hashable, Codable {
        /// Content files in the manifest.
        public var files: Int
        /// Their total size.
        public var bytes: Int
        /// Images (`images/<id>/`).
        public var images: Int
        /// Annotation sets (vector sets under `annotations/` and label sets under `images/*/labels/`).
        public var annotationSets: Int
        /// Versions in the lineage of the current version.
        public var versions: Int
        /// Findings that are errors.
        public var errors: Int
        /// Findings that are warnings.
        public var warnings: Int
        /// Findings that are notes.
        public var info: Int

        enum CodingKeys: String, CodingKey {
            case files, bytes, images, versions, errors, warnings, info
            case annotationSets = "annotation_sets"
        }
    }

    /// Declared and measured coverage.
    public struct Coverage: Sendable, Hashable, Codable {
        /// Per annotation set id: what the package holds.
        public var sets: [String: SetCoverage]
        /// Images that carry annotations of any set.
        public var annotatedImages: [String]
        /// Images the package holds but no set annotates.
        public var unannotatedImages: [String]
        /// Images the metadata's `file_metadata` declares annotations for (`source_image_id`).
        public var declaredAnnotatedImages: [String]

        enum CodingKeys: String, CodingKey {
            case sets
            case annotatedImages = "annotated_images"
            case unannotatedImages = "unannotated_images"
            case declaredAnnotatedImages = "declared_annotated_images"
        }
    }

    /// What one annotation set holds.
    public struct SetCoverage: Sendable, Hashable, Codable {
        /// `vector` (annotations/<set>/annotations.geojson), `labels` (images/*/labels/<set>/) or `vector+labels`.
        public var kind: String
        /// Images the set annotates.
        public var images: [String]
        /// Objects per image: vector features, plus the distinct non-zero values of a label image.
        public var objectsPerImage: [String: Int]
        /// All objects of the set.
        public var objects: Int
        /// Images that the metadata's `file_metadata` of this set names as source images (set N of
        /// the metadata is `setN`); empty when it declares none.
        public var declaredImages: [String] = []

        enum CodingKeys: String, CodingKey {
            case kind, images, objects
            case objectsPerImage = "objects_per_image"
            case declaredImages = "declared_images"
        }
    }

    enum CodingKeys: String, CodingKey {
        case package, version, verdict, counts, findings, coverage, recovered, agreement, indicators
    }

    /// Encodes the report; `version` and `recovered` are written as `null` when absent, so every
    /// report has the same members.
    /// - Throws: what the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(package, forKey: .package)
        try container.encode(version, forKey: .version)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(counts, forKey: .counts)
        try container.encode(findings, forKey: .findings)
        try container.encode(coverage, forKey: .coverage)
        try container.encode(recovered, forKey: .recovered)
        try container.encode(agreement, forKey: .agreement)
        try container.encode(indicators, forKey: .indicators)
    }

    /// The findings of one severity.
    public func findings(_ severity: AuditFinding.Severity) -> [AuditFinding] {
        findings.filter { $0.severity == severity }
    }

    /// Whether the audit fails: any error, or with `strict` any warning.
    public func fails(strict: Bool) -> Bool {
        counts.errors > 0 || (strict && counts.warnings > 0)
    }
}
