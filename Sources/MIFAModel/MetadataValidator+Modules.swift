import MIFACore

extension MetadataValidator {
    mutating func validate(_ study: Study, at base: JSONPointer) {
        requireText(study.title, at: base.appending("title"))
        requireText(study.description, at: base.appending("description"))
        requireTextList(study.keywords, at: base.appending("keywords"))
        requireText(study.fundingStatement, at: base.appending("funding_statement"))
        requireTextList(study.linkURL, at: base.appending("link_url"))
        if requireText(study.license, at: base.appending("license")), let license = study.license {
            checkLicense(license, at: base.appending("license"))
        }
        for (index, author) in (study.authors ?? []).enumerated() {
            validate(author, at: base.appending("authors").appending(index: index))
        }
        for (index, publication) in (study.publications ?? []).enumerated() {
            let pointer = base.appending("publications").appending(index: index)
            requireText(publication.publicationTitle, at: pointer.appending("publication_title"))
            requireText(publication.publicationAuthors, at: pointer.appending("publication_authors"))
            if requireText(publication.publicationDOI, at: pointer.appending("publication_doi")), let doi = publication.publicationDOI,
                !DOI.isWellFormed(doi)
            {
                add(
                    .error, .invalidDOI, at: pointer.appending("publication_doi"), "not a DOI",
                    expected: "a DOI such as 10.7554/eLife.55913 (or a doi.org URL)", found: "'\(doi)'",
                    suggestion: "copy the DOI from the publication's page")
            }
        }
        for (index, grant) in (study.grants ?? []).enumerated() {
            let pointer = base.appending("grants").appending(index: index)
            requireText(grant.grantID, at: pointer.appending("grant_id"))
            requireText(grant.funder, at: pointer.appending("funder"))
        }
    }

    mutating func checkLicense(_ license: String, at pointer: JSONPointer) {
        if let known = SPDXLicense.license(id: license) {
            if known.isDeprecated {
                add(
                    .warning, .deprecatedLicense, at: pointer, "'\(license)' is a deprecated SPDX license id",
                    expected: "a current SPDX id", found: "'\(license)'", suggestion: "see https://spdx.org/licenses/ for the id that replaces it")
            }
            return
        }
        let suggestion = SPDXLicense.closestID(to: license).map { "did you mean '\($0)'?" }
        add(
            .error, .invalidLicense, at: pointer, "'\(license)' is not an SPDX license id",
            expected: "an SPDX id such as CC-BY-4.0 or CC0-1.0 (https://spdx.org/licenses/)", found: "'\(license)'",
            suggestion: suggestion ?? "use CC-BY-4.0 or CC0-1.0, the licenses the BioImage Archive accepts")
    }

    mutating func validate(_ author: Author, at base: JSONPointer) {
        // A person known by one name (a mononym) is a real name: one of the two fields is enough.
        // Neither is an error at both; a field that is written must not be blank.
        if author.authorFirstName == nil && author.authorLastName == nil {
            requireText(author.authorFirstName, at: base.appending("author_first_name"))
            requireText(author.authorLastName, at: base.appending("author_last_name"))
        } else {
            if let first = author.authorFirstName { requireText(first, at: base.appending("author_first_name")) }
            if let last = author.authorLastName { requireText(last, at: base.appending("author_last_name")) }
        }
        if let email = author.email, !EmailAddress.isWellFormed(email) {
            add(
                .error, .invalidEmail, at: base.appending("email"), "not an e-mail address", expected: "name@domain.tld",
                found: "'\(email)'", suggestion: email.isBlank ? "remove the empty email" : nil)
        }
        if let orcid = author.orcidID {
            checkORCID(orcid, at: base.appending("orcid_id"))
        }
        for (index, organisation) in (author.organisation ?? []).enumerated() {
            requireText(organisation.organisationName, at: base.appending("organisation").appending(index: index).appending("organisation_name"))
        }
    }

    mutating func checkORCID(_ orcid: String, at pointer: JSONPointer) {
        guard ORCID.isWellFormed(orcid), let expected = ORCID.expectedCheckDigit(orcid) else {
            add(
                .error, .invalidORCID, at: pointer, "not an ORCID iD",
                expected: "16 characters as in 0000-0002-1825-0097 (an https://orcid.org/ URL or ORCID: prefix is also read)",
                found: "'\(orcid)'", suggestion: "copy the iD from the person's ORCID record")
            return
        }
        guard let last = orcid.last, last != expected else { return }
        add(
            .error, .orcidCheckDigit, at: pointer, "the ORCID iD's check digit is wrong (a typing error, or a placeholder)",
            expected: "last character '\(expected)' (ISO 7064 MOD 11-2 over the first 15 digits)", found: "'\(last)' in \(orcid)",
            suggestion: "check the iD at https://orcid.org/\(orcid); leave orcid_id out rather than writing a placeholder")
    }

    mutating func validate(_ set: AnnotationSet, at base: JSONPointer) {
        requireText(set.annotationOverview, at: base.appending("annotation_overview"))
        requireText(set.annotationMethod, at: base.appending("annotation_method"))
        checkAnnotationTypes(set.annotationType, at: base.appending("annotation_type"))
        if let indicator = set.annotationSourceIndicator, !indicator.isKnown {
            let all = AnnotationSourceIndicator.allKnown.map(\.rawValue)
            let suggestion = TextSimilarity.closest(to: indicator.rawValue, among: all).map { "did you mean '\($0)'?" }
            add(
                .error, .invalidAnnotationSourceIndicator, at: base.appending("annotation_source_indicator"),
                "'\(indicator.rawValue)' is not an annotation source indicator", expected: "one of " + all.joined(separator: ", "),
                found: "'\(indicator.rawValue)'", suggestion: suggestion)
        }
        for (index, author) in (set.authors ?? []).enumerated() {
            validate(author, at: base.appending("authors").appending(index: index))
        }
        if let id = set.setID, !SafeName.isSafe(id) {
            add(
                .error, .invalidValue, at: base.appending("set_id"), "'\(id)' cannot name a folder of the package",
                expected: "letters, digits, '.', '_' and '-', not starting with '.' or '-'", found: "'\(id)'", suggestion: "for example 'nuclei' or 'outlines-v2'")
        }
        for (index, file) in (set.fileMetadata ?? []).enumerated() {
            validate(file, at: base.appending("file_metadata").appending(index: index))
        }
    }

    mutating func validate(_ file: FileLevelMetadata, at base: JSONPointer) {
        if requireText(file.annotationID, at: base.appending("annotation_id")), let id = file.annotationID {
            registerAnnotationID(id, at: base.appending("annotation_id"))
        }
        checkAnnotationTypes(file.annotationType, at: base.appending("annotation_type"))
        if let split = file.split { _ = requireText(split, at: base.appending("split")) }
        if requireText(file.sourceImageID, at: base.appending("source_image_id")), let source = file.sourceImageID,
            isDeclaredImage(source) == false
        {
            add(
                .warning, .unknownSourceImage, at: base.appending("source_image_id"),
                "source image '\(source)' is not one of the document's images", expected: "the id of an entry of images",
                found: "'\(source)'", suggestion: "add the image to images, or correct the id")
        }
        if let time = file.annotationCreationTime {
            checkDateTime(time, at: base.appending("annotation_creation_time"))
        }
    }
}
