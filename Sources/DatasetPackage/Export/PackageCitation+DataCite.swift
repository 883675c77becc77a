public import MIFACore
import MIFAModel

extension PackageCitation {
    /// The citation as DataCite Metadata Schema 4.5 JSON (the JSON form of the kernel-4 schema that
    /// the `datacite` Python package validates: `types`, `titles`, `creators`, `publisher`,
    /// `publicationYear`, `schemaVersion`, ...). Creators are ``creators`` (personal names with the
    /// ORCID iD as a name identifier and affiliations with ROR ids); every creator with roles is also
    /// a contributor once per DataCite `contributorType` their roles map to (`ContributorRole`;
    /// annotators without a role count as `data annotation`, i.e. `DataCurator`). Related
    /// identifiers are publications (`IsSupplementTo`), the study's links (`References`) and trained
    /// models (`IsSourceOf`); previous versions, which have no identifier DataCite accepts, are
    /// named in a `TechnicalInfo` description with their record digests, and the first and current
    /// versions' dates are `Created` and `Updated`. MIFA has no publisher, so `publisher` is
    /// DataCite's `(:unav)`.
    public func dataCite() -> JSONValue {
        let study = metadata.study
        var document: [(String, JSONValue)] = [
            ("schemaVersion", "http://datacite.org/schema/kernel-4"),
            ("types", ["resourceTypeGeneral": "Dataset", "resourceType": "MIFA dataset package (images and annotations)"]),
            ("titles", [["title": .string(study?.title ?? name)]]),
            ("creators", .array(creators.map { .object(JSONObject(Self.dataCitePerson($0))) })),
            ("publisher", ["name": "(:unav)"]),
            ("publicationYear", .string(String(record.timestamp.prefix(4)))),
            ("version", .string(record.version)),
        ]
        let annotators = metadata.creditedAnnotators + record.creditedAnnotators
        var contributors: [JSONValue] = []
        for person in creators {
            var roles = person.role ?? []
            if roles.isEmpty, annotators.contains(where: { $0.isSamePerson(as: person) }) { roles = [ContributorRole.annotation] }
            var types: [String] = []
            for role in roles where !types.contains(ContributorRole.dataCiteType(of: role)) { types.append(ContributorRole.dataCiteType(of: role)) }
            for type in types { contributors.append(.object(JSONObject(Self.dataCitePerson(person) + [("contributorType", .string(type))]))) }
        }
        if !contributors.isEmpty { document.append(("contributors", .array(contributors))) }
        if let keywords = study?.keywords, !keywords.isEmpty { document.append(("subjects", .array(keywords.map { ["subject": .string($0)] }))) }
        var dates: [JSONValue] = [["date": .string(String(lineage[0].record.timestamp.prefix(10))), "dateType": "Created"]]
        if lineage.count > 1 { dates.append(["date": .string(date), "dateType": "Updated"]) }
        document.append(("dates", .array(dates)))
        if let id = study?.license.flatMap(SPDXLicense.normalizedID(for:)) {
            var rights: [(String, JSONValue)] = [("rights", .string(SPDXLicense.license(id: id)?.name ?? id))]
            rights += [("rightsUri", .string("https://spdx.org/licenses/\(id).html")), ("rightsIdentifier", .string(id)),
                       ("rightsIdentifierScheme", "SPDX"), ("schemeUri", "https://spdx.org/licenses/")]
            document.append(("rightsList", [.object(JSONObject(rights))]))
        }
        var descriptions: [JSONValue] = []
        if let abstract = study?.description { descriptions.append(["description": .string(abstract), "descriptionType": "Abstract"]) }
        let previous = related.filter { $0.kind == .digest }
        if !previous.isEmpty {
            descriptions.append(["description": .string(previous.map { "\($0.description): \($0.value)" }.joined(separator: "; ")), "descriptionType": "TechnicalInfo"])
        }
        if !descriptions.isEmpty { document.append(("descriptions", .array(descriptions))) }
        let identifiers: [JSONValue] = related.compactMap { item in
            let type: String
            switch item.kind {
            case .doi: type = "DOI"
            case .url: type = "URL"
            case .pmid: type = "PMID"
            case .digest: return nil
            }
            return ["relatedIdentifier": .string(item.value), "relatedIdentifierType": .string(type), "relationType": .string(item.relation)]
        }
        if !identifiers.isEmpty { document.append(("relatedIdentifiers", .array(identifiers))) }
        let funding: [JSONValue] = (study?.grants ?? []).compactMap { grant in
            guard let funder = grant.funder else { return nil }
            var members: [(String, JSONValue)] = [("funderName", .string(funder))]
            if let award = grant.grantID { members.append(("awardNumber", .string(award))) }
            return .object(JSONObject(members))
        }
        if !funding.isEmpty { document.append(("fundingReferences", .array(funding))) }
        return .object(JSONObject(document))
    }

    /// A DataCite personal name: `Family, Given`, its parts, the ORCID iD and the affiliations.
    static func dataCitePerson(_ author: Author) -> [(String, JSONValue)] {
        let display = [author.authorLastName, author.authorFirstName].compactMap { $0 }.joined(separator: ", ")
        var members: [(String, JSONValue)] = [("name", .string(display)), ("nameType", "Personal")]
        if let given = author.authorFirstName { members.append(("givenName", .string(given))) }
        if let family = author.authorLastName { members.append(("familyName", .string(family))) }
        if let orcid = author.orcidID.flatMap(ORCID.bareForm(of:)) {
            members.append(("nameIdentifiers", [["nameIdentifier": .string("https://orcid.org/\(orcid)"), "nameIdentifierScheme": "ORCID", "schemeUri": "https://orcid.org"]]))
        }
        let affiliations: [JSONValue] = (author.organisation ?? []).compactMap { organisation in
            guard let name = organisation.organisationName else { return nil }
            var members: [(String, JSONValue)] = [("name", .string(name))]
            if let ror = organisation.rorID {
                members += [("affiliationIdentifier", .string(ror)), ("affiliationIdentifierScheme", "ROR"), ("schemeUri", "https://ror.org")]
            }
            return .object(JSONObject(members))
        }
        if !affiliations.isEmpty { members.append(("affiliation", .array(affiliations))) }
        return members
    }
}
