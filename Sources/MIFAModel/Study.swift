/// The study module: what the dataset is, who made it, under which license
/// (MIFA-MODEL.md, "Study").
///
/// Required: ``title``, ``description``, ``keywords``, ``license``, ``fundingStatement``,
/// ``linkURL``. ``license`` holds an SPDX id after normalisation.
public struct Study: Codable, Sendable, Hashable {
    /// `title`* : the dataset's title.
    public var title: String?
    /// `description`* : what the dataset is; must state the biological application.
    public var description: String?
    /// `keywords`* : at least one keyword.
    public var keywords: [String]?
    /// `license`* : an SPDX license id such as `CC-BY-4.0`.
    public var license: String?
    /// `funding_statement`* : how the study was funded.
    public var fundingStatement: String?
    /// `link_url`* : related links (at least one).
    public var linkURL: [String]?
    /// `link_description`: what each link is, in the same order.
    public var linkDescription: [String]?
    /// `authors`: the study's authors.
    public var authors: [Author]?
    /// `publications`: associated publications.
    public var publications: [Publication]?
    /// `grants`: grants that funded the study.
    public var grants: [GrantReference]?
    /// `ai_models_trained`: URIs of models trained on the dataset (e.g. BioImage Model Zoo entries).
    public var aiModelsTrained: [String]?
    /// `acknowledgements`: people or groups to acknowledge.
    public var acknowledgements: String?

    /// A study; every field is optional so that incomplete documents (templates) can be represented.
    public init(
        title: String? = nil, description: String? = nil, keywords: [String]? = nil, license: String? = nil,
        fundingStatement: String? = nil, linkURL: [String]? = nil, linkDescription: [String]? = nil,
        authors: [Author]? = nil, publications: [Publication]? = nil, grants: [GrantReference]? = nil,
        aiModelsTrained: [String]? = nil, acknowledgements: String? = nil
    ) {
        self.title = title
        self.description = description
        self.keywords = keywords
        self.license = license
        self.fundingStatement = fundingStatement
        self.linkURL = linkURL
        self.linkDescription = linkDescription
        self.authors = authors
        self.publications = publications
        self.grants = grants
        self.aiModelsTrained = aiModelsTrained
        self.acknowledgements = acknowledgements
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case title
        case description
        case keywords
        case license
        case fundingStatement = "funding_statement"
        case linkURL = "link_url"
        case linkDescription = "link_description"
        case authors
        case publications
        case grants
        case aiModelsTrained = "ai_models_trained"
        case acknowledgements
    }
}

/// A publication associated with the dataset. Required: ``publicationTitle``,
/// ``publicationAuthors``, ``publicationDOI`` (stored bare: `10.7554/eLife.55913`).
public struct Publication: Codable, Sendable, Hashable {
    /// `publication_title`* : title.
    public var publicationTitle: String?
    /// `publication_authors`* : the author list as written in the publication.
    public var publicationAuthors: String?
    /// `publication_doi`* : DOI, bare form `10.NNNN/suffix`.
    public var publicationDOI: String?
    /// `publication_year`: year of publication.
    public var publicationYear: String?
    /// `pubmed_id`: PubMed (or PubMed Central) id.
    public var pubmedID: String?

    /// A publication; every field is optional.
    public init(
        publicationTitle: String? = nil, publicationAuthors: String? = nil, publicationDOI: String? = nil,
        publicationYear: String? = nil, pubmedID: String? = nil
    ) {
        self.publicationTitle = publicationTitle
        self.publicationAuthors = publicationAuthors
        self.publicationDOI = publicationDOI
        self.publicationYear = publicationYear
        self.pubmedID = pubmedID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case publicationTitle = "publication_title"
        case publicationAuthors = "publication_authors"
        case publicationDOI = "publication_doi"
        case publicationYear = "publication_year"
        case pubmedID = "pubmed_id"
    }
}

/// A grant that funded the study. Required: ``grantID``, ``funder``.
public struct GrantReference: Codable, Sendable, Hashable {
    /// `grant_id`* : the grant's identifier.
    public var grantID: String?
    /// `funder`* : the funding body.
    public var funder: String?

    /// A grant reference; every field is optional.
    public init(grantID: String? = nil, funder: String? = nil) {
        self.grantID = grantID
        self.funder = funder
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case grantID = "grant_id"
        case funder
    }
}
