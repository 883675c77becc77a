import MIFACore
import MIFAModel

extension PackageCitation {
    /// The citation as a `CITATION.cff` file (Citation File Format 1.2.0, `type: dataset`): title,
    /// version, release date (the version's date), license (SPDX), abstract, keywords, every creator
    /// (given and family names, ORCID iD as a URL, e-mail, first affiliation) and the related
    /// identifiers (DOIs and URLs; PubMed ids and previous versions as `other`). CFF has no field for
    /// a person's role; the DataCite export carries the roles.
    public func cff() -> String {
        let study = metadata.study
        var lines = [
            "# Written by `mifa export --to citation` from mifa.json and the version records.",
            "cff-version: 1.2.0",
            "message: \(Self.quoted("If you use this dataset, please cite it using the metadata from this file."))",
            "type: dataset",
            "title: \(Self.quoted(study?.title ?? name))",
            "version: \(Self.quoted(record.version))",
            "date-released: \(Self.quoted(date))",
        ]
        if let id = study?.license.flatMap(SPDXLicense.normalizedID(for:)) { lines.append("license: \(Self.quoted(id))") }
        if let abstract = study?.description { lines.append("abstract: \(Self.quoted(abstract))") }
        if let keywords = study?.keywords, !keywords.isEmpty {
            lines.append("keywords:")
            lines += keywords.map { "  - \(Self.quoted($0))" }
        }
        lines.append("authors:")
        for person in creators {
            var fields: [(String, String)] = []
            if let given = person.authorFirstName { fields.append(("given-names", given)) }
            if let family = person.authorLastName { fields.append(("family-names", family)) }
            if let orcid = person.orcidID.flatMap(ORCID.bareForm(of:)) { fields.append(("orcid", "https://orcid.org/\(orcid)")) }
            if let email = person.email, EmailAddress.isWellFormed(email) { fields.append(("email", email)) }
            if let affiliation = person.organisation?.first?.organisationName { fields.append(("affiliation", affiliation)) }
            for (index, field) in fields.enumerated() { lines.append("\(index == 0 ? "  - " : "    ")\(field.0): \(Self.quoted(field.1))") }
        }
        let related = self.related
        if !related.isEmpty {
            lines.append("identifiers:")
            for item in related {
                let (type, value): (String, String)
                switch item.kind {
                case .doi: (type, value) = ("doi", item.value)
                case .url: (type, value) = ("url", item.value)
                case .pmid: (type, value) = ("other", "pmid:\(item.value)")
                case .digest: (type, value) = ("other", item.value)
                }
                lines.append("  - type: \(type)")
                lines.append("    value: \(Self.quoted(value))")
                lines.append("    description: \(Self.quoted(item.description))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as a YAML double-quoted scalar (JSON string escapes, which YAML 1.2 reads the same).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0xFEFF {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
