/// A role a person had in making a dataset, from a controlled vocabulary: the 14 roles of the
/// CRediT taxonomy (https://credit.niso.org, ANSI/NISO Z39.104-2022), the contributor types of the
/// DataCite Metadata Schema 4.5 (https://schema.datacite.org/meta/kernel-4.5/, `contributorType`),
/// and MIFA's `data annotation` (what `mifa version --annotator` credits by default).
///
/// MIFA's `role` is free text, so metadata may hold anything; ``init(parsing:)`` recognises the
/// vocabulary's terms case-, space- and punctuation-insensitively (`Data curation`, `data_curation`,
/// `DataCurator`), and exports map every role onto CRediT and DataCite with ``creditRole`` and
/// ``dataCiteType`` (a free-text role that is not in the vocabulary is `Other` for DataCite).
public struct ContributorRole: Sendable, Hashable, CustomStringConvertible {
    /// The canonical term: a CRediT role (`Data curation`), a DataCite type (`DataCurator`), or
    /// `data annotation`.
    public let term: String

    /// The vocabulary's canonical terms, CRediT first, then DataCite, then MIFA's.
    public static let vocabulary: [String] = creditRoles + dataCiteTypes + [annotation]

    /// MIFA's annotating role, the default of `--annotator` (CRediT `Data curation`, DataCite `DataCurator`).
    public static let annotation = "data annotation"

    /// The 14 CRediT roles.
    public static let creditRoles = [
        "Conceptualization", "Data curation", "Formal analysis", "Funding acquisition", "Investigation", "Methodology",
        "Project administration", "Resources", "Software", "Supervision", "Validation", "Visualization",
        "Writing - original draft", "Writing - review & editing",
    ]

    /// DataCite 4.5 `contributorType` values.
    public static let dataCiteTypes = [
        "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor", "HostingInstitution", "Producer",
        "ProjectLeader", "ProjectManager", "ProjectMember", "RegistrationAgency", "RegistrationAuthority", "RelatedPerson",
        "Researcher", "ResearchGroup", "RightsHolder", "Sponsor", "Supervisor", "WorkPackageLeader", "Other",
    ]

    /// The role `text` names, or `nil` when it is not in the vocabulary.
    public init?(parsing text: String) {
        let key = Self.key(text)
        guard !key.isEmpty, let term = Self.vocabulary.first(where: { Self.key($0) == key }) ?? Self.aliases[key] else { return nil }
        self.term = term
    }

    /// The role as written in the vocabulary.
    public var description: String { term }

    /// The CRediT role this role is, or corresponds to; `nil` when none does.
    public var creditRole: String? {
        if Self.creditRoles.contains(term) { return term }
        // CRediT's Data curation: "management activities to annotate (produce metadata), scrub data and maintain research data".
        if term == Self.annotation { return "Data curation" }
        return Self.creditOfDataCite[term]
    }

    /// The DataCite `contributorType` this role is, or corresponds to (`Other` when none does).
    public var dataCiteType: String {
        if Self.dataCiteTypes.contains(term) { return term }
        return Self.dataCiteOfCredit[term] ?? "Other"
    }

    /// The DataCite `contributorType` of a free-text role: its vocabulary term's, else `Other`.
    public static func dataCiteType(of text: String) -> String { ContributorRole(parsing: text)?.dataCiteType ?? "Other" }

    /// Lower-case letters and digits only, so that spelling variants meet.
    static func key(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }.map(Character.init))
    }

    /// Common spellings outside the vocabulary (keys as ``key(_:)`` makes them).
    static let aliases: [String: String] = [
        "annotation": annotation, "annotator": annotation, "dataannotation": annotation,
        "dataacquisition": "DataCollector", "datacollection": "DataCollector",
        "writingoriginaldraft": "Writing - original draft", "writingreviewediting": "Writing - review & editing",
        "writingreviewandediting": "Writing - review & editing",
    ]

    static let dataCiteOfCredit: [String: String] = [
        annotation: "DataCurator", "Data curation": "DataCurator", "Investigation": "Researcher", "Supervision": "Supervisor",
        "Project administration": "ProjectManager", "Methodology": "Researcher", "Formal analysis": "Researcher",
        "Validation": "Researcher", "Resources": "Producer", "Software": "Producer", "Funding acquisition": "Sponsor",
        "Writing - review & editing": "Editor",
    ]

    static let creditOfDataCite: [String: String] = [
        "DataCurator": "Data curation", "DataCollector": "Investigation", "DataManager": "Data curation", "Editor": "Writing - review & editing",
        "ProjectLeader": "Supervision", "ProjectManager": "Project administration", "Researcher": "Investigation", "Supervisor": "Supervision",
        "Sponsor": "Funding acquisition",
    ]
}
