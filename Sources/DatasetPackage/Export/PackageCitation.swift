import Foundation
import MIFACore
public import MIFAModel

/// What a citation of a package version says, from its `mifa.json`, its version records and its
/// annotation sets: the creators (the study's authors, then every annotator the version credits,
/// then every person objects of the lineage name as their annotator, each person once; the
/// Croissant export names the same people), the title, license, version and date, and the related
/// identifiers (publications, the study's links, trained models, previous versions).
///
/// Written as CITATION.cff (Citation File Format 1.2.0, https://citation-file-format.github.io) by
/// ``cff()`` and as DataCite Metadata Schema 4.5 JSON (https://schema.datacite.org/meta/kernel-4.5/)
/// by ``dataCite()``.
public struct PackageCitation: Sendable {
    /// The version's metadata.
    public var metadata: MIFADocument
    /// The lineage up to the version cited, first to last, with each record file's SHA-256.
    public var lineage: [(record: VersionRecord, sha256: SHA256Digest)]
    /// The package folder's name (the title when the study has none).
    public var name: String
    /// The people objects name as their annotators up to the cited version (``objectAnnotators(of:)``).
    public var objectAnnotators: [Author]

    /// The citation of a snapshot's version.
    /// - Throws: ``PackageError`` `.invalidMetadata` when mifa.json cannot be read or has no title,
    ///   or credits nobody; what reading the snapshot throws.
    public init(_ snapshot: PackageSnapshot) throws {
        metadata = try snapshot.metadata()
        var chain: [(record: VersionRecord, sha256: SHA256Digest)] = []
        var next: String? = snapshot.version
        while let id = next, !chain.contains(where: { $0.record.version == id }) {
            let entry = try snapshot.package.record(id)
            chain.append(entry)
            next = entry.record.previousVersion
        }
        lineage = chain.reversed()
        name = snapshot.package.name
        objectAnnotators = try Self.objectAnnotators(of: snapshot)
        guard let title = metadata.study?.title, !title.allSatisfy(\.isWhitespace) else {
            throw PackageError(.invalidMetadata, "mifa.json has no study title, which a citation needs; add study.title with `mifa version --metadata`", context: ErrorContext(file: PackageLayout.metadata, pointer: "/study/title"))
        }
        guard !creators.isEmpty else {
            throw PackageError(.invalidMetadata, "mifa.json names no study author and the version credits no annotator, so a citation would name nobody; add study.authors", context: ErrorContext(file: PackageLayout.metadata, pointer: "/study/authors"))
        }
    }

    /// The version cited.
    public var record: VersionRecord { lineage.last!.record }

    /// The people to cite, each once: the study's authors, then the annotators of the metadata and
    /// the record, then the people the objects name (see ``creators(of:record:objectAnnotators:)``).
    public var creators: [Author] { Self.creators(of: metadata, record: record, objectAnnotators: objectAnnotators) }

    /// The creators of a version: the study's authors, then the metadata's annotators, then the
    /// record's credited annotators, then the people objects name, each person once
    /// (`Author.isSamePerson(as:)`), with every role any of their entries gives.
    public static func creators(of metadata: MIFADocument, record: VersionRecord, objectAnnotators: [Author]) -> [Author] {
        var people: [Author] = []
        for author in (metadata.study?.authors ?? []) + metadata.creditedAnnotators + record.creditedAnnotators + objectAnnotators
        where author.identity != nil {
            if let index = people.firstIndex(where: { $0.isSamePerson(as: author) }) {
                for role in author.role ?? [] where !(people[index].role ?? []).contains(role) { people[index].role = (people[index].role ?? []) + [role] }
                if people[index].orcidID == nil { people[index].orcidID = author.orcidID }
                if people[index].organisation == nil { people[index].organisation = author.organisation }
            } else {
                people.append(author)
            }
        }
        return people
    }

    /// The people objects name as their annotators (``ObjectAnnotator``) over the lineage up to
    /// `snapshot`'s version, as `mifa credits` counts them (``CreditHistory``), in order of first
    /// appearance, each once: as the credit of a set's annotators, the credit of an object's
    /// annotator is kept by later versions, also when they replace or remove the object.
    /// - Throws: the errors of `DatasetPackage.creditHistory(upTo:)`.
    public static func objectAnnotators(of snapshot: PackageSnapshot) throws -> [Author] {
        var people: [Author] = []
        for version in try snapshot.package.creditHistory(upTo: snapshot.version).versions {
            for set in version.sets.keys.sorted(by: byteOrder) {
                for count in version.sets[set]?.objectAnnotators ?? [] where !people.contains(where: { $0.isSamePerson(as: count.annotator) }) {
                    people.append(count.annotator)
                }
            }
        }
        return people
    }

    /// The date of the version (`YYYY-MM-DD` of its time stamp).
    var date: String { String(record.timestamp.prefix(10)) }

    /// A related identifier: what, of which kind, how related, and a description.
    struct Related {
        var value: String
        var kind: Kind
        var relation: String
        var description: String

        enum Kind { case doi, url, pmid, digest }
    }

    /// Publications (the dataset supplements them), the study's links, trained models (the dataset
    /// is their source) and previous versions (by their record's SHA-256).
    var related: [Related] {
        var result: [Related] = []
        let study = metadata.study
        for publication in study?.publications ?? [] {
            let title = publication.publicationTitle ?? "publication"
            if let doi = publication.publicationDOI.flatMap(Self.doi) {
                result.append(Related(value: doi, kind: .doi, relation: "IsSupplementTo", description: "Publication: \(title)"))
            } else if let pmid = publication.pubmedID {
                result.append(Related(value: pmid, kind: .pmid, relation: "IsSupplementTo", description: "Publication: \(title)"))
            }
        }
        for (index, link) in (study?.linkURL ?? []).enumerated() {
            let text = study?.linkDescription.flatMap { index < $0.count ? $0[index] : nil } ?? "Link of the study"
            if let doi = Self.doi(link) {
                result.append(Related(value: doi, kind: .doi, relation: "References", description: text))
            } else {
                result.append(Related(value: link, kind: .url, relation: "References", description: text))
            }
        }
        for model in study?.aiModelsTrained ?? [] {
            if let doi = Self.doi(model) {
                result.append(Related(value: doi, kind: .doi, relation: "IsSourceOf", description: "A model trained on this dataset"))
            } else {
                result.append(Related(value: model, kind: .url, relation: "IsSourceOf", description: "A model trained on this dataset"))
            }
        }
        for (earlier, sha256) in lineage.dropLast() {
            result.append(Related(
                value: "sha256:\(sha256.hex)", kind: .digest, relation: "IsNewVersionOf",
                description: "Previous version \(earlier.version) of this package (\(earlier.timestamp)), identified by the SHA-256 of its record versions/\(earlier.version).json"))
        }
        return result
    }

    /// The bare DOI `text` is written as (bare, `doi:` or a doi.org URL), or `nil` when it is not a DOI.
    static func doi(_ text: String) -> String? {
        let bare = DOI.bareForm(of: text)
        return DOI.isWellFormed(bare) ? bare : nil
    }

    static func name(_ author: Author) -> String { [author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " ") }
}

/// A citation of a package version (``PackageCitation``) in one of its forms.
struct CitationExportFormat: PackageExportFormatHandler {
    let name: String
    /// The file's bytes of a citation.
    let encode: @Sendable (PackageCitation) throws -> [UInt8]

    func export(_ snapshot: PackageSnapshot, of exporter: PackageExporter, to output: String, request: PackageExporter.Request, progress: (Int, Int) -> Void) throws -> PackageExporter.Summary {
        let citation = try PackageCitation(snapshot)
        try write(try encode(citation), to: output)
        return PackageExporter.Summary(output: output, version: snapshot.version, items: citation.creators.count, counted: "people credited")
    }
}

extension PackageExporter.Format {
    /// A `CITATION.cff` (Citation File Format 1.2.0).
    public static let citation = PackageExporter.Format(CitationExportFormat(name: "citation") { Array($0.cff().utf8) })
    /// DataCite Metadata Schema 4.5 JSON.
    public static let datacite = PackageExporter.Format(CitationExportFormat(name: "datacite") { try CanonicalJSON.encode($0.dataCite()) })
}
