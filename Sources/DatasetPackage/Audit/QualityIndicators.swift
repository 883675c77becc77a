public import MIFAModel

/// The audit's quality indicators (`mifa audit --json` key `indicators`, and the badges of
/// `mifa audit --badges`), each a share with the counts it comes from and a stated rule, so that
/// anyone can recompute it from the package:
/// - ``metadata``: MIFA fields filled in `mifa.json` (present, not blank, not an empty list): of
///   the study, its 11 fields (title, description, keywords, license, funding_statement, link_url,
///   authors, publications, grants, ai_models_trained, acknowledgements); of each annotation set,
///   its 8 (annotation_overview, annotation_type, annotation_method, annotation_criteria,
///   annotation_coverage, annotation_confidence_level, authors, file_metadata); of the version, its
///   3 (version, timestamp, changes).
/// - ``rembi``: images of the package whose `mifa.json` entry has all three REMBI sections
///   (biosample, specimen, image_acquisition), of the images of the package.
/// - ``coverage``: declared against measured coverage, over the sets whose `file_metadata` names
///   source images: images both declared and annotated, of images declared or annotated (a set
///   declaring nothing does not count; none declaring: 0 of 0).
/// - ``annotationValidity``: annotation sets with no error finding under their files
///   (`annotations/<set>/` or `images/*/labels/<set>/`), of the sets of the package.
public struct QualityIndicators: Sendable, Hashable, Codable {
    /// How many of how many met a rule; its JSON also carries `value` (`met / of`, `null` for 0 of 0).
    public struct Share: Sendable, Hashable, Codable {
        /// How many met the rule.
        public var met: Int
        /// How many were counted.
        public var of: Int

        /// `met / of`, or `nil` when nothing was counted.
        public var value: Double? { of == 0 ? nil : Double(met) / Double(of) }

        /// A share of `met` out of `of`.
        public init(met: Int, of: Int) {
            self.met = met
            self.of = of
        }

        enum CodingKeys: String, CodingKey { case met, of, value }

        /// Reads `met` and `of` (`value` follows from them).
        /// - Throws: what the decoder throws.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(met: try container.decode(Int.self, forKey: .met), of: try container.decode(Int.self, forKey: .of))
        }

        /// Writes `met`, `of` and `value`.
        /// - Throws: what the encoder throws.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(met, forKey: .met)
            try container.encode(of, forKey: .of)
            try container.encode(value, forKey: .value)
        }
    }

    /// MIFA fields filled.
    public var metadata: Share
    /// Images described with every REMBI section.
    public var rembi: Share
    /// Declared coverage found in the package.
    public var coverage: Share
    /// Annotation sets without errors.
    public var annotationValidity: Share

    enum CodingKeys: String, CodingKey {
        case metadata, rembi, coverage
        case annotationValidity = "annotation_validity"
    }

    /// The MIFA fields of `document` filled, of those the rule counts.
    public static func metadata(_ document: MIFADocument) -> Share {
        func filled(_ text: String?) -> Bool { text.map { !$0.isBlank } ?? false }
        func filled<T>(_ list: [T]?) -> Bool { !(list ?? []).isEmpty }
        let study = document.study
        var fields = [
            filled(study?.title), filled(study?.description), filled(study?.keywords), filled(study?.license),
            filled(study?.fundingStatement), filled(study?.linkURL), filled(study?.authors), filled(study?.publications),
            filled(study?.grants), filled(study?.aiModelsTrained), filled(study?.acknowledgements),
        ]
        for set in document.annotations ?? [] {
            fields += [
                filled(set.annotationOverview), filled(set.annotationType), filled(set.annotationMethod), filled(set.annotationCriteria),
                filled(set.annotationCoverage), filled(set.annotationConfidenceLevel), filled(set.authors), filled(set.fileMetadata),
            ]
        }
        fields += [filled(document.version?.version), filled(document.version?.timestamp), filled(document.version?.changes)]
        return Share(met: fields.count { $0 }, of: fields.count)
    }

    /// The package's images (`imageIDs`) whose `document` entry has biosample, specimen and image_acquisition.
    public static func rembi(_ document: MIFADocument, imageIDs: [String]) -> Share {
        let complete = Set((document.images ?? []).filter { $0.biosample != nil && $0.specimen != nil && $0.imageAcquisition != nil }.compactMap(\.id))
        return Share(met: imageIDs.count { complete.contains($0) }, of: imageIDs.count)
    }

    /// Declared images found annotated, over the sets that declare any.
    public static func coverage(_ coverage: AuditReport.Coverage) -> Share {
        var met = 0, of = 0
        for set in coverage.sets.values where !set.declaredImages.isEmpty {
            let declared = Set(set.declaredImages), measured = Set(set.images)
            met += declared.intersection(measured).count
            of += declared.union(measured).count
        }
        return Share(met: met, of: of)
    }

    /// The sets of `coverage` with no error among `findings` under their files.
    public static func annotationValidity(_ coverage: AuditReport.Coverage, findings: [AuditFinding]) -> Share {
        let failing = Set(findings.filter { $0.severity == .error }.compactMap { finding -> String? in
            let parts = finding.path.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count >= 2, parts[0] == "annotations" { return String(parts[1]) }
            if parts.count >= 4, parts[0] == "images", parts[2] == "labels" { return String(parts[3]) }
            return nil
        })
        return Share(met: coverage.sets.keys.count { !failing.contains($0) }, of: coverage.sets.count)
    }
}
