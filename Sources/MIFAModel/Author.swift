/// A person credited by a study or an annotation set (MIFA-MODEL.md, "Author").
///
/// Required: ``authorFirstName`` and ``authorLastName``; a person known by one name (a mononym)
/// gives either one alone (`mifa version --annotator` stores it as ``authorLastName``). ``orcidID`` is stored bare
/// (`0000-0002-1825-0097`: the 16 characters without the `https://orcid.org/` or `ORCID:` prefix).
public struct Author: Codable, Sendable, Hashable {
    /// `author_first_name`* : given name.
    public var authorFirstName: String?
    /// `author_last_name`* : family name.
    public var authorLastName: String?
    /// `email`: contact address.
    public var email: String?
    /// `orcid_id`: ORCID iD, bare form.
    public var orcidID: String?
    /// `role`: roles in creating the dataset (CRediT-like free text, e.g. `data annotation`).
    public var role: [String]?
    /// `organisation`: affiliations.
    public var organisation: [Organisation]?

    /// An author; every field is optional so that incomplete documents can be represented.
    public init(
        authorFirstName: String? = nil, authorLastName: String? = nil, email: String? = nil, orcidID: String? = nil,
        role: [String]? = nil, organisation: [Organisation]? = nil
    ) {
        self.authorFirstName = authorFirstName
        self.authorLastName = authorLastName
        self.email = email
        self.orcidID = orcidID
        self.role = role
        self.organisation = organisation
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case authorFirstName = "author_first_name"
        case authorLastName = "author_last_name"
        case email
        case orcidID = "orcid_id"
        case role
        case organisation
    }
}

/// An organisation an author is affiliated with. Required: ``organisationName``.
public struct Organisation: Codable, Sendable, Hashable {
    /// `organisation_name`* : name.
    public var organisationName: String?
    /// `address`: postal address.
    public var address: String?
    /// `ror_id`: Research Organization Registry id.
    public var rorID: String?

    /// An organisation; every field is optional.
    public init(organisationName: String? = nil, address: String? = nil, rorID: String? = nil) {
        self.organisationName = organisationName
        self.address = address
        self.rorID = rorID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case organisationName = "organisation_name"
        case address
        case rorID = "ror_id"
    }
}
